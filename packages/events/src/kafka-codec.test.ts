import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '@tidemark/errors';
import { buildChangeEvent, toStructuredJson } from './event.js';
import { type IncomingKafkaMessage, decodeEvent, encodeEvent } from './kafka-codec.js';
import { MAX_HEADER_COUNT, MAX_HEADER_VALUE_BYTES } from './kafka-headers.js';
import { sampleChange, sampleTraceparent } from './test-fixtures.js';

const event = buildChangeEvent(sampleChange(), {
  correlationId: 'corr-1',
  causationId: 'evt-0',
  traceparent: sampleTraceparent,
  tracestate: 'congo=t61rcWkgMzE',
});
const encoded = encodeEvent(event);

/** The message as kafkajs hands it to a consumer: key, value and header values as Buffers. */
function asConsumed(message = encoded): Required<IncomingKafkaMessage> & {
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
} {
  return {
    key: Buffer.from(message.key),
    value: message.value,
    headers: Object.fromEntries(
      Object.entries(message.headers).map(([name, value]) => [name, Buffer.from(value)]),
    ),
  };
}

function withHeaders(
  change: (headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>) => void,
): IncomingKafkaMessage {
  const message = asConsumed();
  change(message.headers);
  return message;
}

describe('encodeEvent', () => {
  it('maps attributes to ce_ headers, datacontenttype to content-type, data to the value', () => {
    expect(encoded.key).toBe('c-42');
    expect(encoded.headers).toStrictEqual({
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_source: '/tidemark/zeyos/acme/contacts',
      ce_type: 'com.tidemark.zeyos.contacts.updated.v1',
      ce_subject: 'c-42',
      ce_time: '2024-05-01T12:34:56.123456+02:00',
      ce_partitionkey: 'c-42',
      ce_correlationid: 'corr-1',
      ce_causationid: 'evt-0',
      ce_traceparent: sampleTraceparent,
      ce_tracestate: 'congo=t61rcWkgMzE',
      ce_sequence: '1017',
    });
    expect(JSON.parse(encoded.value.toString('utf8'))).toStrictEqual(event.data);
  });

  it('keeps every header name a valid CloudEvents attribute name (a-z0-9, at most 20)', () => {
    for (const name of Object.keys(encoded.headers)) {
      if (name === 'content-type') continue;
      expect(name).toMatch(/^ce_[a-z0-9]{1,20}$/);
    }
  });

  it('rejects an invalid event with EVENT_INVALID', () => {
    expect(() => encodeEvent({ ...event, subject: 'other' })).toThrow(
      expect.objectContaining({ code: 'EVENT_INVALID' }),
    );
  });
});

