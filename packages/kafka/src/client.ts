// kafkajs is CommonJS: under plain `node` only the default import works (named imports
// type-check and pass in vitest, then crash at run time). Destructure from the default.
import kafkajs from 'kafkajs';
import type { Kafka, LogEntry, SASLOptions } from 'kafkajs';
import { silentLogger } from '@tidemark/telemetry';
import {
  KafkaSettingsSchema,
  type KafkaLogger,
  type KafkaSettings,
  type ResolvedKafkaSettings,
} from './settings.js';

const { Kafka: KafkaClass, logLevel } = kafkajs;

export interface KafkaDeps {
  logger?: KafkaLogger;
}

/**
 * The one kafkajs instance of a process, with its settings. Producers, consumers and
 * the admin client of @tidemark/kafka are made from it.
 */
export interface KafkaClient {
  readonly kafka: Kafka;
  readonly settings: ResolvedKafkaSettings;
  readonly logger: KafkaLogger;
}

export function createKafkaClient(settings: KafkaSettings, deps: KafkaDeps = {}): KafkaClient {
  const resolved = KafkaSettingsSchema.parse(settings);
  const logger = deps.logger ?? silentLogger;
  const kafka = new KafkaClass({
    clientId: resolved.clientId,
    brokers: resolved.brokers,
    ssl: resolved.ssl,
    sasl: toSasl(resolved.sasl),
    connectionTimeout: resolved.connectionTimeoutMs,
    requestTimeout: resolved.requestTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => logKafkaEntry(logger, entry),
  });
  return { kafka, settings: resolved, logger };
}

function toSasl(sasl: ResolvedKafkaSettings['sasl']): SASLOptions | undefined {
  if (sasl === undefined) return undefined;
  const password =
    typeof sasl.password === 'string' ? sasl.password : (sasl.password?.reveal() ?? '');
  return { mechanism: sasl.mechanism, username: sasl.username, password };
}

/**
 * Errors kafkajs logs at ERROR level although it retries them itself and they end well: the
 * coordinator answering CONCURRENT_TRANSACTIONS while the previous transaction's markers are
 * still being written, which happens on nearly every back-to-back transaction.
 */
const retriedByKafkaJs = /another concurrent operation on the same transaction/;

/**
 * The level a kafkajs log entry is logged at: its own, except for errors kafkajs retries by
 * itself (debug). Failures that matter still reach the caller as a thrown error.
 */
export function kafkaLogLevel(entry: LogEntry): 'error' | 'warn' | 'info' | 'debug' {
  if (entry.level === logLevel.ERROR || entry.level === logLevel.WARN) {
    const error = (entry.log as { error?: unknown }).error;
    const text = `${entry.log.message} ${typeof error === 'string' ? error : ''}`;
    if (retriedByKafkaJs.test(text)) return 'debug';
    return entry.level === logLevel.ERROR ? 'error' : 'warn';
  }
  return entry.level === logLevel.INFO ? 'info' : 'debug';
}

// kafkajs log entries carry broker names, topics and error text, never credentials.
function logKafkaEntry(logger: KafkaLogger, entry: LogEntry): void {
  const { message, ...fields } = entry.log;
  const line = `kafkajs ${entry.namespace}: ${message}`;
  logger[kafkaLogLevel(entry)](line, fields);
}
