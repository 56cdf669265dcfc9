/**
 * One archive line per Kafka record. Two kinds, told apart by `tidemark_raw`:
 *
 * - an **event**: the record read per the CloudEvents Kafka protocol binding, binary content
 *   mode (section 3.2: `ce_<attr>` headers, `content-type` → `datacontenttype`, the value is the
 *   data), written in the CloudEvents JSON format (attributes, then `data`, or `data_base64`
 *   for non-JSON content types), plus a `tidemark_kafka` member with the record's coordinates;
 * - a **raw record** (`"tidemark_raw": true`) for anything that is not a binary-mode CloudEvent:
 *   the reason, the value as base64, and the same `tidemark_kafka` member. Never dropped.
 *
 * `tidemark_kafka` cannot collide with a CloudEvents attribute: attribute names are [a-z0-9]
 * only (spec 1.0, "Attribute Naming Convention"), so an underscore keeps Tidemark's members apart.
 *
 * The archive checks the binding only, not the Tidemark event schema: it archives whatever is on
 * the topic (full validation costs ~0.3 ms per event, far above the archive's budget), and the
 * consumers that act on events validate them anyway.
 *
 * The line is built as bytes (see ByteWriter): header values, key and value are copied from the
 * Kafka buffers, JSON-escaped byte by byte where needed, never decoded to strings and encoded
 * again; a JSON value is checked on its bytes (json-check.ts) and copied, not parsed. The bytes
 * are the same as building the line with JSON.stringify from the decoded text.
 */
import { isUtf8 } from 'node:buffer';
import { ByteWriter, ascii, textKind } from './byte-writer.js';
import { isJsonText } from './json-check.js';
import { headerName, rankOf } from './header-names.js';
import { isDateMs, type ArchiveInput } from './input.js';
import { KafkaMemberWriter } from './kafka-member.js';

export type { ArchiveInput } from './input.js';

/** A record turned into its archive line. */
export interface EncodedRecord {
  offset: string;
  /** The JSON line including its trailing newline. */
  line: Buffer;
  /** Start of the UTC hour the record is filed under: event time, else the Kafka timestamp. */
  hourMs: number;
  raw: boolean;
}

const HOUR_MS = 3_600_000;
const decimal = /^\d+$/;
const RANK_ID = rankOf('id');
const RANK_SOURCE = rankOf('source');
const RANK_TYPE = rankOf('type');
const RANK_CONTENT_TYPE = rankOf('datacontenttype');
const SPECVERSION_1_0 = ascii('1.0');
const DATACONTENTTYPE = ascii('"datacontenttype":');
const DATA = ascii('"data":');
const DATA_BASE64 = ascii('"data_base64":"');
const KAFKA_MEMBER = ascii(',"tidemark_kafka":');
const LINE_END = ascii('}\n');
const RAW_START = ascii('{"tidemark_raw":true,"error":{"code":"EVENT_DECODE_FAILED","reason":');
const RAW_VALUE = ascii('},"value_base64":');
const NULL = ascii('null');

/** One `ce_<attribute>` header of the record being encoded. */
interface Attribute {
  rank: number;
  /** Extension attributes sort by name after the known ones. */
  name: string;
  key: Uint8Array;
  value: Uint8Array;
  kind: 0 | 1;
}

/** The binding's reading of a record, or why it is not a binary-mode CloudEvent. */
type Binding = { ok: true; timeMs: number | undefined } | { ok: false; reason: string };

const bytesOf = (value: Buffer | string): Uint8Array =>
  typeof value === 'string' ? Buffer.from(value, 'utf8') : value;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isJsonContentType(contentType: string): boolean {
  const media = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json') || media === 'text/json';
}

/**
 * Encodes records one after another into one reused buffer. Pure and deterministic: the same
 * record always gives the same bytes (the caches below only skip repeated work).
 */
export class RecordEncoder {
  readonly #out = new ByteWriter();
  readonly #kafka = new KafkaMemberWriter(this.#out);
  /** The CloudEvents headers of the current record; reused. */
  #attributes: Attribute[] = [];
  #attributeCount = 0;
  #contentType: Uint8Array | undefined;
  /** Last distinct `content-type` and `ce_time` seen: consecutive records mostly repeat them. */
  #lastContentType = { bytes: new Uint8Array(0), text: '', structured: false, json: false };
  #lastTime = { bytes: new Uint8Array(0), ms: Number.NaN };

