/**
 * Test support: the archive line built the straightforward way, as a string of JSON.stringify'd
 * parts from the decoded text (the encoder before the byte-level one in record.ts). The
 * equivalence test holds the two to the same bytes.
 */
import { isUtf8 } from 'node:buffer';
import { isDateMs, type ArchiveInput } from './input.js';
import type { EncodedRecord } from './record.js';

const HOUR_MS = 3_600_000;
const attributeName = /^[a-z0-9]{1,20}$/;
const decimal = /^\d+$/;
/** Attributes first in this order (as toStructuredJson of @tidemark/events), then the rest sorted. */
const attributeOrder = [
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
const attributeRank = new Map(attributeOrder.map((name, index) => [name, index]));

/** Name, value, and the name's place in the output order (looked up once, not per comparison). */
type Attribute = [name: string, value: string, rank: number];

type Binding =
  | { ok: true; attributes: Attribute[]; timeMs: number | undefined; dataJson: string }
  | { ok: false; reason: string };

/** The reference: builds the line as a string with JSON.stringify. */
export function encodeRecordReference(input: ArchiveInput): EncodedRecord {
  if (!decimal.test(input.offset)) throw new Error(`offset is not a decimal: ${input.offset}`);
  const kafkaMs = Number(input.timestamp);
  const headers = readHeaders(input.headers);
  const binding = readBinding(input, headers);
  let line: string;
  let timeMs: number;
  if (binding.ok) {
    let text = '{';
    for (const [name, value] of binding.attributes) text += `"${name}":${JSON.stringify(value)},`;
    // The CloudEvents headers are the attributes above; the Kafka member keeps the others.
    line = `${text}${binding.dataJson},"tidemark_kafka":${kafkaMember(input, kafkaMs, headers, true)}}\n`;
    timeMs = binding.timeMs ?? kafkaMs;
  } else {
    const value = input.value === null ? 'null' : `"${input.value.toString('base64')}"`;
    line =
      `{"tidemark_raw":true,"error":{"code":"EVENT_DECODE_FAILED","reason":${JSON.stringify(binding.reason)}},` +
      `"value_base64":${value},"tidemark_kafka":${kafkaMember(input, kafkaMs, headers, false)}}\n`;
    timeMs = kafkaMs;
  }
  return {
    offset: input.offset,
    line: Buffer.from(line, 'utf8'),
    hourMs: isDateMs(timeMs) ? Math.floor(timeMs / HOUR_MS) * HOUR_MS : 0,
    raw: !binding.ok,
  };
}

/** A header decoded once: its text values, or undefined where a value is not UTF-8. */
interface Header {
  name: string;
  texts: (string | undefined)[];
  list: boolean;
  values: (Buffer | string)[];
}

function readHeaders(raw: ArchiveInput['headers']): Header[] {
  const headers: Header[] = [];
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers.push({ name, texts: values.map(headerText), list: Array.isArray(value), values });
  }
  return headers;
}

function isCloudEventHeader(name: string): boolean {
  return name === 'content-type' || name.startsWith('ce_');
}

