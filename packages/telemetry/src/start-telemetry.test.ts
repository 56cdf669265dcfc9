import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { injectHttpHeaders } from './trace-context.js';
import { startTelemetry } from './start-telemetry.js';

describe('startTelemetry', () => {
  it('gives spans real ids without exporting, and unregisters on shutdown', async () => {
    const telemetry = startTelemetry({ serviceName: 'test-service', env: {} });
    expect(telemetry.mode).toBe('local');
    const { traceId, headers } = telemetry.tracer.startActiveSpan('work', (span) => {
      span.end();
      return { traceId: span.spanContext().traceId, headers: injectHttpHeaders({}) };
    });
    expect(traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(headers['traceparent']).toContain(traceId);
    await telemetry.shutdown();
    await telemetry.shutdown();
    const after = trace.getTracer('x').startSpan('after');
    expect(after.isRecording()).toBe(false);
    after.end();
  });

  it('starts nothing when OTEL_SDK_DISABLED is true', async () => {
    const telemetry = startTelemetry({ serviceName: 's', env: { OTEL_SDK_DISABLED: 'true' } });
    expect(telemetry.mode).toBe('disabled');
    const span = telemetry.tracer.startSpan('noop');
    expect(span.isRecording()).toBe(false);
    span.end();
    await telemetry.shutdown();
  });

  it('exports over OTLP/HTTP when an endpoint is configured', async () => {
    const received: { path: string | undefined; type: string | undefined; bytes: number }[] = [];
    const collector = createServer((req: IncomingMessage, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        received.push({ path: req.url, type: req.headers['content-type'], bytes });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    // The SDK reads exporter settings from process.env itself; set and restore them here.
    const saved = process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
    process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = `http://127.0.0.1:${port}/v1/traces`;
    try {
      const telemetry = startTelemetry({ serviceName: 'export-test', env: process.env });
      expect(telemetry.mode).toBe('exporters');
      telemetry.tracer.startSpan('exported').end();
      await telemetry.shutdown();
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ path: '/v1/traces', type: 'application/x-protobuf' });
      expect(received[0]?.bytes).toBeGreaterThan(0);
    } finally {
      if (saved === undefined) delete process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
      else process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = saved;
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
