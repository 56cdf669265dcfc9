import { context, trace, type Context } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTracing, type TestTracing } from './test-tracing.js';
import {
  extractFromHttpHeaders,
  extractFromKafkaHeaders,
  injectHttpHeaders,
  injectKafkaHeaders,
  type KafkaHeaders,
} from './trace-context.js';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;

let tracing: TestTracing;
beforeAll(() => {
  tracing = createTestTracing();
});
afterAll(async () => {
  await tracing.shutdown();
});

function inSpan<T>(fn: (ctx: Context, ids: { traceId: string; spanId: string }) => T): T {
  return tracing.tracer.startActiveSpan('test', (span) => {
    try {
      const { traceId, spanId } = span.spanContext();
      return fn(context.active(), { traceId, spanId });
    } finally {
      span.end();
    }
  });
}

function remoteIds(ctx: Context): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext === undefined
    ? undefined
    : { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

describe('HTTP headers carrier', () => {
  it('round-trips trace id and span id', () => {
    inSpan((ctx, ids) => {
      const headers = injectHttpHeaders({});
      expect(headers['traceparent']).toMatch(TRACEPARENT);
      const extracted = extractFromHttpHeaders(headers);
      expect(remoteIds(extracted)).toEqual(ids);
      expect(trace.getSpanContext(extracted)?.isRemote).toBe(true);
      expect(remoteIds(ctx)).toEqual(ids);
    });
  });

  it('carries tracestate and reads header names case-insensitively', () => {
    const incoming = {
      Traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      TraceState: 'vendor=abc',
    };
    const ctx = extractFromHttpHeaders(incoming);
    expect(remoteIds(ctx)).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
    });
    const out = injectHttpHeaders({ TRACEPARENT: 'stale' }, ctx);
    expect(out).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'vendor=abc',
    });
  });

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['all-zero trace id', '00-00000000000000000000000000000000-b7ad6b7169203331-01'],
    ['all-zero span id', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'],
    ['version ff', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
    ['short trace id', '00-0af7651916cd43dd-b7ad6b7169203331-01'],
  ])('ignores an invalid traceparent (%s)', (_name, traceparent) => {
    expect(trace.getSpanContext(extractFromHttpHeaders({ traceparent }))).toBeUndefined();
  });

  it('removes stale trace headers when the context has no span', () => {
    const headers = injectHttpHeaders({ traceparent: 'old', tracestate: 'old', accept: '*/*' });
    expect(headers).toEqual({ accept: '*/*' });
  });
});

describe('Kafka headers carrier', () => {
  it('round-trips trace id and span id, writing strings', () => {
    inSpan((_ctx, ids) => {
      const headers: KafkaHeaders = { ce_id: 'x' };
      injectKafkaHeaders(headers);
      expect(typeof headers['traceparent']).toBe('string');
      expect(remoteIds(extractFromKafkaHeaders(headers))).toEqual(ids);
    });
  });

  it('reads Buffer values as a consumer receives them', () => {
    const headers: KafkaHeaders = {
      traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
      tracestate: Buffer.from('vendor=abc'),
    };
    const ctx = extractFromKafkaHeaders(headers);
    expect(remoteIds(ctx)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(trace.getSpanContext(ctx)?.traceState?.get('vendor')).toBe('abc');
  });

  it('takes the first of repeated traceparent values', () => {
    const headers: KafkaHeaders = {
      traceparent: [
        Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
        '00-11111111111111111111111111111111-2222222222222222-01',
      ],
    };
    expect(remoteIds(extractFromKafkaHeaders(headers))?.spanId).toBe('b7ad6b7169203331');
  });

  it('ignores an invalid traceparent', () => {
    const headers: KafkaHeaders = { traceparent: Buffer.from('00-zz-yy-01'), other: undefined };
    expect(trace.getSpanContext(extractFromKafkaHeaders(headers))).toBeUndefined();
  });

  it('lets a child span continue the extracted trace', () => {
    const [traceId, parentId] = ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'];
    const parent = extractFromKafkaHeaders({ traceparent: `00-${traceId}-${parentId}-01` });
    const child = tracing.tracer.startSpan('consume', {}, parent);
    child.end();
    expect(child.spanContext().traceId).toBe(traceId);
    const finished = tracing.finishedSpans().find((span) => span.name === 'consume');
    expect(finished?.parentSpanContext?.spanId).toBe(parentId);
  });
});
