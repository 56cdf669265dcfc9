import { describe, expect, it } from 'vitest';
import type { ArchiveInput } from './input.js';
import { RecordEncoder, encodeRecord } from './record.js';
import { encodeRecordReference } from './record-reference.js';
import { eventInput } from './test-fixtures.js';

/** Deterministic pseudo-random choices, so a failure reproduces. */
function chooser(seed: number) {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor(state / 65_536) % n; // the high bits: an LCG's low bits cycle fast
  };
  const pick = <T>(items: readonly T[]): T => items[next(items.length)] as T;
  return { next, pick };
}

const texts = [
  '',
  'plain',
  'Zoë Müller',
  'quote " and backslash \\',
  'tab\tnew\nline\r\u0001\u001f\u007f',
  '日本語 😀',
  '\u2028\u2029',
];
const binary = [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80])];
const values = [
  '{"a":1}',
  '  {"a":[1,2,{"b":"Zoë"}]}\t ',
  '{\n  "pretty": true,\r\n  "n": [1, 2]\n}',
  '"just a string"',
  '42',
  'null',
  '{not json',
  '{"a":1,}',
  '',
  ' ',
  '{"a":"\\u00fc\\n"}',
];
const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/Vnd.Tidemark+JSON',
  'text/json',
  'application/octet-stream',
  'text/plain',
  'application/cloudevents+json',
];
const times = ['2024-05-01T12:34:56Z', '2024-05-01T23:59:59.999+02:00', 'not a time', ''];
const timestamps = ['1714563296000', '0', '-1', 'NaN', '99999999999999999999', '1714563296123'];

/** Building a valid event is slow (schema checks): a few, varied from there. */
const bases = Array.from({ length: 16 }, (_, i) => eventInput(i * 61));

function randomInput(seed: number): ArchiveInput {
  const c = chooser(seed);
  const base = c.pick(bases);
  const headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> = {
    ...base.headers,
  };
  const text = () => (c.next(5) === 0 ? c.pick(texts) : Buffer.from(c.pick(texts)));
  for (let edits = c.next(6); edits > 0; edits--) {
    switch (c.next(12)) {
      case 0:
        delete headers[c.pick(['ce_id', 'ce_source', 'ce_type', 'ce_specversion', 'ce_time'])];
        break;
      case 1:
        headers[c.pick(['ce_id', 'ce_subject', 'ce_myext', 'ce_zz', 'ce_a1'])] = text();
        break;
      case 2:
        headers['content-type'] = Buffer.from(c.pick(contentTypes));
        break;
      case 3:
        headers['ce_time'] = Buffer.from(c.pick(times));
        break;
      case 4:
        headers[c.pick(['x-note', 'traceparent', '1', 'a"b', 'Zoë'])] = text();
        break;
      case 5:
        headers[c.pick(['x-bin', 'ce_subject', 'content-type'])] = c.pick(binary);
        break;
      case 6:
        headers[c.pick(['x-list', 'ce_id'])] = [text(), text()];
        break;
      case 7:
        headers[c.pick(['x-list', 'ce_type'])] = [c.pick(binary), text()];
        break;
      case 8:
        headers[c.pick(['ce_Bad', 'ce_data', 'ce_datacontenttype', 'ce_', 'x-undefined'])] =
          c.next(3) === 0 ? undefined : text();
        break;
      case 9:
        headers['ce_specversion'] = Buffer.from(c.pick(['1.0', '0.3', '']));
        break;
      case 10:
        headers[c.pick(['x-empty-list', 'ce_subject'])] = [];
        break;
      default:
        headers[`x-${c.next(50)}`] = text();
    }
  }
  const value = c.next(8);
  return {
    ...base,
    topic: c.pick(['tidemark.zeyos.contacts', 'odd"topic']),
    partition: c.next(4),
    timestamp: c.pick(timestamps),
    key: c.pick([
      null,
      base.key,
      Buffer.from('Zoë'),
      Buffer.from('"\\\n'),
      Buffer.from([0xff]),
      Buffer.alloc(0),
    ]),
    value:
      value === 0
        ? null
        : value === 1
          ? c.pick(binary)
          : value < 5
            ? Buffer.from(c.pick(values))
            : base.value,
    headers,
  };
}

describe('encodeRecord against the JSON.stringify reference', () => {
  it('writes the same bytes, hour and kind for thousands of varied records', () => {
    const encoder = new RecordEncoder();
    let raw = 0;
    for (let seed = 1; seed <= 5_000; seed++) {
      const input = randomInput(seed);
      const expected = encodeRecordReference(input);
      // Through a long-lived encoder (its caches carry over from record to record) and alone.
      for (const actual of [encoder.encode(input), encodeRecord(input)]) {
        if (!actual.line.equals(expected.line)) {
          expect({ seed, line: actual.line.toString() }).toEqual({
            seed,
            line: expected.line.toString(),
          });
        }
        expect({ seed, hourMs: actual.hourMs, raw: actual.raw }).toEqual({
          seed,
          hourMs: expected.hourMs,
          raw: expected.raw,
        });
      }
      if (expected.raw) raw += 1;
    }
    // The generator covers both kinds in earnest.
    expect(raw).toBeGreaterThan(500);
    expect(raw).toBeLessThan(4_500);
  }, 30_000);

  it('archives a Kafka timestamp beyond the Date range with timestamp null instead of throwing', () => {
    const base = eventInput(1);
    const { ce_time: _time, ...headers } = base.headers;
    const input = { ...base, timestamp: '99999999999999999999', headers };
    const encoded = encodeRecord(input);
    expect(encoded.hourMs).toBe(0);
    expect(JSON.parse(encoded.line.toString())).toMatchObject({
      tidemark_kafka: { timestamp: null },
    });
  });
});
