import {
  TidemarkError,
  backoffDelayMs,
  describeError,
  isTidemarkError,
  sleep,
  type BackoffPolicy,
} from '@tidemark/errors';
import { buildChangeEvent } from '@tidemark/events';
import { deadLetterHeaders, eventToMessage, type OutgoingMessage } from '@tidemark/kafka';
import {
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  getTracer,
  injectKafkaHeaders,
  newCorrelationId,
  silentLogger,
  withSpan,
  type Logger,
} from '@tidemark/telemetry';
import type { Checkpoint } from './checkpoint.js';
import type { StreamPublisher, TopicBatch } from './publisher.js';
import type { ChangeSource, PollContext, SourceItem, StartMode } from './source.js';

/** Where a stream's records go. */
export interface StreamTopics {
  /** The events of this stream, e.g. `tidemark.zeyos.accounts`. */
  events: string;
  /** Records the source could not turn into events, with the reason and the raw payload. */
  deadLetters: string;
  /** One record per idle interval, keyed by stream id. */
  heartbeats: string;
}

export interface PollerSettings {
  /** Stream id: checkpoint key, label of logs and metrics, e.g. `zeyos.acme.accounts`. */
  streamId: string;
  topics: StreamTopics;
  /** For a stream without checkpoint. */
  startMode: StartMode;
  /** Wait between polls once the source has nothing more. Default 5 000 ms. */
  pollIntervalMs?: number;
  /** An idle stream writes a heartbeat (and refreshes its checkpoint) this often. Default 30 000 ms. */
  heartbeatIntervalMs?: number;
  /** Backoff after a failed poll or commit; a source's Retry-After wins. Default 500 ms … 30 s. */
  retry?: BackoffPolicy;
}

/** What the runtime reports, for metrics. Every method is optional. */
export interface PollerObserver {
  polled?(stream: string, info: { items: number; durationMs: number }): void;
  committed?(
    stream: string,
    info: {
      events: number;
      deadLetters: number;
      heartbeat: boolean;
      committedAtMs: number;
      newestChangeMs: number | null;
    },
  ): void;
  failed?(stream: string, error: unknown, info: { attempt: number; delayMs: number }): void;
  /** The stream owns its checkpoint (true) or lost it / is reconnecting (false). */
  ready?(stream: string, ready: boolean): void;
}

export interface PollerDeps<S> {
  source: ChangeSource<S>;
  publisher: StreamPublisher;
  logger?: Logger;
  observer?: PollerObserver;
  /** Default Date.now. */
  clock?: () => number;
  /** Default Math.random (backoff jitter). */
  random?: () => number;
}

export interface Poller {
  /**
   * Polls until `signal` aborts, then returns after the poll in progress has committed or
   * aborted. Rejects with KAFKA_FENCED when another instance took the stream over.
   */
  run(signal: AbortSignal): Promise<void>;
  /**
   * Asks for a backfill (see ChangeSource.startBackfill). Resolves once its start is committed
   * in the checkpoint, so it survives a crash from then on; `started` is false when one was
   * running already. Rejects with INPUT_INVALID when the source cannot backfill or the poller
   * is not running, and with the commit's error when that failed (ask again).
   */
  requestBackfill(): Promise<{ started: boolean }>;
}

interface BackfillRequest {
  resolve(outcome: { started: boolean }): void;
  reject(error: unknown): void;
}

interface Session<S> {
  state: S;
  checkpoint: Checkpoint | undefined;
  newestChangeMs: number | null;
  eventsTotal: number;
  lastCommitMs: number;
}

/**
 * The poller runtime: one stream = one source position, one transactional id, one checkpoint.
 * Each poll's events, dead letters and the new checkpoint are committed in one Kafka
 * transaction, so a crash at any moment leaves either all of a poll or none of it, and the
 * restart resumes from the last committed position: nothing lost, nothing twice.
 */
