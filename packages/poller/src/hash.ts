import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level: the same record always gives the same text,
 * whatever order the source sent its fields in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

/**
 * A short hash of a record's state (16 hex digits of SHA-256 over its canonical JSON): the
 * "which state" part of versions and dedupe sets of state-polled sources.
 */
export function stateHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}
