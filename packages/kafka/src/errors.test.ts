import { describe, expect, it } from 'vitest';
import { TidemarkError } from '@tidemark/errors';
import { toKafkaError } from './errors.js';

function kafkaJsError(name: string, fields: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} happened`), { name, ...fields });
}

describe('toKafkaError', () => {
  it.each([
    ['KafkaJSProtocolError', { type: 'PRODUCER_FENCED', retriable: false }, 'KAFKA_FENCED', false],
    [
      'KafkaJSProtocolError',
      { type: 'INVALID_PRODUCER_EPOCH', retriable: false },
      'KAFKA_FENCED',
      false,
    ],
    [
      'KafkaJSProtocolError',
      { type: 'NOT_LEADER_FOR_PARTITION', retriable: true },
      'KAFKA_TRANSIENT',
      true,
    ],
    ['KafkaJSConnectionError', { retriable: true }, 'KAFKA_TRANSIENT', true],
    ['KafkaJSRequestTimeoutError', {}, 'KAFKA_TRANSIENT', true],
    ['KafkaJSNumberOfRetriesExceeded', { retriable: false }, 'KAFKA_TRANSIENT', true],
    ['KafkaJSProtocolError', { type: 'MESSAGE_TOO_LARGE', retriable: false }, 'KAFKA_FATAL', false],
    ['KafkaJSNonRetriableError', {}, 'KAFKA_FATAL', false],
  ])('%s %o → %s', (name, fields, code, retryable) => {
    const error = toKafkaError(kafkaJsError(name, fields), 'produce');
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.details['operation']).toBe('produce');
  });

  it('passes Tidemark errors through unchanged', () => {
    const original = new TidemarkError('ABORTED', 'stop');
    expect(toKafkaError(original, 'x')).toBe(original);
  });

  it('copes with non-errors', () => {
    expect(toKafkaError('weird', 'x').code).toBe('KAFKA_FATAL');
  });
});