export function createPoller<S>(deps: PollerDeps<S>, settings: PollerSettings): Poller {
  const { source, publisher } = deps;
  const logger = (deps.logger ?? silentLogger).child({ stream: settings.streamId });
  const observer = deps.observer ?? {};
  const clock = deps.clock ?? Date.now;
  const random = deps.random ?? Math.random;
  const pollIntervalMs = settings.pollIntervalMs ?? 5_000;
  const heartbeatIntervalMs = settings.heartbeatIntervalMs ?? 30_000;
  const retry = settings.retry ?? { baseDelayMs: 500, maxDelayMs: 30_000 };
  const tracer = getTracer('@tidemark/poller');
  const backfillRequests: BackfillRequest[] = [];
  let running = false;

  /** A transaction with only the checkpoint of `state`: a position change without events. */
  async function commitState(session: Session<S>, state: S): Promise<void> {
    const now = clock();
    const checkpoint: Checkpoint = {
      format: 'tidemark.poller.checkpoint',
      version: 1,
      stream: settings.streamId,
      state: source.encodeState(state),
      committedAtMs: now,
      newestChangeMs: session.newestChangeMs,
      eventsTotal: session.eventsTotal,
    };
    await publisher.commit([], checkpoint);
    session.state = state;
    session.checkpoint = checkpoint;
    session.lastCommitMs = now;
  }

  async function startRequestedBackfill(session: Session<S>): Promise<void> {
    const requests = backfillRequests.splice(0);
    if (requests.length === 0 || source.startBackfill === undefined) return;
    try {
      const { state, started } = source.startBackfill(session.state);
      if (started) await commitState(session, state);
      logger.info(started ? 'backfill started' : 'backfill already running');
      for (const request of requests) request.resolve({ started });
    } catch (error) {
      for (const request of requests) request.reject(error);
      throw error;
    }
  }

  async function openSession(context: PollContext): Promise<Session<S>> {
    const checkpoint = await publisher.open();
    if (checkpoint !== undefined) {
      logger.info('resuming from checkpoint', { committedAtMs: checkpoint.committedAtMs });
      return {
        state: source.decodeState(checkpoint.state),
        checkpoint,
        newestChangeMs: checkpoint.newestChangeMs,
        eventsTotal: checkpoint.eventsTotal,
        lastCommitMs: checkpoint.committedAtMs,
      };
    }
    logger.info('new stream', { startMode: settings.startMode.mode });
    return {
      state: await source.initialState(settings.startMode, context),
      checkpoint: undefined,
      newestChangeMs: null,
      eventsTotal: 0,
      lastCommitMs: 0,
    };
  }

  /** One poll and its transaction; resolves to whether more is ready at once. */
  async function pollOnce(session: Session<S>, context: PollContext): Promise<boolean> {
    return withSpan(
      tracer,
      `poll ${settings.streamId}`,
      { attributes: { 'tidemark.stream': settings.streamId } },
      async (span) => {
        const started = clock();
        const result = await source.poll(session.state, context);
        observer.polled?.(settings.streamId, {
          items: result.items.length,
          durationMs: clock() - started,
        });
        const now = clock();
        const heartbeat =
          result.items.length === 0 && now - session.lastCommitMs >= heartbeatIntervalMs;
        if (result.items.length === 0 && !result.advanced && !heartbeat) {
          // Nothing that needs a checkpoint, but the source may have noted something for its
          // next poll (e.g. whose turn it is): keep its state without a commit.
          session.state = result.state;
          return result.more;
        }

        const { events, deadLetters } = toMessages(result.items, now);
        const newestChangeMs =
          result.newestChangeMs === undefined
            ? session.newestChangeMs
            : Math.max(session.newestChangeMs ?? 0, result.newestChangeMs);
        const checkpoint: Checkpoint = {
          format: 'tidemark.poller.checkpoint',
          version: 1,
          stream: settings.streamId,
          state: source.encodeState(result.state),
          committedAtMs: now,
          newestChangeMs,
          eventsTotal: session.eventsTotal + events.length,
        };
        const batches: TopicBatch[] = [
          { topic: settings.topics.events, messages: events },
          { topic: settings.topics.deadLetters, messages: deadLetters },
        ];
        if (heartbeat) {
          batches.push({
            topic: settings.topics.heartbeats,
            messages: [
              {
                key: settings.streamId,
                value: JSON.stringify({
                  stream: settings.streamId,
                  atMs: now,
                  newestChangeMs,
                  lastEventsAtMs: session.lastCommitMs,
                }),
              },
            ],
          });
        }
        span.setAttribute('tidemark.events', events.length);
        span.setAttribute('tidemark.dead_letters', deadLetters.length);
        await publisher.commit(batches, checkpoint);
        session.state = result.state;
        session.checkpoint = checkpoint;
        session.newestChangeMs = newestChangeMs;
        session.eventsTotal = checkpoint.eventsTotal;
        session.lastCommitMs = now;
        observer.committed?.(settings.streamId, {
          events: events.length,
          deadLetters: deadLetters.length,
          heartbeat,
          committedAtMs: now,
          newestChangeMs,
        });
        if (deadLetters.length > 0) {
          logger.warn('records dead-lettered', { count: deadLetters.length });
        }
        return result.more;
      },
    );
  }

  /** Events in poll order (per-record order through the key); failures become dead letters. */
  function toMessages(
    items: readonly SourceItem[],
    now: number,
  ): { events: OutgoingMessage[]; deadLetters: OutgoingMessage[] } {
    // The trace of this poll goes into each event; eventToMessage adds the same as header.
    const carrier = injectKafkaHeaders({});
    const traceparent = stringHeader(carrier[TRACEPARENT_HEADER]);
    const tracestate = stringHeader(carrier[TRACESTATE_HEADER]);
    const events: OutgoingMessage[] = [];
    const deadLetters: OutgoingMessage[] = [];
    for (const item of items) {
      if (item.kind === 'invalid') {
        deadLetters.push(deadLetter(item.entityId, item.raw, item.error, now));
        continue;
      }
      try {
        const event = buildChangeEvent(item.change, {
          correlationId: newCorrelationId(),
          traceparent,
          tracestate: traceparent === undefined ? undefined : tracestate,
        });
        events.push(eventToMessage(event));
      } catch (error) {
        deadLetters.push(deadLetter(item.change.entityId, item.change.after, error, now));
      }
    }
    return { events, deadLetters };
  }

  function deadLetter(
    entityId: string | undefined,
    raw: unknown,
    error: unknown,
    now: number,
  ): OutgoingMessage {
    return {
      key: entityId ?? null,
      value: JSON.stringify(raw ?? null),
      headers: {
        [deadLetterHeaders.reason]: describeError(error).slice(0, 2000),
        [deadLetterHeaders.code]: isTidemarkError(error) ? error.code : 'INTERNAL',
        [deadLetterHeaders.retryable]: 'false',
        [deadLetterHeaders.topic]: settings.topics.events,
        [deadLetterHeaders.consumer]: settings.streamId,
        [deadLetterHeaders.failedAt]: new Date(now).toISOString(),
        ...(entityId === undefined ? {} : { 'tidemark-dlq-entity-id': entityId }),
      },
    };
  }

  return {
    requestBackfill() {
      if (source.startBackfill === undefined) {
        return Promise.reject(
          new TidemarkError('INPUT_INVALID', `the ${source.system} source cannot backfill`),
        );
      }
      if (!running) {
        return Promise.reject(new TidemarkError('INPUT_INVALID', 'the poller is not running'));
      }
      return new Promise((resolve, reject) => backfillRequests.push({ resolve, reject }));
    },
    async run(signal) {
      running = true;
      const context: PollContext = { signal, now: clock };
      let session: Session<S> | undefined;
      let attempt = 0;
      try {
        while (!signal.aborted) {
          try {
            if (session === undefined) {
              session = await openSession(context);
              observer.ready?.(settings.streamId, true);
            }
            await startRequestedBackfill(session);
            const more = await pollOnce(session, context);
            attempt = 0;
            if (!more) await sleep(pollIntervalMs, signal);
          } catch (error) {
            if (isTidemarkError(error) && error.code === 'KAFKA_FENCED') {
              observer.ready?.(settings.streamId, false);
              logger.error('fenced: another instance owns this stream', {
                error: describeError(error),
              });
              throw error;
            }
            attempt++;
            // After a failed transaction its outcome is not known for sure (a lost commit
            // answer): reopen, which settles it, and continue from the checkpoint it left.
            // A failure of the source alone keeps the position.
            if (!isSourceError(error)) {
              session = undefined;
              observer.ready?.(settings.streamId, false);
            }
            const delayMs = backoffDelayMs(
              attempt,
              retry,
              random,
              isTidemarkError(error) ? error.retryAfterMs : undefined,
            );
            observer.failed?.(settings.streamId, error, { attempt, delayMs });
            logger.warn('poll failed, backing off', {
              attempt,
              delayMs,
              error: describeError(error),
            });
            await sleep(delayMs, signal);
          }
        }
      } finally {
        running = false;
        for (const request of backfillRequests.splice(0)) {
          request.reject(
            new TidemarkError('ABORTED', 'the poller stopped before the backfill began'),
          );
        }
        await publisher.close().catch((error: unknown) => {
          logger.warn('closing the publisher failed', { error: describeError(error) });
        });
      }
    },
  };
}

function isSourceError(error: unknown): boolean {
  return isTidemarkError(error) && error.code.startsWith('HTTP_');
}

function stringHeader(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