function readBinding(input: ArchiveInput, headers: readonly Header[]): Binding {
  const attributes: Attribute[] = [];
  let contentType: string | undefined;
  let specversion: string | undefined;
  let time: string | undefined;
  const required = new Set(['id', 'source', 'type']);
  for (const header of headers) {
    const name = header.name;
    if (!isCloudEventHeader(name)) continue;
    if (header.texts.length !== 1) return { ok: false, reason: `header ${name} repeated` };
    const text = header.texts[0];
    if (text === undefined) return { ok: false, reason: `header ${name} is not UTF-8` };
    if (name === 'content-type') {
      contentType = text;
      continue;
    }
    const attribute = name.slice(3);
    if (!attributeName.test(attribute) || attribute === 'data' || attribute === 'datacontenttype')
      return { ok: false, reason: `header ${name} is not a CloudEvents attribute` };
    if (attribute === 'specversion') specversion = text;
    else if (attribute === 'time') time = text;
    if (text !== '') required.delete(attribute);
    attributes.push([attribute, text, attributeRank.get(attribute) ?? attributeOrder.length]);
  }
  if (contentType?.toLowerCase().startsWith('application/cloudevents') === true)
    return { ok: false, reason: 'structured content mode' };
  if (specversion !== '1.0') return { ok: false, reason: 'ce_specversion is not 1.0' };
  for (const missing of ['id', 'source', 'type'])
    if (required.has(missing)) return { ok: false, reason: `ce_${missing} missing` };
  const timeMs = time === undefined ? undefined : Date.parse(time);
  if (timeMs !== undefined && Number.isNaN(timeMs))
    return { ok: false, reason: 'ce_time is not a timestamp' };
  if (input.value === null) return { ok: false, reason: 'no value (tombstone)' };
  let dataJson: string;
  if (contentType === undefined || isJsonContentType(contentType)) {
    const json = compactJson(input.value);
    if (json === undefined) return { ok: false, reason: 'value is not JSON' };
    dataJson = `"data":${json}`;
  } else {
    dataJson = `"data_base64":"${input.value.toString('base64')}"`;
  }
  if (contentType !== undefined)
    attributes.push(['datacontenttype', contentType, attributeRank.get('datacontenttype') ?? 0]);
  attributes.sort(compareAttributes);
  return { ok: true, attributes, timeMs, dataJson };
}

function compareAttributes([a, , rankA]: Attribute, [b, , rankB]: Attribute): number {
  return rankA !== rankB ? rankA - rankB : a < b ? -1 : a > b ? 1 : 0;
}

function isJsonContentType(contentType: string): boolean {
  const media = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json') || media === 'text/json';
}

/**
 * The value as one line of JSON text, or undefined when it is not UTF-8 JSON. Valid JSON
 * without line breaks is kept byte for byte (the common case, no re-serialisation); JSON with
 * line breaks (pretty-printed whitespace) is re-serialised compactly.
 */
function compactJson(value: Buffer): string | undefined {
  if (!isUtf8(value)) return undefined;
  const text = value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value.includes(10) || value.includes(13)) return JSON.stringify(parsed);
  return text.trim();
}

function headerText(value: Buffer | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return isUtf8(value) ? value.toString('utf8') : undefined;
}

/**
 * `{"topic","partition","offset","timestamp","key","headers"}`; the offset as an exact JSON
 * number. For events, `headers` leaves out the CloudEvents headers (they are the attributes);
 * headers that are not UTF-8 go to `headers_base64`.
 */
function kafkaMember(
  input: ArchiveInput,
  kafkaMs: number,
  all: readonly Header[],
  skipCloudEvents: boolean,
): string {
  const headers: Record<string, string | string[]> = {};
  const headersBase64: Record<string, string | string[]> = {};
  let binary = false;
  for (const header of all) {
    if (skipCloudEvents && isCloudEventHeader(header.name)) continue;
    const texts = header.texts;
    if (texts.every((text): text is string => text !== undefined)) {
      headers[header.name] = header.list ? texts : (texts[0] ?? '');
    } else {
      binary = true;
      const encoded = header.values.map((value) => Buffer.from(value).toString('base64'));
      headersBase64[header.name] = header.list ? encoded : (encoded[0] ?? '');
    }
  }
  const key =
    input.key === null
      ? '"key":null'
      : isUtf8(input.key)
        ? `"key":${JSON.stringify(input.key.toString('utf8'))}`
        : `"key_base64":"${input.key.toString('base64')}"`;
  const timestamp = isDateMs(kafkaMs) ? `"${new Date(kafkaMs).toISOString()}"` : 'null';
  const base64 = binary ? `,"headers_base64":${JSON.stringify(headersBase64)}` : '';
  return (
    `{"topic":${JSON.stringify(input.topic)},"partition":${input.partition},"offset":${input.offset},` +
    `"timestamp":${timestamp},${key},"headers":${JSON.stringify(headers)}${base64}}`
  );
}
