/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) on the two carriers Tidemark uses:
 * HTTP headers and Kafka record headers. Header names are the spec's lower-case `traceparent`
 * and `tracestate`.
 */
import {
  context,
  isSpanContextValid,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

// A fixed W3C propagator instead of the global one: the wire format of our carriers must not
// depend on OTEL_PROPAGATORS or on whether the SDK was started (CLI, unit tests).
const propagator = new W3CTraceContextPropagator();

/** Incoming HTTP headers as Node or undici hand them over (values may repeat). */
export type IncomingHttpHeaderCarrier = Readonly<
  Record<string, string | readonly string[] | undefined>
>;

/** Kafka record headers in kafkajs' shape (`IHeaders`). */
export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** Reads a header case-insensitively: HTTP names are case-insensitive, and Kafka producers vary. */
function lookup<V>(carrier: Readonly<Record<string, V>>, key: string): V | undefined {
  if (Object.hasOwn(carrier, key)) return carrier[key];
  const wanted = key.toLowerCase();
  const match = Object.keys(carrier).find((name) => name.toLowerCase() === wanted);
  return match === undefined ? undefined : carrier[match];
}

/** Drops every spelling of `key`, so an injected header never sits next to a stale twin. */
function remove(carrier: Record<string, unknown>, key: string): void {
  for (const name of Object.keys(carrier)) {
    if (name.toLowerCase() === key) delete carrier[name];
  }
}

const httpGetter: TextMapGetter<IncomingHttpHeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = lookup(carrier, key);
    return typeof value === 'string' ? value : value?.slice();
  },
};

function decodeKafkaValue(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

const kafkaGetter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = lookup(carrier, key);
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(decodeKafkaValue) : decodeKafkaValue(value);
  },
};

const stringSetter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

function inject<C extends Record<string, unknown>>(carrier: C, ctx: Context): C {
  // Clear first: when `ctx` holds no valid span the propagator writes nothing, and a copied
  // header from an earlier hop must not then claim a parent that is not ours.
  remove(carrier, TRACEPARENT_HEADER);
  remove(carrier, TRACESTATE_HEADER);
  propagator.inject(ctx, carrier, stringSetter);
  return carrier;
}

/**
 * Writes `traceparent` (and `tracestate` when present) for `ctx` into `headers` and returns
 * them. Existing trace headers are replaced, or removed when `ctx` has no valid span.
 * @param ctx defaults to the active context.
 */
export function injectHttpHeaders(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): Record<string, string> {
  return inject(headers, ctx);
}

/**
 * Returns the active context with the remote parent described by `traceparent`/`tracestate`.
 * A missing or malformed `traceparent` is ignored: the active context comes back unchanged.
 */
export function extractFromHttpHeaders(headers: IncomingHttpHeaderCarrier): Context {
  return propagator.extract(context.active(), headers, httpGetter);
}

/**
 * Writes `traceparent` (and `tracestate`) for `ctx` into Kafka record headers as strings and
 * returns them; existing trace headers are replaced, or removed when `ctx` has no valid span.
 * @param ctx defaults to the active context.
 */
export function injectKafkaHeaders(
  headers: KafkaHeaders,
  ctx: Context = context.active(),
): KafkaHeaders {
  return inject(headers, ctx);
}

/**
 * Returns the active context with the remote parent from Kafka record headers (Buffer or
 * string values). A missing or malformed `traceparent` is ignored.
 */
export function extractFromKafkaHeaders(headers: KafkaHeaders): Context {
  return propagator.extract(context.active(), headers, kafkaGetter);
}

/** The trace and span id a context carries (from a span or an extracted remote parent), if any. */
export function traceIdsOf(ctx: Context): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}
