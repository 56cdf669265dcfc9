import { describe, expect, it } from 'vitest';
import { decodeEvent, fromStructuredJson } from '@tidemark/events';
import { encodeRecord } from './record.js';
import { eventInput } from './test-fixtures.js';
import { lineHeaders, lineKey, lineValue, parseLines } from './lines.js';

function parsed(line: Buffer): Record<string, unknown> {
  const text = line.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  expect(text.slice(0, -1)).not.toContain('\n');
  return JSON.parse(text) as Record<string, unknown>;
}

describe('encodeRecord', () => {
  it('writes a CloudEvent in the JSON format that reads back as the same Tidemark event', () => {
    const input = eventInput(7);
    const encoded = encodeRecord(input);
    const line = parsed(encoded.line);
    const original = decodeEvent(input);
    if (!original.ok) throw original.error;
    const back = fromStructuredJson(line);
    expect(back.ok && back.event).toEqual(original.event);
    expect(Object.keys(line).slice(0, 4)).toEqual(['specversion', 'id', 'source', 'type']);
    expect(line['tidemark_kafka']).toMatchObject({
      topic: 'tidemark.zeyos.contacts',
      partition: 2,
      offset: 7,
      timestamp: '2024-05-01T11:00:00.007Z',
      key: '4718',
    });
    expect(encoded.raw).toBe(false);
    // Filed under the event time (12:34+02:00 = 10:34Z), not the Kafka time (11:00Z).
    expect(new Date(encoded.hourMs).toISOString()).toBe('2024-05-01T10:00:00.000Z');
  });

  it('keeps every header, traceparent and correlation id included, and round-trips key and value', () => {
    const input = eventInput(1, {});
    input.headers = {
      ...input.headers,
      traceparent: Buffer.from('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
      'x-bin': Buffer.from([0xff, 0xfe]),
    };
    const { lines } = parseLines(encodeRecord(input).line.toString());
    const line = lines[0];
    if (line === undefined) throw new Error('no line');
    expect(line.tidemark_kafka.headers['ce_correlationid']).toBeUndefined(); // an attribute now
    expect(lineHeaders(line)['ce_correlationid']).toBe('poll-7f3a');
    expect(lineHeaders(line)['content-type']).toBe('application/json');
    expect(line.tidemark_kafka.headers['traceparent']).toMatch(/^00-4bf9/);
    expect(line.tidemark_kafka.headers_base64?.['x-bin']).toBe('//4=');
    expect(lineKey(line)?.toString()).toBe('4712');
    expect(JSON.parse(lineValue(line)?.toString() ?? '')).toEqual(
      JSON.parse(input.value?.toString() ?? ''),
    );
    expect(lineHeaders(line)['ce_id']).toBe(line.id);
  });

  it('is deterministic: same record, same bytes', () => {
    expect(encodeRecord(eventInput(3)).line.equals(encodeRecord(eventInput(3)).line)).toBe(true);
  });

  it('re-serialises pretty-printed JSON onto one line', () => {
    const input = eventInput(4);
    input.value = Buffer.from(JSON.stringify(JSON.parse(input.value?.toString() ?? ''), null, 2));
    const line = parsed(encodeRecord(input).line);
    expect(line['data']).toEqual(JSON.parse(input.value.toString()));
  });

  it.each([
    ['no CloudEvents headers', { headers: {} }, 'ce_specversion is not 1.0'],
    ['a tombstone', { value: null }, 'no value (tombstone)'],
    ['a value that is not JSON', { value: Buffer.from('{nope') }, 'value is not JSON'],
    ['a value that is not UTF-8', { value: Buffer.from([0x7b, 0xff, 0x7d]) }, 'value is not JSON'],
    [
      'structured mode',
      { headers: { 'content-type': 'application/cloudevents+json' } },
      'structured content mode',
    ],
  ])('archives %s as a raw record', (_name, overrides, reason) => {
    const input = { ...eventInput(9), ...overrides };
    const encoded = encodeRecord(input);
    const line = parsed(encoded.line);
    expect(encoded.raw).toBe(true);
    expect(line['tidemark_raw']).toBe(true);
    expect(line['error']).toEqual({ code: 'EVENT_DECODE_FAILED', reason });
    expect(line['value_base64']).toBe(input.value === null ? null : input.value.toString('base64'));
    expect(line['tidemark_kafka']).toMatchObject({ offset: 9, partition: 2 });
    // Raw records are dated by the Kafka timestamp.
    expect(new Date(encoded.hourMs).toISOString()).toBe('2024-05-01T11:00:00.000Z');
  });

  it('puts non-JSON data in data_base64', () => {
    const input = eventInput(5);
    input.headers = { ...input.headers, 'content-type': Buffer.from('application/octet-stream') };
    input.value = Buffer.from([1, 2, 3]);
    const line = parsed(encodeRecord(input).line);
    expect(line['data_base64']).toBe('AQID');
    expect(line['datacontenttype']).toBe('application/octet-stream');
  });
});
