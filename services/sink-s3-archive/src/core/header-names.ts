import { ascii } from './byte-writer.js';

/** What a Kafka header name means to the archive, worked out once per distinct name. */
export interface HeaderName {
  /** `content-type` or `ce_*`: part of the binary-mode CloudEvent (binding 3.2.1, 3.2.3). */
  cloudEvents: boolean;
  /**
   * For `ce_<name>`: the attribute, or undefined when `<name>` is not one (spec 1.0: [a-z0-9],
   * at most 20 characters; `data` and `datacontenttype` travel otherwise).
   */
  attribute: string | undefined;
  /** `rankOf(attribute)` */
  rank: number;
  /** `"<attribute>":` */
  attributeKey: Uint8Array | undefined;
  /** `"<header name>":`, escaped as JSON.stringify escapes it, for the `headers` member. */
  headerKey: Uint8Array;
}

const attributeName = /^[a-z0-9]{1,20}$/;
/** Attributes first in this order (as toStructuredJson of @tidemark/events), then the rest sorted. */
const attributeOrder: readonly string[] = [
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'partitionkey',
  'correlationid',
  'causationid',
  'traceparent',
  'tracestate',
  'sequence',
];
/** Where extension attributes go: after the known ones, sorted by name among themselves. */
export const EXTENSION_RANK = attributeOrder.length;

/** An attribute's place in the line. */
export function rankOf(attribute: string): number {
  const rank = attributeOrder.indexOf(attribute);
  return rank < 0 ? EXTENSION_RANK : rank;
}
/**
 * Names repeat on every record, so they are looked up rather than re-examined. Bounded: a topic
 * with ever-new header names must not grow it without end.
 */
const MAX_CACHED = 1024;
const cache = new Map<string, HeaderName>();

export function headerName(name: string): HeaderName {
  let info = cache.get(name);
  if (info === undefined) {
    const cloudEvents = name === 'content-type' || name.startsWith('ce_');
    const candidate = name.startsWith('ce_') ? name.slice(3) : undefined;
    const attribute =
      candidate !== undefined &&
      attributeName.test(candidate) &&
      candidate !== 'data' &&
      candidate !== 'datacontenttype'
        ? candidate
        : undefined;
    info = {
      cloudEvents,
      attribute,
      rank: attribute === undefined ? EXTENSION_RANK : rankOf(attribute),
      attributeKey: attribute === undefined ? undefined : ascii(`"${attribute}":`),
      headerKey: Buffer.from(`${JSON.stringify(name)}:`, 'utf8'),
    };
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(name, info);
  }
  return info;
}
