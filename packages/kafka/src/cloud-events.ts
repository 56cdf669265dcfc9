import { decodeEvent, encodeEvent, type TidemarkEvent } from '@tidemark/events';
import type { TidemarkError } from '@tidemark/errors';
import {
  CORRELATION_ID_HEADER,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  extractFromKafkaHeaders,
  injectKafkaHeaders,
  type Context,
} from '@tidemark/telemetry';
import type { ConsumedMessage, OutgoingMessage } from './messages.js';

/**
 * A Tidemark event as a Kafka message: the CloudEvents Kafka binding in binary mode (ce_*
 * headers, JSON value, key = partitionkey) from @tidemark/events, plus two plain headers
 * that tools without CloudEvents support understand: W3C `traceparent`/`tracestate` of the
 * producing span, and `x-correlation-id`. Without an active span the event's own trace
 * (the trace that first saw the change) goes into `traceparent`.
 */
export function eventToMessage(event: TidemarkEvent, ctx?: Context): OutgoingMessage {
  const encoded = encodeEvent(event);
  const headers: Record<string, string> = {
    ...encoded.headers,
    [CORRELATION_ID_HEADER]: event.correlationid,
  };
  const traced = injectKafkaHeaders({}, ctx);
  const traceparent = traced[TRACEPARENT_HEADER];
  if (typeof traceparent === 'string') {
    headers[TRACEPARENT_HEADER] = traceparent;
    const tracestate = traced[TRACESTATE_HEADER];
    if (typeof tracestate === 'string') headers[TRACESTATE_HEADER] = tracestate;
  } else if (event.traceparent !== undefined) {
    headers[TRACEPARENT_HEADER] = event.traceparent;
    if (event.tracestate !== undefined) headers[TRACESTATE_HEADER] = event.tracestate;
  }
  return { key: encoded.key, value: encoded.value, headers };
}

export type ReceivedEvent =
  | {
      ok: true;
      event: TidemarkEvent;
      /** Parent context for the consumer's span. */ traceContext: Context;
    }
  | { ok: false; error: TidemarkError };

/** Decodes a consumed message into a Tidemark event and the trace context it carries. Never throws. */
export function messageToEvent(message: ConsumedMessage): ReceivedEvent {
  const decoded = decodeEvent({ key: message.key, value: message.value, headers: message.headers });
  if (!decoded.ok) return decoded;
  return { ok: true, event: decoded.event, traceContext: extractFromKafkaHeaders(message.headers) };
}
