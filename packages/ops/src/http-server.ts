import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from '@tidemark/errors';
import type { Metrics } from './metrics.js';
import type { Readiness } from './readiness.js';

export interface OpsServerOptions {
  /** 0 picks a free port (see `port` of the result). */
  port: number;
  /** Default 0.0.0.0: probes come from outside the container. */
  host?: string;
  metrics: Metrics;
  readiness: Readiness;
  /**
   * Operator actions served as `POST <path>`, e.g. `/backfill?stream=...`: the handler gets the
   * query and answers with a status and a JSON body. A thrown error is a 500 with its
   * description (which never holds secrets: Tidemark's errors do not carry them).
   */
  actions?: Readonly<Record<string, OpsAction>>;
}

export type OpsAction = (query: URLSearchParams) => Promise<{ status: number; body: unknown }>;

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The operational endpoints every Tidemark service serves:
 * - `GET /healthz`: 200 while the process and its event loop are alive (liveness);
 * - `GET /readyz`: 200 when every readiness check is ok, else 503; the body lists them;
 * - `GET /metrics`: Prometheus text format;
 * - `POST` to each of `actions`, for what an operator asks of the service.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://ops.invalid');
    const path = url.pathname;
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const action = options.actions?.[path];
    if (request.method === 'POST' && action !== undefined) {
      // The body is not read: an action takes its arguments from the query.
      request.resume();
      action(url.searchParams).then(
        (answer) => json(answer.status, answer.body),
        (error: unknown) => json(500, { error: describeError(error) }),
      );
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      json(405, { error: 'method not allowed' });
      return;
    }
    switch (path) {
      case '/healthz':
        json(200, { status: 'ok' });
        return;
      case '/readyz': {
        const ready = options.readiness.ready();
        json(ready ? 200 : 503, {
          status: ready ? 'ready' : 'not ready',
          checks: options.readiness.snapshot(),
        });
        return;
      }
      case '/metrics':
        options.metrics.render().then(
          (text) => {
            response.writeHead(200, { 'content-type': options.metrics.contentType });
            response.end(text);
          },
          (error: unknown) => json(500, { error: describeError(error) }),
        );
        return;
      default:
        json(404, { error: 'not found' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
