import { describe, expect, it } from 'vitest';
import { type TidemarkError, isTidemarkError } from '@tidemark/errors';
import {
  type ChangeEventOptions,
  type TidemarkEvent,
  buildChangeEvent,
  fromStructuredJson,
  toStructuredJson,
} from './event.js';
import { eventIdFor } from './event-id.js';
import { sampleChange, sampleTraceparent } from './test-fixtures.js';

function thrownBy(fn: () => unknown): TidemarkError {
  try {
    fn();
  } catch (error: unknown) {
    if (isTidemarkError(error)) return error;
    throw error;
  }
  throw new Error('expected a TidemarkError');
}

describe('buildChangeEvent', () => {
  it('derives every attribute from the change', () => {
    const change = sampleChange();
    const event = buildChangeEvent(change, { correlationId: 'corr-1' });
    expect(event).toStrictEqual({
      specversion: '1.0',
      id: eventIdFor(change),
      source: '/tidemark/zeyos/acme/contacts',
      type: 'com.tidemark.zeyos.contacts.updated.v1',
      subject: 'c-42',
      time: '2024-05-01T12:34:56.123456+02:00',
      datacontenttype: 'application/json',
      partitionkey: 'c-42',
      correlationid: 'corr-1',
      sequence: '1017',
      data: change,
    });
  });

  it('adds the optional context attributes', () => {
    const event = buildChangeEvent(sampleChange(), {
      correlationId: 'corr-1',
      causationId: 'evt-0',
      traceparent: sampleTraceparent,
      tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
      dataschema: 'https://schemas.tidemark.dev/change/v1.json',
    });
    expect(event).toMatchObject({
      causationid: 'evt-0',
      traceparent: sampleTraceparent,
      tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
      dataschema: 'https://schemas.tidemark.dev/change/v1.json',
    });
  });

  it('leaves absent optional attributes out instead of undefined', () => {
    const { sequence: _sequence, ...change } = sampleChange();
    const event = buildChangeEvent(change, { correlationId: 'c', causationId: undefined });
    expect(Object.keys(event)).not.toContain('sequence');
    expect(Object.keys(event)).not.toContain('causationid');
  });

  it('gives a replay the same event', () => {
    const a = buildChangeEvent(sampleChange(), { correlationId: 'first poll' });
    const b = buildChangeEvent(sampleChange(), { correlationId: 'replay' });
    expect(b.id).toBe(a.id);
  });

  it.each<[string, unknown, string]>([
    ['an invalid change', { ...sampleChange(), op: 'upsert' }, 'data.op'],
    ['a delete with a record', sampleChange({ op: 'delete' }), 'data.after'],
    ['an unknown field', { ...sampleChange(), surprise: true }, 'data'],
  ])('rejects %s with EVENT_INVALID', (_, change, attribute) => {
    // @ts-expect-error -- deliberately wrong input, as untyped callers could pass
    const error = thrownBy(() => buildChangeEvent(change, { correlationId: 'c' }));
    expect(error.code).toBe('EVENT_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.details.attribute).toBe(attribute);
  });

  it.each<[string, ChangeEventOptions, string]>([
    ['an empty correlation id', { correlationId: '' }, 'correlationid'],
    [
      'an all-zero trace id',
      { correlationId: 'c', traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` },
      'traceparent',
    ],
    [
      'an all-zero parent id',
      {
        correlationId: 'c',
        traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`,
      },
      'traceparent',
    ],
    [
      'an uppercase traceparent',
      { correlationId: 'c', traceparent: sampleTraceparent.toUpperCase() },
      'traceparent',
    ],
    [
      'traceparent version 01',
      { correlationId: 'c', traceparent: `01${sampleTraceparent.slice(2)}` },
      'traceparent',
    ],
    ['a short traceparent', { correlationId: 'c', traceparent: '00-abc-def-01' }, 'traceparent'],
    ['tracestate without traceparent', { correlationId: 'c', tracestate: 'a=b' }, 'tracestate'],
    [
      'a tracestate with a newline',
      { correlationId: 'c', traceparent: sampleTraceparent, tracestate: 'a=b\n' },
      'tracestate',
    ],
    ['a relative dataschema', { correlationId: 'c', dataschema: 'change.json' }, 'dataschema'],
  ])('rejects %s with EVENT_INVALID', (_, options, attribute) => {
    const error = thrownBy(() => buildChangeEvent(sampleChange(), options));
    expect(error.code).toBe('EVENT_INVALID');
    expect(error.details.attribute).toBe(attribute);
  });

  it('does not copy record contents into the error', () => {
    const secret = 'IBAN DE89370400440532013000';
    const error = thrownBy(() =>
      buildChangeEvent(sampleChange({ op: 'delete', after: { iban: secret } }), {
        correlationId: 'c',
      }),
    );
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
  });
});

describe('structured JSON', () => {
  const event = buildChangeEvent(sampleChange(), {
    correlationId: 'corr-1',
    traceparent: sampleTraceparent,
  });

  it('puts the attributes first, in a fixed order, and data last', () => {
    expect(Object.keys(toStructuredJson(event))).toStrictEqual([
      'specversion',
      'id',
      'source',
      'type',
      'subject',
      'time',
      'datacontenttype',
      'partitionkey',
      'correlationid',
      'traceparent',
      'sequence',
      'data',
    ]);
  });

  it('reads back what it wrote, through a JSON line', () => {
    const line = JSON.stringify(toStructuredJson(event));
    expect(line).not.toContain('\n');
    const result = fromStructuredJson(JSON.parse(line));
    expect(result).toStrictEqual({ ok: true, event });
  });

  it.each<[string, (e: TidemarkEvent) => unknown, string]>([
    ['a wrong type', (e) => ({ ...e, type: 'com.tidemark.zeyos.contacts.deleted.v1' }), 'type'],
    ['a wrong source', (e) => ({ ...e, source: '/tidemark/zeyos/other/contacts' }), 'source'],
    ['a subject of another record', (e) => ({ ...e, subject: 'c-1' }), 'subject'],
    ['a partition key of another record', (e) => ({ ...e, partitionkey: 'c-1' }), 'partitionkey'],
    ['a time other than changedAt', (e) => ({ ...e, time: '2024-05-01T10:34:56.123456Z' }), 'time'],
    ['a sequence other than the data', (e) => ({ ...e, sequence: '1' }), 'sequence'],
    ['a missing sequence', ({ sequence: _s, ...e }) => e, 'sequence'],
    ['an id off the recipe', (e) => ({ ...e, id: '00000000-0000-5000-8000-000000000000' }), 'id'],
    ['an uppercase id', (e) => ({ ...e, id: e.id.toUpperCase() }), 'id'],
    ['specversion 0.3', (e) => ({ ...e, specversion: '0.3' }), 'specversion'],
    ['another content type', (e) => ({ ...e, datacontenttype: 'text/plain' }), 'datacontenttype'],
    ['no correlation id', ({ correlationid: _c, ...e }) => e, 'correlationid'],
    ['invalid data', (e) => ({ ...e, data: { ...e.data, system: 'sap' } }), 'data.system'],
  ])('rejects %s with EVENT_INVALID', (_, mutate, attribute) => {
    const result = fromStructuredJson(mutate(event));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('EVENT_INVALID');
    expect(result.error.details.attribute).toBe(attribute);
  });

  it.each([null, 'text', 42, []])('rejects %j', (value) => {
    const result = fromStructuredJson(value);
    expect(result.ok || result.error.code).toBe('EVENT_INVALID');
  });

  it('ignores unknown extension attributes', () => {
    const result = fromStructuredJson({ ...event, someextension: 'x' });
    expect(result).toStrictEqual({ ok: true, event });
  });
});
