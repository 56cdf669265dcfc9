import type { Poller } from './runtime.js';

/**
 * The operator action `POST /backfill?stream=<id>` of a poller service: asks that stream's
 * poller for a backfill and answers once its start is committed (202 started, 200 already
 * running); 404 names the streams there are. A source that cannot backfill rejects, which the
 * operational server answers as 500 with the reason.
 */
export function backfillAction(pollers: ReadonlyMap<string, Poller>) {
  return async (query: URLSearchParams): Promise<{ status: number; body: unknown }> => {
    const stream = query.get('stream');
    const poller = stream === null ? undefined : pollers.get(stream);
    if (stream === null || poller === undefined) {
      return { status: 404, body: { error: 'no such stream', streams: [...pollers.keys()] } };
    }
    const { started } = await poller.requestBackfill();
    return {
      status: started ? 202 : 200,
      body: { stream, backfill: started ? 'started' : 'running' },
    };
  };
}
