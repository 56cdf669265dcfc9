import type { IHeaders } from 'kafkajs';

/** A message to produce: string key for per-record ordering, raw bytes, string headers. */
export interface OutgoingMessage {
  key: string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
  /** Epoch ms; default: the broker's append time rules (kafkajs sets now). */
  timestamp?: string;
}

/** A consumed message with its coordinates, as handed to Tidemark handlers. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  /** Kafka offsets exceed 2^53 in theory: kept as the decimal string kafkajs gives. */
  offset: string;
  /** Epoch milliseconds, as a decimal string. */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** The first value of a header as a string, or undefined. */
export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** Headers as plain strings (first value wins), for codecs and dead letters. */
export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerValue(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
