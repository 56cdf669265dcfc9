import client from 'prom-client';

/** The metric kinds a service registers; prom-client's own classes. */
export type Counter<L extends string = string> = client.Counter<L>;
export type Gauge<L extends string = string> = client.Gauge<L>;
export type Histogram<L extends string = string> = client.Histogram<L>;

/**
 * One Prometheus registry per service, with Node's default process metrics
 * (`process_resident_memory_bytes`, event-loop lag, GC) and a `service` label on
 * everything. Metric names follow Prometheus conventions: units in the name,
 * `_total` for counters.
 */
export interface Metrics {
  readonly registry: client.Registry;
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    buckets?: readonly number[],
  ): Histogram<L>;
  /** The text exposition format, for GET /metrics. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  service: string;
  /** Default true. */
  defaultMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics ?? true) client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    counter: (name, help, labelNames = []) =>
      new client.Counter({ name, help, labelNames: [...labelNames], registers: [registry] }),
    gauge: (name, help, labelNames = []) =>
      new client.Gauge({ name, help, labelNames: [...labelNames], registers: [registry] }),
    histogram: (name, help, labelNames = [], buckets) =>
      new client.Histogram({
        name,
        help,
        labelNames: [...labelNames],
        registers: [registry],
        ...(buckets === undefined ? {} : { buckets: [...buckets] }),
      }),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
