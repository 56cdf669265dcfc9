import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TidemarkError } from '@tidemark/errors';
import { extractFromKafkaHeaders } from './trace-context.js';
import { withSpan } from './spans.js';
import { createTestTracing, type TestTracing } from './test-tracing.js';

let tracing: TestTracing;
beforeAll(() => {
  tracing = createTestTracing();
});
afterAll(async () => {
  await tracing.shutdown();
});

describe('withSpan', () => {
  it('ends the span and returns the result', async () => {
    tracing.reset();
    const result = await withSpan(
      tracing.tracer,
      'GET',
      { kind: 'client', attributes: { 'url.path': '/x' } },
      () => 7,
    );
    expect(result).toBe(7);
    const [span] = tracing.finishedSpans();
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes['url.path']).toBe('/x');
  });

  it('records a thrown error and rethrows it', async () => {
    tracing.reset();
    const failure = new TidemarkError('HTTP_NOT_FOUND', 'gone');
    await expect(withSpan(tracing.tracer, 'op', {}, () => Promise.reject(failure))).rejects.toBe(
      failure,
    );
    const [span] = tracing.finishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['error.type']).toBe('HTTP_NOT_FOUND');
  });

  it('uses an explicit parent context', async () => {
    tracing.reset();
    const parent = extractFromKafkaHeaders({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    await withSpan(tracing.tracer, 'consume', { kind: 'consumer', parent }, () => undefined);
    const [span] = tracing.finishedSpans();
    expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });
});
