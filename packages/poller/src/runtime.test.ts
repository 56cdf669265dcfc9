import { describe, expect, it } from 'vitest';
import { TidemarkError, isTidemarkError } from '@tidemark/errors';
import type { Change } from '@tidemark/events';
import { deadLetterHeaders } from '@tidemark/kafka';
import type { Checkpoint } from './checkpoint.js';
import type { StreamPublisher, TopicBatch } from './publisher.js';
import { createPoller, type PollerSettings } from './runtime.js';
import type { ChangeSource, PollResult, SourceItem } from './source.js';

/** The fake source's position: how many scripted polls it has answered. */
interface FakeState {
  n: number;
}

type Step = (state: FakeState) => PollResult<FakeState> | Error;

function change(id: number, version = `v${id}`): SourceItem {
  const c: Change = {
    op: 'update',
    system: 'zeyos',
    instance: 'acme',
    entityType: 'accounts',
    entityId: String(id),
    after: { ID: id },
    changedAt: '2024-01-01T00:00:00.000Z',
    version,
  };
  return { kind: 'change', change: c };
}

function page(items: SourceItem[], more = false): Step {
  return (state) => ({ items, state: { n: state.n + 1 }, advanced: true, more });
}

const idle: Step = (state) => ({ items: [], state, advanced: false, more: false });

