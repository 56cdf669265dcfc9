/**
 * Whether and how traces leave the process, decided from the standard OTEL_* variables.
 */

/**
 * - `disabled`: OTEL_SDK_DISABLED=true; no SDK, spans are no-ops.
 * - `local`: spans get real ids (for logs and propagation) but are never exported.
 * - `exporters`: the OpenTelemetry SDK builds exporters from OTEL_TRACES_EXPORTER and the
 *   OTEL_EXPORTER_OTLP_* variables (OTLP over HTTP/protobuf unless a protocol is set).
 */
export type TraceExportMode = 'disabled' | 'local' | 'exporters';

type Env = Readonly<Record<string, string | undefined>>;

function isSet(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

/**
 * Decides the trace export mode. Unlike the SDK's own default (OTLP to localhost), nothing is
 * exported unless asked for: OTEL_TRACES_EXPORTER names an exporter other than `none`, or an
 * OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set.
 */
export function traceExportMode(env: Env): TraceExportMode {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return 'disabled';
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (exporters.length > 0)
    return exporters.every((name) => name === 'none') ? 'local' : 'exporters';
  const endpointSet =
    isSet(env['OTEL_EXPORTER_OTLP_ENDPOINT']) || isSet(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
  return endpointSet ? 'exporters' : 'local';
}