  /**
   * Encodes one record. The returned `line` is a view into this encoder's buffer, valid until
   * the next call: copy it (or use `encodeRecord`) to keep it.
   */
  encode(input: ArchiveInput): EncodedRecord {
    if (!decimal.test(input.offset)) throw new Error(`offset is not a decimal: ${input.offset}`);
    const kafkaMs = Number(input.timestamp);
    const out = this.#out;
    out.reset();
    const binding = this.#readBinding(input);
    let timeMs = kafkaMs;
    if (binding.ok) {
      out.byte(0x7b);
      this.#writeAttributes();
      this.#writeData(input.value ?? Buffer.alloc(0));
      out.raw(KAFKA_MEMBER);
      this.#kafka.write(input, kafkaMs, true);
      out.raw(LINE_END);
      timeMs = binding.timeMs ?? kafkaMs;
    } else {
      out.raw(RAW_START);
      out.utf8(JSON.stringify(binding.reason));
      out.raw(RAW_VALUE);
      if (input.value === null) {
        out.raw(NULL);
      } else {
        out.byte(0x22);
        out.latin1(input.value.toString('base64'));
        out.byte(0x22);
      }
      out.raw(KAFKA_MEMBER);
      this.#kafka.write(input, kafkaMs, false);
      out.raw(LINE_END);
    }
    return {
      offset: input.offset,
      line: out.view(),
      hourMs: isDateMs(timeMs) ? Math.floor(timeMs / HOUR_MS) * HOUR_MS : 0,
      raw: !binding.ok,
    };
  }

