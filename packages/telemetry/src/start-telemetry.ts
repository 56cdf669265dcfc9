/**
 * Process-wide OpenTelemetry setup for a service's composition root.
 */
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { traceExportMode, type TraceExportMode } from './trace-export.js';

export interface TelemetryOptions {
  /** `service.name` of the resource; OTEL_SERVICE_NAME, when set, wins. */
  serviceName: string;
  /** The OTEL_* variables to decide on. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Telemetry {
  /** A tracer named after the service. */
  tracer: Tracer;
  /** How traces are handled (see `traceExportMode`). */
  mode: TraceExportMode;
  /** Flushes pending spans and unregisters the global provider, context manager and propagator. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing once per process: an AsyncLocalStorage context manager, the
 * W3C trace-context propagator, and a tracer provider whose sampler and exporters follow the
 * standard OTEL_* variables. Nothing is exported unless the variables ask for it (see
 * `traceExportMode`); metrics and OTel logs are never exported (services log as JSON lines).
 *
 * `env` decides the mode; exporter details (endpoint, headers, protocol) and the sampler are
 * read by the OpenTelemetry SDK itself from `process.env`, as the OTel specification defines.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  const mode = traceExportMode(env);
  const serviceName = env['OTEL_SERVICE_NAME']?.trim() || options.serviceName;
  const tracer = trace.getTracer(serviceName);
  if (mode === 'disabled') return { tracer, mode, shutdown: () => Promise.resolve() };

  const sdk = new NodeSDK({
    serviceName,
    textMapPropagator: new W3CTraceContextPropagator(),
    // Explicit empty lists: otherwise the SDK defaults to OTLP metric and log exporters.
    metricReaders: [],
    logRecordProcessors: [],
    // Without span processors the SDK registers no provider at all and spans would get no ids;
    // a no-op processor keeps ids (for logs and propagation) while exporting nothing.
    ...(mode === 'local' ? { spanProcessors: [new NoopSpanProcessor()] } : {}),
  });
  sdk.start();

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopping ??= sdk.shutdown().finally(() => {
      trace.disable();
      context.disable();
      propagation.disable();
    }));
  return { tracer, mode, shutdown };
}
