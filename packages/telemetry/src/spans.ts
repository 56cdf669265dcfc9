/**
 * Span helpers, so packages that trace (http, kafka, poller) need not import OpenTelemetry.
 */
import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { describeError, isTidemarkError, toError } from '@tidemark/errors';

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

const kinds: Record<SpanKindName, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

export interface WithSpanOptions {
  /** Default `'internal'`. */
  kind?: SpanKindName;
  attributes?: Attributes;
  /** Parent context, e.g. one extracted from Kafka headers. Default: the active context. */
  parent?: Context;
}

/** The tracer named `name` from the globally registered provider (a no-op one until started). */
export function getTracer(name: string, version?: string): Tracer {
  return trace.getTracer(name, version);
}

/**
 * Marks `span` as failed with `error`: status ERROR, `error.type` (the Tidemark code or the
 * error's name) and an exception event. For outcomes that are failures but not thrown.
 */
export function recordSpanError(span: Span, error: unknown): void {
  const normalized = toError(error);
  span.setAttribute('error.type', isTidemarkError(normalized) ? normalized.code : normalized.name);
  span.recordException(normalized);
  span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(normalized) });
}

/**
 * Runs `fn` inside a new active span and ends the span when `fn` settles. A thrown error is
 * recorded on the span (see `recordSpanError`) and rethrown.
 */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  options: WithSpanOptions,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  const spanOptions = { kind: kinds[options.kind ?? 'internal'], attributes: options.attributes };
  return tracer.startActiveSpan(
    name,
    spanOptions,
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (error: unknown) {
        recordSpanError(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
