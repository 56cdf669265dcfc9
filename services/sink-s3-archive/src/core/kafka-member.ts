import { type ByteWriter, ascii, textKind } from './byte-writer.js';
import { headerName } from './header-names.js';
import { isDateMs, type ArchiveInput } from './input.js';

const TIMESTAMP = ascii(',"timestamp":');
const KEY = ascii(',"key":');
const KEY_NULL = ascii(',"key":null');
const KEY_BASE64 = ascii(',"key_base64":"');
const HEADERS = ascii(',"headers":{');
const HEADERS_BASE64 = ascii(',"headers_base64":{');
const NULL = ascii('null');
type HeaderValue = Buffer | string | (Buffer | string)[];

const bytesOf = (value: Buffer | string): Uint8Array =>
  typeof value === 'string' ? Buffer.from(value, 'utf8') : value;

/**
 * Writes `{"topic","partition","offset","timestamp","key","headers"}`, the offset as an exact
 * JSON number. For events, `headers` leaves out the CloudEvents headers (they are the
 * attributes); headers that are not UTF-8 go to `headers_base64`. Members appear in the order
 * of the record's headers object, as JSON.stringify of a copy of it would write them.
 */
export class KafkaMemberWriter {
  /** `{"topic":…,"partition":…,"offset":` of the last topic-partition: batches repeat it. */
  #prefix = { topic: '', partition: -1, bytes: new Uint8Array(0) };
  /** The last Kafka timestamp as JSON: records of one producer batch share it. */
  #timestamp = { text: '', json: NULL };

  constructor(private readonly out: ByteWriter) {}

  write(input: ArchiveInput, kafkaMs: number, skipCloudEvents: boolean): void {
    const out = this.out;
    out.raw(this.#prefixOf(input.topic, input.partition));
    out.ascii(input.offset);
    out.raw(TIMESTAMP);
    out.raw(this.#timestampOf(input.timestamp, kafkaMs));
    const key = input.key;
    const keyKind = key === null ? 0 : textKind(key);
    if (key === null) {
      out.raw(KEY_NULL);
    } else if (keyKind < 0) {
      out.raw(KEY_BASE64);
      out.latin1(key.toString('base64'));
      out.byte(0x22);
    } else {
      out.raw(KEY);
      out.jsonString(key, keyKind === 0 ? 0 : 1);
    }
    out.raw(HEADERS);
    let binary: string[] | undefined;
    let first = true;
    for (const name in input.headers) {
      const value = input.headers[name];
      if (value === undefined) continue;
      // The CloudEvents headers are most of them: skipped before any look-up.
      if (skipCloudEvents && (name === 'content-type' || name.startsWith('ce_'))) continue;
      const info = headerName(name);
      if (!isText(value)) {
        (binary ??= []).push(name);
        continue;
      }
      if (!first) out.byte(0x2c);
      first = false;
      out.raw(info.headerKey);
      this.#textValue(value);
    }
    out.byte(0x7d);
    if (binary !== undefined) {
      out.raw(HEADERS_BASE64);
      binary.forEach((name, index) => {
        if (index > 0) out.byte(0x2c);
        out.raw(headerName(name).headerKey);
        this.#base64Value(input.headers[name] ?? []);
      });
      out.byte(0x7d);
    }
    out.byte(0x7d);
  }

  #textValue(value: HeaderValue): void {
    const out = this.out;
    if (!Array.isArray(value)) {
      const bytes = bytesOf(value);
      out.jsonString(bytes, textKind(bytes) === 0 ? 0 : 1);
      return;
    }
    out.byte(0x5b);
    value.forEach((item, index) => {
      if (index > 0) out.byte(0x2c);
      const bytes = bytesOf(item);
      out.jsonString(bytes, textKind(bytes) === 0 ? 0 : 1);
    });
    out.byte(0x5d);
  }

  #base64Value(value: HeaderValue): void {
    const out = this.out;
    const one = (item: Buffer | string) => {
      out.byte(0x22);
      out.latin1(Buffer.from(bytesOf(item)).toString('base64'));
      out.byte(0x22);
    };
    if (!Array.isArray(value)) return one(value);
    out.byte(0x5b);
    value.forEach((item, index) => {
      if (index > 0) out.byte(0x2c);
      one(item);
    });
    out.byte(0x5d);
  }

  #prefixOf(topic: string, partition: number): Uint8Array {
    const last = this.#prefix;
    if (last.topic !== topic || last.partition !== partition) {
      const text = `{"topic":${JSON.stringify(topic)},"partition":${partition},"offset":`;
      this.#prefix = { topic, partition, bytes: Buffer.from(text, 'utf8') };
    }
    return this.#prefix.bytes;
  }

  #timestampOf(text: string, kafkaMs: number): Uint8Array {
    if (this.#timestamp.text !== text) {
      const json = isDateMs(kafkaMs) ? ascii(`"${new Date(kafkaMs).toISOString()}"`) : NULL;
      this.#timestamp = { text, json };
    }
    return this.#timestamp.json;
  }
}

/** Every value of the header is UTF-8 text. */
function isText(value: HeaderValue): boolean {
  if (!Array.isArray(value)) return typeof value === 'string' || textKind(value) >= 0;
  return value.every((item) => typeof item === 'string' || textKind(item) >= 0);
}
