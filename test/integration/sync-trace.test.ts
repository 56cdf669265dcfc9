import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { System } from '@tidemark/events';
import { deleteTopics, ensureTopics, messageToEvent } from '@tidemark/kafka';
import { checkpointTopicSpec } from '@tidemark/poller';
import { streamNames as zeyosStreams } from '@tidemark/poller-zeyos';
import { streamNames as tsmStreams } from '@tidemark/poller-tsm';
import type { TsmSimulator, ZeyosSimulator } from '@tidemark/simulators';
import {
  startSyncSink,
  syncTopics,
  tsmTarget,
  zeyosTarget,
  type SyncSink,
  type SyncTarget,
} from '@tidemark/sink-sync';
import { loadRules } from '@tidemark/sync-rules';
import { createTestTracing, type TestTracing } from '@tidemark/telemetry';
import { testKafka, uniqueName } from '../support/kafka.js';
import {
  collect,
  eventually,
  simClient,
  startPoller,
  startSim,
  type InProcessPoller,
} from '../support/poller.js';
import { startTsmSim, tsmSimClient } from '../support/poller-tsm.js';

const rulesFile = fileURLToPath(
  new URL('../../services/sink-sync/rules/zeyos-accounts-tsm-customers.yaml', import.meta.url),
);
/** OpenTelemetry's SpanKind.CLIENT. */
const CLIENT = 2;

describe('one trace and one correlation id from the poll in ZeyOS to the write in tSM', () => {
  const kafka = testKafka();
  let tracing: TestTracing | undefined;
  let zeyosSim: ZeyosSimulator | undefined;
  let tsmSim: TsmSimulator | undefined;
  const closers: (() => Promise<void>)[] = [];
  let topics: string[] = [];

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await zeyosSim?.close();
    await tsmSim?.close();
    await tracing?.shutdown();
    await deleteTopics(kafka, topics).catch(() => undefined);
    topics = [];
  });

  it('the poll span, the sink span and its HTTP span share the trace; tSM saw both ids', async () => {
    // Before any component makes its tracer: they all record into this provider.
    tracing = createTestTracing();
    zeyosSim = await startSim();
    tsmSim = await startTsmSim();
    const prefix = uniqueName('synctrace').replace(/[^a-z0-9-]/g, '');
    const zeyosNames = zeyosStreams(prefix, 'demo', 'accounts');
    const tsmNames = tsmStreams(prefix, 'demo', 'customers');
    const sync = syncTopics(prefix);
    topics = [
      zeyosNames.events,
      zeyosNames.deadLetters,
      zeyosNames.heartbeats,
      zeyosNames.checkpoints,
      tsmNames.events,
      sync.idMap,
      sync.deadLetters,
    ];
    await ensureTopics(kafka, [
      { name: zeyosNames.events, partitions: 3 },
      { name: zeyosNames.deadLetters, partitions: 3 },
      { name: zeyosNames.heartbeats, partitions: 3, cleanupPolicy: 'compact' },
      checkpointTopicSpec(zeyosNames.checkpoints, { partitions: 3 }),
    ]);

    const zeyos = simClient(zeyosSim);
    const tsmForSink = tsmSimClient(tsmSim);
    closers.push(
      () => zeyos.close(),
      () => tsmForSink.close(),
    );
    // Start at "now": only the account made below goes through the sync.
    let polled = 0;
    const poller: InProcessPoller = startPoller(kafka, zeyos, zeyosNames, {
      entity: 'accounts',
      startMode: { mode: 'now' },
      observer: { polled: () => void polled++ },
    });
    closers.push(() => poller.stop());
    const zeyosForSink = simClient(zeyosSim);
    closers.push(() => zeyosForSink.close());
    const sink: SyncSink = await startSyncSink(
      kafka,
      {
        rules: loadRules(readFileSync(rulesFile, 'utf8'), rulesFile),
        targets: new Map<System, SyncTarget>([
          ['zeyos', zeyosTarget(zeyosForSink)],
          ['tsm', tsmTarget(tsmForSink)],
        ]),
      },
      { topicPrefix: prefix },
    );
    closers.push(() => sink.stop());
    // Past the start bound (ZeyOS dates changes in whole seconds).
    await waitFor(() => (polled > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const customernum = 'C-TRACE-1';
    const created = await zeyos.create('accounts', { lastname: 'Tracewell', customernum });
    const accountId = String(created.id);

    // The sink's write of this account into tSM: the create that follows its lookup by code
    // (other accounts may go through too; the request log holds no bodies).
    const customerWrite = await waitFor(() => {
      const requests = tsmSim?.admin.requests() ?? [];
      const lookup = requests.findIndex((entry) => entry.url.includes(`code__eq=${customernum}`));
      if (lookup < 0) return undefined;
      return requests
        .slice(lookup + 1)
        .find((entry) => entry.method === 'POST' && entry.url.endsWith('/customers'));
    });
    expect(customerWrite.status).toBe(201);

    // The event the poller committed for the account, with its trace and correlation id.
    const events = await collect(kafka, [zeyosNames.events]);
    closers.push(() => events.close());
    const event = await waitFor(() => {
      const message = events.messages.find((m) => m.key?.toString() === accountId);
      if (message === undefined) return undefined;
      const received = messageToEvent(message);
      return received.ok ? received.event : undefined;
    });
    const traceId = traceIdOf(event.traceparent);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const problems = await eventually(() => {
      const spans = tracing?.finishedSpans().filter((s) => s.spanContext().traceId === traceId);
      const names = (spans ?? []).map((s) => `${s.name}/${String(s.kind)}`);
      const missing: string[] = [];
      if (!names.some((n) => n.startsWith(`poll ${zeyosNames.streamId}`)))
        missing.push('the poll span');
      // The sink's span is a child of the span the Kafka message carries.
      const sinkSpan = spans?.find((s) => s.name === 'sync zeyos.accounts');
      if (sinkSpan?.parentSpanContext?.spanId !== event.traceparent?.split('-')[2])
        missing.push('the sink span, child of the message');
      if (!(spans ?? []).some((s) => Number(s.kind) === CLIENT && s.name === 'POST'))
        missing.push('the HTTP POST span of the write');
      return missing.length === 0 ? [] : [`${missing.join(', ')} not in trace: ${names.join()}`];
    }, 10_000);
    expect(problems).toEqual([]);

    // What the tSM simulator received with the write: the same trace and correlation id.
    expect(traceIdOf(customerWrite.traceparent ?? undefined)).toBe(traceId);
    expect(customerWrite.correlationId).toBe(event.correlationid);
    expect(customerWrite.requestId).toMatch(/.+/);
  }, 120_000);
});

function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent?.split('-')[1];
}

async function waitFor<T>(find: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('not found in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
