export { createMetrics } from './metrics.js';
export type { Metrics, MetricsOptions, Counter, Gauge, Histogram } from './metrics.js';
export { createReadiness } from './readiness.js';
export type { Readiness, CheckState } from './readiness.js';
export { startOpsServer } from './http-server.js';
export type { OpsAction, OpsServer, OpsServerOptions } from './http-server.js';
export { startChild } from './child-process.js';
export type { ChildOptions, ManagedChild } from './child-process.js';