describe('decodeEvent', () => {
  it('decodes what kafkajs delivers', () => {
    expect(decodeEvent(asConsumed())).toStrictEqual({ ok: true, event });
  });

  it('decodes string key, value and headers', () => {
    expect(decodeEvent({ ...encoded, value: encoded.value.toString('utf8') })).toStrictEqual({
      ok: true,
      event,
    });
  });

  // Regression: the SDK rewrites ce_time to UTC milliseconds, which lost the source's offset
  // and microseconds and then contradicted data.changedAt.
  it('keeps the time exactly as the source wrote it', () => {
    const result = decodeEvent(asConsumed());
    expect(result.ok && result.event.time).toBe('2024-05-01T12:34:56.123456+02:00');
  });

  it('unwraps a header given as a one-element list', () => {
    const message = withHeaders((h) => {
      h.ce_id = [Buffer.from(event.id)];
    });
    expect(decodeEvent(message)).toStrictEqual({ ok: true, event });
  });

  it('ignores other headers and unknown extensions', () => {
    const message = withHeaders((h) => {
      h['x-trace'] = [Buffer.from('a'), Buffer.from('b')];
      h.ce_someextension = Buffer.from('x');
      h.other = Buffer.from([0xff]);
      h.absent = undefined;
    });
    expect(decodeEvent(message)).toStrictEqual({ ok: true, event });
  });

  const oversized = Buffer.alloc(MAX_HEADER_VALUE_BYTES + 1, 'a');
  const structured = {
    key: encoded.key,
    value: JSON.stringify(toStructuredJson(event)),
    headers: { 'content-type': 'application/cloudevents+json; charset=UTF-8' },
  };

  it.each<[string, IncomingKafkaMessage, ErrorCode, string | undefined]>([
    ['no headers at all', { ...asConsumed(), headers: undefined }, 'EVENT_DECODE_FAILED', 'id'],
    [
      'no ce_id (not a CloudEvent)',
      withHeaders((h) => delete h.ce_id),
      'EVENT_DECODE_FAILED',
      'id',
    ],
    ['an empty ce_id', withHeaders((h) => (h.ce_id = '')), 'EVENT_DECODE_FAILED', 'id'],
    ['a structured-mode message', structured, 'EVENT_DECODE_FAILED', undefined],
    [
      'a CloudEvents batch',
      { ...structured, headers: { 'content-type': 'application/cloudevents-batch+json' } },
      'EVENT_DECODE_FAILED',
      undefined,
    ],
    ['a tombstone (null value)', { ...asConsumed(), value: null }, 'EVENT_DECODE_FAILED', 'data'],
    [
      'a value that is not JSON',
      { ...asConsumed(), value: Buffer.from('{"op":') },
      'EVENT_DECODE_FAILED',
      'data',
    ],
    ['an empty value', { ...asConsumed(), value: Buffer.alloc(0) }, 'EVENT_DECODE_FAILED', 'data'],
    [
      'a value that is not UTF-8',
      { ...asConsumed(), value: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) },
      'EVENT_DECODE_FAILED',
      'data',
    ],
    [
      'a value with a byte order mark',
      { ...asConsumed(), value: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), encoded.value]) },
      'EVENT_DECODE_FAILED',
      'data',
    ],
    [
      'a header that is not UTF-8',
      withHeaders((h) => (h.ce_subject = Buffer.from([0xc0, 0xaf]))),
      'EVENT_DECODE_FAILED',
      undefined,
    ],
    [
      'a key that is not UTF-8',
      { ...asConsumed(), key: Buffer.from([0xff, 0xfe]) },
      'EVENT_DECODE_FAILED',
      'partitionkey',
    ],
    [
      'a repeated ce_ header',
      withHeaders((h) => (h.ce_type = [Buffer.from('a'), Buffer.from('b')])),
      'EVENT_DECODE_FAILED',
      undefined,
    ],
    [
      'an oversized header value',
      withHeaders((h) => (h.ce_tracestate = oversized)),
      'EVENT_DECODE_FAILED',
      undefined,
    ],
    [
      'an oversized unrelated header',
      withHeaders((h) => (h['x-big'] = oversized)),
      'EVENT_DECODE_FAILED',
      undefined,
    ],
    [
      'headers over the total limit',
      withHeaders((h) => {
        for (let i = 0; i < 9; i++) h[`x-${i}`] = Buffer.alloc(MAX_HEADER_VALUE_BYTES, 'a');
      }),
      'EVENT_DECODE_FAILED',
      undefined,
    ],
    [
      'too many headers',
      withHeaders((h) => {
        for (let i = 0; i < MAX_HEADER_COUNT; i++) h[`x-${i}`] = 'a';
      }),
      'EVENT_DECODE_FAILED',
      undefined,
    ],
    [
      'a header value of another type',
      withHeaders((h) => Object.assign(h, { ce_sequence: 17 })),
      'EVENT_DECODE_FAILED',
      undefined,
    ],
    ['no key', { ...asConsumed(), key: null }, 'EVENT_INVALID', 'partitionkey'],
    ['a key of another record', { ...asConsumed(), key: 'c-1' }, 'EVENT_INVALID', 'partitionkey'],
    [
      'a ce_partitionkey that differs from the key',
      withHeaders((h) => (h.ce_partitionkey = 'c-1')),
      'EVENT_INVALID',
      'partitionkey',
    ],
    [
      'no ce_specversion',
      withHeaders((h) => delete h.ce_specversion),
      'EVENT_INVALID',
      'specversion',
    ],
    [
      'ce_specversion 0.3',
      withHeaders((h) => (h.ce_specversion = '0.3')),
      'EVENT_INVALID',
      'specversion',
    ],
    ['no ce_source', withHeaders((h) => delete h.ce_source), 'EVENT_INVALID', 'source'],
    [
      'a ce_source of another instance',
      withHeaders((h) => (h.ce_source = '/tidemark/zeyos/x/contacts')),
      'EVENT_INVALID',
      'source',
    ],
    ['no ce_type', withHeaders((h) => delete h.ce_type), 'EVENT_INVALID', 'type'],
    [
      'a ce_type of another op',
      withHeaders((h) => (h.ce_type = 'com.tidemark.zeyos.contacts.created.v1')),
      'EVENT_INVALID',
      'type',
    ],
    ['no ce_time', withHeaders((h) => delete h.ce_time), 'EVENT_INVALID', 'time'],
    [
      'a ce_time that is not a time',
      withHeaders((h) => (h.ce_time = 'yesterday')),
      'EVENT_INVALID',
      'time',
    ],
    [
      'a ce_time in UTC (same instant, other text)',
      withHeaders((h) => (h.ce_time = '2024-05-01T10:34:56.123456Z')),
      'EVENT_INVALID',
      'time',
    ],
    ['no ce_subject', withHeaders((h) => delete h.ce_subject), 'EVENT_INVALID', 'subject'],
    [
      'no ce_correlationid',
      withHeaders((h) => delete h.ce_correlationid),
      'EVENT_INVALID',
      'correlationid',
    ],
    [
      'a ce_id off the recipe',
      withHeaders((h) => (h.ce_id = '00000000-0000-5000-8000-000000000000')),
      'EVENT_INVALID',
      'id',
    ],
    ['a ce_id that is no UUID', withHeaders((h) => (h.ce_id = 'abc')), 'EVENT_INVALID', 'id'],
    [
      'an all-zero traceparent',
      withHeaders((h) => (h.ce_traceparent = `00-${'0'.repeat(32)}-${'0'.repeat(16)}-00`)),
      'EVENT_INVALID',
      'traceparent',
    ],
    [
      'a malformed traceparent',
      withHeaders((h) => (h.ce_traceparent = 'garbage')),
      'EVENT_INVALID',
      'traceparent',
    ],
    [
      'no content-type',
      withHeaders((h) => delete h['content-type']),
      'EVENT_INVALID',
      'datacontenttype',
    ],
    [
      'content-type text/plain',
      withHeaders((h) => (h['content-type'] = 'text/plain')),
      'EVENT_INVALID',
      'datacontenttype',
    ],
    [
      'a conflicting ce_datacontenttype',
      withHeaders((h) => (h.ce_datacontenttype = 'application/xml')),
      'EVENT_INVALID',
      'datacontenttype',
    ],
    [
      'a ce_sequence other than the data',
      withHeaders((h) => (h.ce_sequence = '1')),
      'EVENT_INVALID',
      'sequence',
    ],
    [
      'a value that is a JSON array',
      { ...asConsumed(), value: Buffer.from('[]') },
      'EVENT_INVALID',
      'data',
    ],
    [
      'a value that is a JSON string',
      { ...asConsumed(), value: Buffer.from('"x"') },
      'EVENT_INVALID',
      'data',
    ],
    [
      'a value that is JSON null',
      { ...asConsumed(), value: Buffer.from('null') },
      'EVENT_INVALID',
      'data',
    ],
    [
      'data with an unknown op',
      { ...asConsumed(), value: Buffer.from(JSON.stringify({ ...event.data, op: 'upsert' })) },
      'EVENT_INVALID',
      'data.op',
    ],
    [
      'data with an unknown field',
      { ...asConsumed(), value: Buffer.from(JSON.stringify({ ...event.data, extra: 1 })) },
      'EVENT_INVALID',
      'data',
    ],
    [
      'data of another record',
      { ...asConsumed(), value: Buffer.from(JSON.stringify({ ...event.data, entityId: 'c-1' })) },
      'EVENT_INVALID',
      undefined,
    ],
    [
      'data nested too deep',
      {
        ...asConsumed(),
        // Deep enough to overflow the stack of a recursive validator; built as text because
        // JSON.stringify itself would overflow.
        value: Buffer.from(
          JSON.stringify({ ...event.data, after: { a: 'deep' } }).replace(
            '"deep"',
            '['.repeat(100_000) + ']'.repeat(100_000),
          ),
        ),
      },
      'EVENT_INVALID',
      'data.after',
    ],
  ])('rejects %s', (_, message, code, attribute) => {
    const result = decodeEvent(message);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.retryable).toBe(false);
    expect(
      typeof result.error.details.reason === 'string' || Array.isArray(result.error.details.issues),
    ).toBe(true);
    if (attribute !== undefined) expect(result.error.details.attribute).toBe(attribute);
  });

  it('does not put the payload into the error', () => {
    const secret = 'IBAN DE89370400440532013000';
    const value = Buffer.from(`{"after": {"iban": "${secret}"`);
    const result = decodeEvent({ ...asConsumed(), value });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(JSON.stringify(result.error.toJSON())).not.toContain(secret);
  });

  it('never throws, whatever it is given', () => {
    const hostile: unknown[] = [
      { value: Buffer.from('['.repeat(500_000)), headers: { ce_id: 'x' } },
      {
        key: 'k',
        value: Buffer.from(JSON.stringify(event.data)),
        headers: { ce_id: 'x', ce_time: '\u0000' },
      },
      { value: 'x', headers: { ce_id: 'x', 'content-type': 'application/json' } },
      { value: '{}', headers: { ce_id: 'x' } },
      { value: '{}', headers: { __proto__: { ce_id: 'x' } } },
      { value: '{}', headers: null },
    ];
    for (const message of hostile) {
      // @ts-expect-error -- deliberately outside the declared input type
      const result = decodeEvent(message);
      expect(result.ok).toBe(false);
    }
  });
});
