/**
 * A small structured logger: one JSON object per line, with trace and correlation ids taken
 * from the current context and secrets redacted.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { currentCorrelationId } from './correlation.js';
import { redact } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Extra facts of one log line; values may nest. Secret-looking keys are redacted. */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line (fields of a call win on clashes). */
  child(bindings: LogFields): Logger;
}

export interface LoggerOptions {
  /** Written as `service` on every line. */
  service: string;
  /** Lines below this level are dropped. Default `'info'`. */
  level?: LogLevel;
  /** Receives each line without its newline. Default: writes the line to stdout. */
  sink?: (line: string) => void;
  /** Source of the `time` field. Default `Date.now`. */
  now?: () => number;
}

const severity: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Fields the logger owns; a caller's field of the same name is kept under `_<name>`.
const reserved = new Set([
  'time',
  'level',
  'service',
  'msg',
  'trace_id',
  'span_id',
  'correlation_id',
]);

function writeStdout(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * Creates a logger. Each line holds `time`, `level`, `service`, `msg`, the caller's fields
 * (redacted), and `trace_id`/`span_id` of the active span and `correlation_id` when known.
 * Errors in fields are rendered with `describeError`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = severity[options.level ?? 'info'];
  const sink = options.sink ?? writeStdout;
  const now = options.now ?? Date.now;

  function build(bindings: LogFields): Logger {
    const emit = (level: LogLevel, message: string, fields: LogFields | undefined): void => {
      if (severity[level] < threshold) return;
      const line: Record<string, unknown> = {
        time: new Date(now()).toISOString(),
        level,
        service: options.service,
        msg: message,
      };
      const extra = redact({ ...bindings, ...fields });
      if (typeof extra === 'object' && extra !== null) {
        for (const [key, value] of Object.entries(extra)) {
          line[reserved.has(key) ? `_${key}` : key] = value;
        }
      }
      const spanContext = trace.getActiveSpan()?.spanContext();
      if (spanContext !== undefined && isSpanContextValid(spanContext)) {
        line['trace_id'] = spanContext.traceId;
        line['span_id'] = spanContext.spanId;
      }
      const correlationId = currentCorrelationId();
      if (correlationId !== undefined) line['correlation_id'] = correlationId;
      sink(JSON.stringify(line));
    };
    return {
      debug: (message, fields) => emit('debug', message, fields),
      info: (message, fields) => emit('info', message, fields),
      warn: (message, fields) => emit('warn', message, fields),
      error: (message, fields) => emit('error', message, fields),
      child: (more) => build({ ...bindings, ...more }),
    };
  }

  return build({});
}

/** A logger that drops everything; the default where a logger is optional. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
