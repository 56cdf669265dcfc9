import { TidemarkError, isTidemarkError } from '@tidemark/errors';

/**
 * Protocol error types that mean this producer has been replaced by a newer instance
 * with the same transactional id (a zombie). Retrying cannot help: the process must
 * stop producing for that stream.
 */
const fencedTypes = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'INVALID_PRODUCER_ID_MAPPING',
]);

interface KafkaJsLikeError {
  name?: unknown;
  message?: unknown;
  type?: unknown;
  retriable?: unknown;
}

/**
 * Maps whatever kafkajs threw to a TidemarkError. Pure: decides on the error's name,
 * protocol type and kafkajs's own `retriable` flag only.
 */
export function toKafkaError(error: unknown, operation: string): TidemarkError {
  if (isTidemarkError(error)) return error;
  const candidate = (typeof error === 'object' && error !== null ? error : {}) as KafkaJsLikeError;
  const type = typeof candidate.type === 'string' ? candidate.type : undefined;
  const name = typeof candidate.name === 'string' ? candidate.name : 'Error';
  const text = typeof candidate.message === 'string' ? candidate.message : String(error);
  const details = { operation, kafkaError: name, ...(type === undefined ? {} : { type }) };
  if (type !== undefined && fencedTypes.has(type)) {
    return new TidemarkError('KAFKA_FENCED', `${operation}: fenced by a newer producer (${type})`, {
      cause: error,
      details,
    });
  }
  // kafkajs marks transient protocol and connection errors `retriable`; its
  // KafkaJSNumberOfRetriesExceeded wraps one that stayed transient to the end.
  const retryable =
    candidate.retriable === true ||
    name === 'KafkaJSNumberOfRetriesExceeded' ||
    name === 'KafkaJSConnectionError' ||
    name === 'KafkaJSRequestTimeoutError' ||
    name === 'KafkaJSLockTimeout';
  return new TidemarkError(retryable ? 'KAFKA_TRANSIENT' : 'KAFKA_FATAL', `${operation}: ${text}`, {
    retryable,
    cause: error,
    details,
  });
}
