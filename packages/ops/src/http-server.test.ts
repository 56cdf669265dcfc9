import { afterEach, describe, expect, it } from 'vitest';
import { TidemarkError } from '@tidemark/errors';
import { startOpsServer, type OpsServer } from './http-server.js';
import { createMetrics } from './metrics.js';
import { createReadiness } from './readiness.js';

describe('startOpsServer', () => {
  let server: OpsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start() {
    const readiness = createReadiness(['kafka']);
    server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      metrics: createMetrics({ service: 'test' }),
      readiness,
      actions: {
        '/backfill': (query) =>
          query.get('stream') === 'boom'
            ? Promise.reject(new TidemarkError('KAFKA_TRANSIENT', 'commit failed'))
            : Promise.resolve({ status: 202, body: { stream: query.get('stream') } }),
      },
    });
    return { base: `http://127.0.0.1:${server.port}`, readiness };
  }

  it('serves liveness, readiness and metrics', async () => {
    const { base, readiness } = await start();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    readiness.set('kafka', true, 'ok');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('# ');
  });

  it('runs an action on POST with its query, and answers its errors as 500', async () => {
    const { base } = await start();
    const ok = await fetch(`${base}/backfill?stream=zeyos.demo.accounts`, { method: 'POST' });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ stream: 'zeyos.demo.accounts' });
    const failed = await fetch(`${base}/backfill?stream=boom`, { method: 'POST' });
    expect(failed.status).toBe(500);
    const body = (await failed.json()) as { error?: unknown };
    expect(String(body.error)).toContain('commit failed');
    expect((await fetch(`${base}/backfill`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });
});
