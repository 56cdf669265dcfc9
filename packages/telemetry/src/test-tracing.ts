/**
 * In-memory tracing for tests that assert on spans, e.g. one trace id across components.
 */
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';

export interface TestTracing {
  /** A tracer of the in-memory provider. */
  tracer: Tracer;
  /** The exporter that collects every ended span. */
  exporter: InMemorySpanExporter;
  /** Spans ended so far, in the order they ended. */
  finishedSpans(): ReadableSpan[];
  /** Forgets the spans collected so far. */
  reset(): void;
  /** Shuts the provider down and unregisters the globals, so the next test starts clean. */
  shutdown(): Promise<void>;
}

/**
 * Registers a global tracer provider that records every span in memory (SimpleSpanProcessor,
 * so spans are visible as soon as they end), an AsyncLocalStorage context manager and the W3C
 * propagator. Replaces whatever was registered before; call `shutdown()` after the test.
 */
export function createTestTracing(): TestTracing {
  // The OTel API refuses a second registration; a test helper must win, so clear first.
  trace.disable();
  context.disable();
  propagation.disable();

  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register({ propagator: new W3CTraceContextPropagator() });

  return {
    tracer: provider.getTracer('tidemark-test'),
    exporter,
    finishedSpans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
