export { startTelemetry } from './start-telemetry.js';
export type { Telemetry, TelemetryOptions } from './start-telemetry.js';
export { traceExportMode } from './trace-export.js';
export type { TraceExportMode } from './trace-export.js';
export { createTestTracing } from './test-tracing.js';
export type { TestTracing } from './test-tracing.js';
export {
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  extractFromHttpHeaders,
  extractFromKafkaHeaders,
  injectHttpHeaders,
  injectKafkaHeaders,
  traceIdsOf,
} from './trace-context.js';
export type { IncomingHttpHeaderCarrier, KafkaHeaders } from './trace-context.js';
export {
  CORRELATION_ID_HEADER,
  CORRELATION_ID_MAX_LENGTH,
  currentCorrelationId,
  isValidCorrelationId,
  newCorrelationId,
  resolveCorrelationId,
  withCorrelationId,
} from './correlation.js';
export type { ResolvedCorrelationId } from './correlation.js';
export { createLogger, silentLogger } from './logger.js';
export type { LogFields, LogLevel, Logger, LoggerOptions } from './logger.js';
export { REDACTED, SECRET_KEY_PATTERN, redact } from './redact.js';
export { getTracer, recordSpanError, withSpan } from './spans.js';
export type { SpanKindName, WithSpanOptions } from './spans.js';
export * from './semconv.js';
export type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