/** A scripted source; after the script it stays idle. Records the state each poll saw. */
function fakeSource(steps: Step[]): ChangeSource<FakeState> & { seen: number[] } {
  const seen: number[] = [];
  return {
    system: 'zeyos',
    instance: 'acme',
    entityType: 'accounts',
    seen,
    initialState: () => Promise.resolve({ n: 0 }),
    poll(state) {
      seen.push(state.n);
      const step = steps.shift() ?? idle;
      const result = step(state);
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
    encodeState: (state) => ({ n: state.n }),
    decodeState: (value) => {
      const n = (value as { n?: unknown } | null)?.n;
      if (typeof n !== 'number') throw new TidemarkError('INPUT_INVALID', 'bad state');
      return { n };
    },
  };
}

interface Commit {
  batches: readonly TopicBatch[];
  checkpoint: Checkpoint;
}

/** An in-memory publisher: commits are all-or-nothing; scripted failures per commit. */
function fakePublisher(failures: (Error | undefined)[] = []) {
  const commits: Commit[] = [];
  let stored: Checkpoint | undefined;
  let opens = 0;
  let closed = 0;
  const publisher: StreamPublisher = {
    open() {
      opens++;
      return Promise.resolve(stored);
    },
    commit(batches, checkpoint) {
      const failure = failures.shift();
      if (failure !== undefined) return Promise.reject(failure);
      commits.push({ batches, checkpoint });
      stored = checkpoint;
      return Promise.resolve();
    },
    close() {
      closed++;
      return Promise.resolve();
    },
  };
  return {
    publisher,
    commits,
    get opens() {
      return opens;
    },
    get closed() {
      return closed;
    },
  };
}

const topics = { events: 'ev', deadLetters: 'dlq', heartbeats: 'hb' };
const base: PollerSettings = {
  streamId: 'zeyos.acme.accounts',
  topics,
  startMode: { mode: 'now' },
  pollIntervalMs: 1,
  heartbeatIntervalMs: 60_000,
  retry: { baseDelayMs: 1, maxDelayMs: 2 },
};

/** Runs until `done()` or 5 s, then stops; returns run()'s outcome. */
async function runUntil(
  poller: { run(signal: AbortSignal): Promise<void> },
  done: () => boolean,
): Promise<unknown> {
  const controller = new AbortController();
  const running = poller.run(controller.signal).then(
    () => undefined,
    (error: unknown) => error,
  );
  const deadline = Date.now() + 5_000;
  let finished = false;
  void running.then(() => (finished = true));
  while (!done() && !finished && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  controller.abort();
  return running;
}

function messagesOf(commit: Commit | undefined, topic: string) {
  return commit?.batches.filter((b) => b.topic === topic).flatMap((b) => b.messages) ?? [];
}

describe('createPoller', () => {
  it('commits one transaction per poll: its events and the checkpoint of the state after them', async () => {
    const source = fakeSource([page([change(1), change(2)], true), page([change(3)])]);
    const pub = fakePublisher();
    const error = await runUntil(
      createPoller({ source, publisher: pub.publisher }, base),
      () => pub.commits.length >= 2,
    );
    expect(error).toBeUndefined();
    expect(pub.commits).toHaveLength(2);
    const [first, second] = pub.commits;
    expect(messagesOf(first, 'ev').map((m) => m.key)).toEqual(['1', '2']);
    expect(messagesOf(second, 'ev').map((m) => m.key)).toEqual(['3']);
    expect(first?.checkpoint).toMatchObject({
      stream: base.streamId,
      state: { n: 1 },
      eventsTotal: 2,
    });
    expect(second?.checkpoint).toMatchObject({ state: { n: 2 }, eventsTotal: 3 });
    expect(messagesOf(first, 'dlq')).toEqual([]);
    expect(pub.closed).toBe(1);
  });

  it('an idle stream commits nothing but its first heartbeat', async () => {
    const source = fakeSource([idle, idle, idle, idle]);
    const pub = fakePublisher();
    await runUntil(
      createPoller({ source, publisher: pub.publisher }, base),
      () => source.seen.length >= 4,
    );
    // A new stream's first idle poll fixes its initial position with a heartbeat; then quiet.
    expect(pub.commits).toHaveLength(1);
    expect(messagesOf(pub.commits[0], 'hb')).toHaveLength(1);
    expect(pub.commits[0]?.checkpoint.state).toEqual({ n: 0 });
  });

  it('commits a moved position without events', async () => {
    const moved: Step = (state) => ({
      items: [],
      state: { n: state.n + 1 },
      advanced: true,
      more: false,
    });
    const source = fakeSource([moved]);
    const pub = fakePublisher();
    await runUntil(
      createPoller({ source, publisher: pub.publisher }, base),
      () => pub.commits.length >= 1,
    );
    expect(pub.commits[0]?.checkpoint.state).toEqual({ n: 1 });
    expect(messagesOf(pub.commits[0], 'ev')).toEqual([]);
  });

  it('resumes from the stored checkpoint, not from the initial state', async () => {
    const pub = fakePublisher();
    await runUntil(
      createPoller({ source: fakeSource([page([change(1)])]), publisher: pub.publisher }, base),
      () => pub.commits.length >= 1,
    );
    const source = fakeSource([page([change(2)])]);
    await runUntil(
      createPoller({ source, publisher: pub.publisher }, base),
      () => pub.commits.length >= 2,
    );
    expect(source.seen[0]).toBe(1);
    expect(pub.commits[1]?.checkpoint).toMatchObject({ state: { n: 2 }, eventsTotal: 2 });
  });

  it('backs off after a retryable source error and keeps the position', async () => {
    const unavailable = new TidemarkError('HTTP_UNAVAILABLE', '503', { retryable: true });
    const source = fakeSource([
      page([change(1)]),
      () => unavailable,
      () => unavailable,
      page([change(2)]),
    ]);
    const pub = fakePublisher();
    const failures: { code: string; attempt: number }[] = [];
    await runUntil(
      createPoller(
        {
          source,
          publisher: pub.publisher,
          observer: {
            failed: (_s, error, info) =>
              failures.push({
                code: isTidemarkError(error) ? error.code : '?',
                attempt: info.attempt,
              }),
          },
        },
        base,
      ),
      () => pub.commits.length >= 2,
    );
    expect(failures).toEqual([
      { code: 'HTTP_UNAVAILABLE', attempt: 1 },
      { code: 'HTTP_UNAVAILABLE', attempt: 2 },
    ]);
    // Every retry polled from the committed position; the stream was not reopened.
    expect(source.seen.slice(0, 4)).toEqual([0, 1, 1, 1]);
    expect(pub.opens).toBe(1);
    expect(pub.commits.map((c) => c.checkpoint.state)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('honours a Retry-After longer than its own backoff', async () => {
    const limited = new TidemarkError('HTTP_RATE_LIMITED', '429', {
      retryable: true,
      retryAfterMs: 1_500,
    });
    const delays: number[] = [];
    await runUntil(
      createPoller(
        {
          source: fakeSource([() => limited]),
          publisher: fakePublisher().publisher,
          random: () => 0,
          observer: { failed: (_s, _e, info) => delays.push(info.delayMs) },
        },
        { ...base, retry: { baseDelayMs: 1, maxDelayMs: 60_000 } },
      ),
      () => delays.length >= 1,
    );
    expect(delays).toEqual([1_500]);
  });

  it('after a failed commit reopens and polls again from the last committed checkpoint', async () => {
    const source = fakeSource([page([change(1)]), page([change(2)]), page([change(2)])]);
    const pub = fakePublisher([
      undefined,
      new TidemarkError('KAFKA_TRANSIENT', 'lost', { retryable: true }),
    ]);
    await runUntil(
      createPoller({ source, publisher: pub.publisher }, base),
      () => pub.commits.length >= 2,
    );
    expect(pub.opens).toBe(2);
    expect(source.seen.slice(0, 3)).toEqual([0, 1, 1]);
    expect(pub.commits.map((c) => c.checkpoint.state)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(pub.commits[1]?.checkpoint.eventsTotal).toBe(2);
  });

  it('ends run() with KAFKA_FENCED when another instance owns the stream', async () => {
    const source = fakeSource([page([change(1)]), page([change(2)])]);
    const pub = fakePublisher([undefined, new TidemarkError('KAFKA_FENCED', 'fenced')]);
    const ready: boolean[] = [];
    const error = await runUntil(
      createPoller(
        { source, publisher: pub.publisher, observer: { ready: (_s, r) => ready.push(r) } },
        base,
      ),
      () => false,
    );
    expect(isTidemarkError(error) && error.code).toBe('KAFKA_FENCED');
    expect(ready).toEqual([true, false]);
    expect(pub.commits).toHaveLength(1);
    expect(pub.closed).toBe(1);
  });

  it('writes a heartbeat with a refreshed checkpoint when idle for the heartbeat interval', async () => {
    let now = 1_000_000;
    const source = fakeSource([page([change(1)])]);
    const pub = fakePublisher();
    const poller = createPoller(
      { source, publisher: pub.publisher, clock: () => (now += 1_000) },
      { ...base, heartbeatIntervalMs: 10_000 },
    );
    await runUntil(poller, () => pub.commits.length >= 3);
    const beats = pub.commits.filter((c) => messagesOf(c, 'hb').length > 0);
    expect(beats.length).toBeGreaterThanOrEqual(2);
    const [beat] = beats;
    const [message] = messagesOf(beat, 'hb');
    expect(message?.key).toBe(base.streamId);
    expect(JSON.parse(String(message?.value))).toMatchObject({ stream: base.streamId });
    expect(messagesOf(beat, 'ev')).toEqual([]);
    expect(beat?.checkpoint.state).toEqual({ n: 1 });
    // Heartbeats are at least the interval apart.
    const times = beats.map((c) => c.checkpoint.committedAtMs);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(10_000);
    }
  });

  it('dead-letters invalid items and unbuildable changes in the same transaction; the stream goes on', async () => {
    const broken = change(3);
    if (broken.kind === 'change') broken.change.entityId = '';
    const source = fakeSource([
      page([
        change(1),
        {
          kind: 'invalid',
          entityId: '2',
          raw: { ID: 2, bad: true },
          error: new TidemarkError('EVENT_INVALID', 'schema'),
        },
        broken,
        { kind: 'invalid', entityId: undefined, raw: { nothing: 1 }, error: new Error('no id') },
      ]),
      page([change(4)]),
    ]);
    const pub = fakePublisher();
    await runUntil(
      createPoller({ source, publisher: pub.publisher }, base),
      () => pub.commits.length >= 2,
    );
    const [first, second] = pub.commits;
    expect(messagesOf(first, 'ev').map((m) => m.key)).toEqual(['1']);
    const dead = messagesOf(first, 'dlq');
    expect(dead.map((m) => m.key)).toEqual(['2', '', null]);
    expect(dead.map((m) => m.headers?.[deadLetterHeaders.code])).toEqual([
      'EVENT_INVALID',
      'EVENT_INVALID',
      'INTERNAL',
    ]);
    expect(dead[0]?.headers?.[deadLetterHeaders.topic]).toBe('ev');
    expect(JSON.parse(String(dead[0]?.value))).toEqual({ ID: 2, bad: true });
    expect(first?.checkpoint.eventsTotal).toBe(1);
    expect(messagesOf(second, 'ev').map((m) => m.key)).toEqual(['4']);
  });
});

describe('requestBackfill', () => {
  /** The fake source with a backfill flag in its state (n counts polls, b marks a backfill). */
  function backfillSource() {
    const inner = fakeSource([]);
    const source: ChangeSource<FakeState & { b?: boolean }> = {
      ...inner,
      startBackfill: (state) =>
        state.b === true
          ? { state, started: false }
          : { state: { ...state, b: true }, started: true },
      encodeState: (state) => ({ n: state.n, b: state.b === true }),
      decodeState: (value) => ({ ...inner.decodeState(value), b: (value as { b?: boolean }).b }),
    };
    return { source, seen: inner.seen };
  }

  it('commits the started backfill in the checkpoint before it answers; a second ask is a no-op', async () => {
    const { source, seen } = backfillSource();
    const pub = fakePublisher();
    const poller = createPoller({ source, publisher: pub.publisher }, base);
    const outcomes: { started: boolean }[] = [];
    const controller = new AbortController();
    const running = poller.run(controller.signal);
    while (seen.length < 1) await new Promise((resolve) => setTimeout(resolve, 1));
    outcomes.push(await poller.requestBackfill());
    expect(pub.commits.at(-1)?.checkpoint.state).toEqual({ n: 0, b: true });
    expect(pub.commits.at(-1)?.batches).toEqual([]);
    const commits = pub.commits.length;
    outcomes.push(await poller.requestBackfill());
    expect(outcomes).toEqual([{ started: true }, { started: false }]);
    expect(pub.commits).toHaveLength(commits);
    controller.abort();
    await running;
  });

  it('refuses when the source cannot backfill or the poller is not running', async () => {
    const plain = createPoller(
      { source: fakeSource([]), publisher: fakePublisher().publisher },
      base,
    );
    await expect(plain.requestBackfill()).rejects.toThrow(/cannot backfill/);
    const { source } = backfillSource();
    const idlePoller = createPoller({ source, publisher: fakePublisher().publisher }, base);
    await expect(idlePoller.requestBackfill()).rejects.toThrow(/not running/);
  });

  it('rejects the request when the commit of its start fails, and the stream goes on', async () => {
    const { source, seen } = backfillSource();
    // The first commit is the new stream's heartbeat; the second, the backfill's, fails.
    const pub = fakePublisher([
      undefined,
      new TidemarkError('KAFKA_TRANSIENT', 'lost', { retryable: true }),
    ]);
    const poller = createPoller({ source, publisher: pub.publisher }, base);
    const controller = new AbortController();
    const running = poller.run(controller.signal);
    while (seen.length < 1) await new Promise((resolve) => setTimeout(resolve, 1));
    const failed = await poller.requestBackfill().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isTidemarkError(failed) && failed.code).toBe('KAFKA_TRANSIENT');
    expect(await poller.requestBackfill()).toEqual({ started: true });
    controller.abort();
    await running;
  });
});
