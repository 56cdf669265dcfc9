import { describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import type { LogEntry } from 'kafkajs';
import { kafkaLogLevel } from './client.js';

const { logLevel } = kafkajs;

function entry(level: number, message: string, error?: string): LogEntry {
  return {
    namespace: 'Producer',
    level,
    label: 'ERROR',
    log: { timestamp: '', message, ...(error === undefined ? {} : { error }) },
  };
}

describe('kafkaLogLevel', () => {
  it.each([
    [logLevel.ERROR, 'Failed to send messages', 'Broker not available', 'error'],
    [logLevel.WARN, 'Connection timeout', undefined, 'warn'],
    [logLevel.INFO, 'Starting', undefined, 'info'],
    [logLevel.DEBUG, 'Request', undefined, 'debug'],
    [
      logLevel.ERROR,
      'Response AddPartitionsToTxn(key: 24, version: 1)',
      'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      'debug',
    ],
    [
      logLevel.ERROR,
      'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      undefined,
      'debug',
    ],
  ])('level %i %s → %s', (level, message, error, expected) => {
    expect(kafkaLogLevel(entry(level, message, error))).toBe(expected);
  });
});