  /** Checks the binding in the order the reasons are reported; collects the attributes. */
  #readBinding(input: ArchiveInput): Binding {
    this.#attributeCount = 0;
    this.#contentType = undefined;
    let specversion: Uint8Array | undefined;
    let time: Uint8Array | undefined;
    let missing = 0b111; // id, source, type not yet seen with a value
    const headers = input.headers;
    for (const name in headers) {
      const raw = headers[name];
      if (raw === undefined) continue;
      if (name !== 'content-type' && !name.startsWith('ce_')) continue;
      const info = headerName(name);
      if (Array.isArray(raw) && raw.length !== 1) return fail(`header ${name} repeated`);
      const single = Array.isArray(raw) ? raw[0] : raw;
      const value = bytesOf(single ?? '');
      const kind = textKind(value);
      if (kind < 0) return fail(`header ${name} is not UTF-8`);
      if (name === 'content-type') {
        this.#contentType = value;
        continue;
      }
      if (info.attribute === undefined || info.attributeKey === undefined)
        return fail(`header ${name} is not a CloudEvents attribute`);
      const rank = info.rank;
      if (rank === 0) specversion = value;
      else if (info.attribute === 'time') time = value;
      else if (value.length > 0 && rank === RANK_ID) missing &= ~0b001;
      else if (value.length > 0 && rank === RANK_SOURCE) missing &= ~0b010;
      else if (value.length > 0 && rank === RANK_TYPE) missing &= ~0b100;
      this.#pushAttribute(rank, info.attribute, info.attributeKey, value, kind === 0 ? 0 : 1);
    }
    const contentType = this.#contentType === undefined ? undefined : this.#readContentType();
    if (contentType?.structured === true) return fail('structured content mode');
    if (specversion === undefined || !sameBytes(specversion, SPECVERSION_1_0))
      return fail('ce_specversion is not 1.0');
    if (missing & 0b001) return fail('ce_id missing');
    if (missing & 0b010) return fail('ce_source missing');
    if (missing & 0b100) return fail('ce_type missing');
    const timeMs = time === undefined ? undefined : this.#timeMs(time);
    if (timeMs !== undefined && Number.isNaN(timeMs)) return fail('ce_time is not a timestamp');
    if (input.value === null) return fail('no value (tombstone)');
    if ((contentType === undefined || contentType.json) && !isJsonValue(input.value))
      return fail('value is not JSON');
    if (this.#contentType !== undefined)
      this.#pushAttribute(
        RANK_CONTENT_TYPE,
        'datacontenttype',
        DATACONTENTTYPE,
        this.#contentType,
        1,
      );
    return { ok: true, timeMs };
  }

  #pushAttribute(rank: number, name: string, key: Uint8Array, value: Uint8Array, kind: 0 | 1) {
    // The objects are reused from record to record: this runs for every header of every record.
    const attribute = this.#attributes[this.#attributeCount];
    if (attribute === undefined) {
      this.#attributes[this.#attributeCount] = { rank, name, key, value, kind };
    } else {
      attribute.rank = rank;
      attribute.name = name;
      attribute.key = key;
      attribute.value = value;
      attribute.kind = kind;
    }
    this.#attributeCount += 1;
  }

  /** Attributes in rank order, extensions by name: insertion sort, the list is short. */
  #writeAttributes(): void {
    const list = this.#attributes;
    const count = this.#attributeCount;
    for (let i = 1; i < count; i++) {
      const current = list[i];
      if (current === undefined) continue;
      let j = i - 1;
      for (; j >= 0; j--) {
        const other = list[j];
        if (other === undefined || !before(current, other)) break;
        list[j + 1] = other;
      }
      list[j + 1] = current;
    }
    const out = this.#out;
    for (let i = 0; i < count; i++) {
      const attribute = list[i];
      if (attribute === undefined) continue;
      out.raw(attribute.key);
      out.jsonString(attribute.value, attribute.kind);
      out.byte(0x2c);
    }
  }

  #writeData(value: Buffer): void {
    const out = this.#out;
    const contentType = this.#contentType === undefined ? undefined : this.#readContentType();
    if (contentType !== undefined && !contentType.json) {
      out.raw(DATA_BASE64);
      out.latin1(value.toString('base64'));
      out.byte(0x22);
      return;
    }
    out.raw(DATA);
    if (hasLineBreak(value)) {
      // Pretty-printed: one line needs re-serialising (checked JSON above, so this parses).
      out.utf8(JSON.stringify(JSON.parse(value.toString('utf8'))));
      return;
    }
    // Valid JSON without line breaks is kept byte for byte, less surrounding spaces and tabs.
    let start = 0;
    let end = value.length;
    while (start < end && (value[start] === 0x20 || value[start] === 0x09)) start++;
    while (end > start && (value[end - 1] === 0x20 || value[end - 1] === 0x09)) end--;
    out.raw(value, start, end);
  }

  #readContentType(): { text: string; structured: boolean; json: boolean } {
    const bytes = this.#contentType ?? new Uint8Array(0);
    const last = this.#lastContentType;
    if (!sameBytes(bytes, last.bytes)) {
      const text = Buffer.from(bytes).toString('utf8');
      this.#lastContentType = {
        bytes: Uint8Array.from(bytes),
        text,
        structured: text.toLowerCase().startsWith('application/cloudevents'),
        json: isJsonContentType(text),
      };
    }
    return this.#lastContentType;
  }

  #timeMs(bytes: Uint8Array): number {
    if (!sameBytes(bytes, this.#lastTime.bytes)) {
      const text = Buffer.from(bytes).toString('utf8');
      this.#lastTime = { bytes: Uint8Array.from(bytes), ms: Date.parse(text) };
    }
    return this.#lastTime.ms;
  }
}

function fail(reason: string): Binding {
  return { ok: false, reason };
}

function before(a: Attribute, b: Attribute): boolean {
  return a.rank !== b.rank ? a.rank < b.rank : a.name < b.name;
}

function hasLineBreak(value: Buffer): boolean {
  return value.includes(0x0a) || value.includes(0x0d);
}

/** UTF-8 JSON text (JSON.parse would accept its decoded text). */
function isJsonValue(value: Buffer): boolean {
  return isUtf8(value) && isJsonText(value);
}

const shared = new RecordEncoder();

/** Encodes one record into a line of its own. Pure and deterministic. */
export function encodeRecord(input: ArchiveInput): EncodedRecord {
  const encoded = shared.encode(input);
  return { ...encoded, line: Buffer.from(encoded.line) };
}
