import { describe, expect, it } from 'vitest';
import { traceExportMode, type TraceExportMode } from './trace-export.js';

describe('traceExportMode', () => {
  it.each<[string, Record<string, string>, TraceExportMode]>([
    ['nothing set', {}, 'local'],
    ['an OTLP endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'exporters'],
    [
      'a traces endpoint',
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' },
      'exporters',
    ],
    ['a blank endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, 'local'],
    ['exporter otlp', { OTEL_TRACES_EXPORTER: 'otlp' }, 'exporters'],
    ['exporter console', { OTEL_TRACES_EXPORTER: 'console' }, 'exporters'],
    ['exporter none', { OTEL_TRACES_EXPORTER: 'none' }, 'local'],
    [
      'exporter none beats an endpoint',
      { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
      'local',
    ],
    ['SDK disabled', { OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp' }, 'disabled'],
    ['SDK not disabled', { OTEL_SDK_DISABLED: 'false' }, 'local'],
  ])('%s → %s', (_name, env, mode) => {
    expect(traceExportMode(env)).toBe(mode);
  });
});
