/**
 * CloudEvents Kafka protocol binding, binary content mode (spec: cloudevents/bindings/
 * kafka-protocol-binding.md, section 3.2), on top of the official SDK's `Kafka` binding:
 * - each attribute `x` travels as header `ce_x`, UTF-8 text (3.2.3);
 * - `datacontenttype` travels as `content-type` only (3.2.1);
 * - the value is the data as-is, here UTF-8 JSON (3.2.2);
 * - the key is the `partitionkey` attribute, which also stays a header (3.1).
 * A `content-type` starting with `application/cloudevents` means structured mode (section 3),
 * which Tidemark topics never carry: it is rejected, not parsed.
 */
import { CloudEvent, Kafka, type KafkaMessage } from 'cloudevents';
import { TidemarkError } from '@tidemark/errors';
import {
  type DecodeResult,
  type TidemarkEvent,
  TidemarkEventSchema,
  invalidEvent,
  toStructuredJson,
} from './event.js';
import {
  type IncomingHeaders,
  checkHeaderLimits,
  decodeFailed,
  decodeUtf8,
  readCloudEventHeaders,
} from './kafka-headers.js';

/** A message ready for a Kafka producer. */
export interface EncodedKafkaMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** A message as a Kafka consumer (kafkajs) delivers it. */
export interface IncomingKafkaMessage {
  key?: Buffer | string | null | undefined;
  value: Buffer | string | null;
  headers?: IncomingHeaders | undefined;
}

/**
 * Encodes an event for Kafka in binary content mode. The Kafka timestamp is left to the
 * producer: the SDK would set it to the event time (the change time in the source), which would
 * make a backfill of old records fall straight out of time-based retention.
 * @throws TidemarkError `EVENT_INVALID` (not retryable) if the event is invalid.
 */
export function encodeEvent(event: TidemarkEvent): EncodedKafkaMessage {
  const parsed = TidemarkEventSchema.safeParse(event);
  if (!parsed.success) throw invalidEvent('cannot encode an invalid event', parsed.error);
  let binary: ReturnType<typeof Kafka.binary>;
  try {
    binary = Kafka.binary(new CloudEvent(toStructuredJson(parsed.data)));
  } catch (error: unknown) {
    throw new TidemarkError('EVENT_INVALID', 'the cloudevents SDK rejected the event', {
      retryable: false,
      cause: error,
    });
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(binary.headers)) {
    // The SDK emits a header for every attribute slot, undefined ones included, and repeats
    // datacontenttype as ce_datacontenttype although 3.2.1 maps it to content-type alone.
    if (typeof value === 'string' && name !== 'ce_datacontenttype') headers[name] = value;
  }
  const limitError = checkHeaderLimits(headers);
  if (limitError !== undefined) {
    throw new TidemarkError('EVENT_INVALID', 'event headers exceed the limits', {
      retryable: false,
      details: limitError.details,
    });
  }
  return {
    key: parsed.data.partitionkey,
    value: Buffer.from(JSON.stringify(binary.value), 'utf8'),
    headers,
  };
}

/**
 * Decodes a binary-mode Kafka message into a validated event. Never throws.
 *
 * Fails with `EVENT_DECODE_FAILED` when the message cannot be read as a binary-mode CloudEvent:
 * headers over the limits, a repeated CloudEvents header, text that is not UTF-8, a structured-
 * mode message, no `ce_id`, no value (tombstone), or a value that is not JSON.
 * Fails with `EVENT_INVALID` when it reads as a CloudEvent but breaks the Tidemark schema: an
 * attribute missing or malformed, no key, data that is not a valid change, or attributes that
 * contradict the data. Both are not retryable; `details` name the header or attribute and the
 * reason, never the values.
 */
export function decodeEvent(message: IncomingKafkaMessage): DecodeResult {
  try {
    return decode(message);
  } catch (error: unknown) {
    // Every known failure returns above; this is the promise not to throw, kept for the unknown.
    return {
      ok: false,
      error: new TidemarkError('EVENT_DECODE_FAILED', 'cannot decode Kafka message', {
        retryable: false,
        cause: error,
        details: { reason: 'unexpected failure while decoding' },
      }),
    };
  }
}

function failed(error: TidemarkError): DecodeResult {
  return { ok: false, error };
}

function invalid(attribute: string, reason: string): DecodeResult {
  return failed(
    new TidemarkError('EVENT_INVALID', `invalid event: ${attribute} ${reason}`, {
      retryable: false,
      details: { attribute, reason },
    }),
  );
}

function decode(message: IncomingKafkaMessage): DecodeResult {
  const read = readCloudEventHeaders(message.headers);
  if (!read.ok) return read;
  const headers = read.headers;

  const contentType = headers['content-type'];
  if (contentType?.toLowerCase().startsWith('application/cloudevents') === true) {
    return failed(
      decodeFailed('structured content mode is not accepted', { header: 'content-type' }),
    );
  }
  if (headers.ce_id === undefined || headers.ce_id === '') {
    return failed(
      decodeFailed('no ce_id header: not a binary-mode CloudEvent', { attribute: 'id' }),
    );
  }

  if (message.value === null || message.value === undefined) {
    return failed(decodeFailed('message has no value', { attribute: 'data' }));
  }
  const text = typeof message.value === 'string' ? message.value : decodeUtf8(message.value);
  if (text === undefined) return failed(decodeFailed('value is not UTF-8', { attribute: 'data' }));
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // The parser's message quotes the payload; it stays out of the error.
    return failed(decodeFailed('value is not JSON', { attribute: 'data' }));
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return invalid('data', 'is not a JSON object');
  }

  if (message.key === null || message.key === undefined) {
    return invalid('partitionkey', 'is missing: the message has no key');
  }
  const key = typeof message.key === 'string' ? message.key : decodeUtf8(message.key);
  if (key === undefined) {
    return failed(decodeFailed('key is not UTF-8', { attribute: 'partitionkey' }));
  }
  if (headers.ce_partitionkey !== undefined && headers.ce_partitionkey !== key) {
    return invalid('partitionkey', 'header differs from the message key');
  }

  // The SDK defaults a missing specversion to 1.0, a missing time to now, and rewrites time to
  // UTC milliseconds (losing the source's offset and finer digits, and throwing on garbage).
  // Both are therefore read from their headers as sent; the SDK maps the rest.
  const { ce_time: time, ce_specversion: specversion, ...mapped } = headers;
  const kafkaMessage: KafkaMessage<unknown> = { headers: mapped, key, value: data, body: data };
  const sdkEvent = Kafka.toEvent(kafkaMessage);
  if (Array.isArray(sdkEvent)) return failed(decodeFailed('batch messages are not accepted'));

  const candidate: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(sdkEvent)) {
    if (value !== undefined) candidate[name] = value;
  }
  delete candidate.time;
  delete candidate.specversion;
  if (time !== undefined) candidate.time = time;
  if (specversion !== undefined) candidate.specversion = specversion;

  const parsed = TidemarkEventSchema.safeParse(candidate);
  if (!parsed.success) return failed(invalidEvent('invalid event', parsed.error));
  return { ok: true, event: parsed.data };
}
