import {
  backoffDelayMs,
  describeError,
  isTidemarkError,
  sleep,
  type BackoffPolicy,
} from '@tidemark/errors';
import { PartitionFile, type ClosedFile, type RotationSettings } from './files.js';
import { GzipBody } from './gzip.js';
import { RecordEncoder, type ArchiveInput } from './record.js';

/** Default bytes handed to zlib at a time (see GzipBody). */
export const DEFAULT_COMPRESS_CHUNK_BYTES = 256 * 1024;

/** Where objects go. Throws a TidemarkError; `retryable` says whether trying again may help. */
export interface ObjectStore {
  put(key: string, body: Buffer): Promise<void>;
}

/** Commits the next offset to read of one partition, once its objects are durable. */
export interface OffsetCommitter {
  commit(topic: string, partition: number, nextOffset: string): Promise<void>;
}

/** What the archiver reports; metrics and logs hang off it. All optional. */
export interface ArchiverObserver {
  objectWritten?(file: ClosedFile, info: { compressedBytes: number; uploadMs: number }): void;
  uploadFailed?(file: ClosedFile, error: unknown, attempt: number): void;
  committed?(topic: string, partition: number, nextOffset: string): void;
  commitFailed?(topic: string, partition: number, error: unknown): void;
  bufferedBytes?(bytes: number): void;
  /** A file was abandoned after a rebalance: its next owner writes it again. */
  abandoned?(file: ClosedFile): void;
}

export interface ArchiverSettings extends RotationSettings {
  /** Key prefix. */
  prefix: string;
  /** Idle flush: an open object whose first record is this old is written anyway. Default 60 000 ms. */
  maxFileAgeMs: number;
  /**
   * Memory held for objects: per open object its compressed bytes so far, the chunk being
   * filled, chunks zlib has not taken yet and the deflate stream; per closed object its
   * compressed body until the upload is done. At the limit the consumer handler waits, which
   * pauses consumption. Default 256 MiB.
   */
  maxBufferedBytes: number;
  /** gzip level 1-9. Default 3. */
  gzipLevel: number;
  /** Bytes handed to zlib at a time. Default 256 KiB. */
  compressChunkBytes?: number;
  /** Backoff between upload attempts; uploads are retried until they succeed. */
  retry?: BackoffPolicy;
}

/** The consumer's controls during one batch. */
export interface BatchControl {
  heartbeat(): Promise<void>;
  isActive(): boolean;
}

export interface Archiver {
  /**
   * Takes one batch of one partition (records in offset order). Waits while the memory budget
   * is used up (heartbeating), before the batch and between its records; never leaves part of
   * a batch taken while the partition is still owned (a rejoin or a drain drops it all).
   */
  accept(
    batch: {
      topic: string;
      partition: number;
      messages: readonly ArchiveInput[];
      /**
       * Where the next batch starts, past records read_committed filtered out (transaction
       * markers, aborted records). Default: the last message's offset + 1.
       */
      nextOffset?: string;
    },
    control: BatchControl,
  ): Promise<void>;
  /**
   * The consumer moved past offsets that hold no record for it (a fetch of only transaction
   * markers or aborted records, which never reaches `accept`). When the partition holds nothing
   * uncommitted, that position is committed, so a transactional topic's lag reaches zero.
   */
  skipped(skip: {
    topic: string;
    partition: number;
    firstOffset: string;
    nextOffset: string;
  }): void;
  /**
   * The group was (re)joined: every partition resumes from its committed offset, so whatever
   * is not yet committed is dropped here and will be read again.
   */
  reset(): void;
  /** Runs the idle flush; call about once a second. */
  tick(nowMs: number): void;
  /** Bytes currently held. */
  bufferedBytes(): number;
  /** Last committed next-offset per `topic:partition`, for lag. */
  committedOffsets(): ReadonlyMap<string, { topic: string; partition: number; offset: string }>;
  /**
   * Stops taking records, finishes the uploads of closed objects (and their commits), drops the
   * open ones (their records are read again on the next start). `abort` cuts retries short.
   */
  drain(abort?: AbortSignal): Promise<void>;
}

interface PartitionState {
  file: PartitionFile;
  /** Uploads of this partition, one after another: at most one uncommitted object at a time. */
  chain: Promise<void>;
  /** Files closed but whose upload has not started; dropped on reset. */
  queued: Set<ClosedFile>;
  /**
   * Where the consumer stands in this epoch: the offset after the last batch, filtered records
   * included; undefined until the first batch after a reset. Every offset between the last
   * record taken and this one holds no record a read_committed consumer sees, so committing it
   * instead of `last record + 1` moves the next object's first offset nowhere: that is still
   * the first record delivered after the committed offset.
   */
  position: bigint | undefined;
  /**
   * An object of this partition could not be compressed: nothing of the partition is committed
   * from then on in this epoch, so its records are read again (after a rebalance or restart)
   * rather than committed past. Cleared by a reset.
   */
  broken: boolean;
}

export interface ArchiverDeps {
  store: ObjectStore;
  committer: OffsetCommitter;
  observer?: ArchiverObserver;
  /** Default Date.now; only the idle flush and latency figures use it. */
  now?: () => number;
}

/**
 * The archive's core loop, free of sockets. Exactly-once rests on three rules:
 * 1. a partition's objects are uploaded and committed strictly one after another, so at most one
 *    object per partition is ever written but not committed, and its key is derived from the
 *    first offset after the committed one — a re-read writes the same key again;
 * 2. the offset after an object is committed only once the object is durable;
 * 3. after a rebalance nothing uncommitted is kept (the partition is re-read from its committed
 *    offset), and an upload that started before it may finish but does not commit.
 */
export function createArchiver(deps: ArchiverDeps, settings: ArchiverSettings): Archiver {
  const now = deps.now ?? Date.now;
  const observer = deps.observer ?? {};
  const encoder = new RecordEncoder();
  const chunkBytes = settings.compressChunkBytes ?? DEFAULT_COMPRESS_CHUNK_BYTES;
  const partitions = new Map<string, PartitionState>();
  const committed = new Map<string, { topic: string; partition: number; offset: string }>();
  let buffered = 0;
  let epoch = 0;
  let draining = false;
  const internalAbort = new AbortController();
  /** Closed objects not yet uploaded (or dropped): memory that will be given back. */
  let closedPending = 0;
  /** Every handler waiting for buffer space; all are woken when memory is given back. */
  const waiters = new Set<() => void>();

  const changeBuffered = (delta: number) => {
    buffered += delta;
    observer.bufferedBytes?.(buffered);
    if (delta < 0) {
      for (const wake of waiters) wake();
      waiters.clear();
    }
  };
  const waitForRelease = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });

  /**
   * Inside a batch: waits while the budget is used up and closed objects are on their way out
   * (waiting on open objects alone could only end at the idle flush). Returns false when it
   * stopped waiting for another reason: the batch is then taken whole, over budget, because a
   * batch is never taken in part while its partition is still owned.
   */
  const waitWithinBatch = async (control: BatchControl): Promise<boolean> => {
    while (buffered >= settings.maxBufferedBytes && closedPending > 0 && !draining) {
      if (!control.isActive()) return false;
      try {
        await control.heartbeat();
      } catch {
        // A rebalance under way: the next poll rejoins, and the reset drops what this took.
        return false;
      }
      await waitForRelease(1_000);
    }
    return true;
  };

  const stateOf = (topic: string, partition: number): PartitionState => {
    const id = `${topic}:${partition}`;
    let state = partitions.get(id);
    if (state === undefined) {
      state = {
        file: new PartitionFile(
          topic,
          partition,
          settings.prefix,
          settings,
          // Every body reports what it holds: that is the memory the budget bounds.
          () =>
            new GzipBody({ level: settings.gzipLevel, chunkBytes, onHeldBytes: changeBuffered }),
        ),
        chain: Promise.resolve(),
        queued: new Set(),
        position: undefined,
        broken: false,
      };
      partitions.set(id, state);
    }
    return state;
  };

  const enqueue = (state: PartitionState, file: ClosedFile) => {
    const fileEpoch = epoch;
    state.queued.add(file);
    closedPending += 1;
    // The last chunk is compressed at once (thread pool); the upload waits for the previous one.
    const compressed = file.body.finish();
    compressed.catch(() => undefined);
    state.chain = state.chain.then(async () => {
      if (!state.queued.delete(file)) return; // dropped (and discarded) by a reset while waiting
      try {
        let body: Buffer;
        try {
          body = await compressed;
        } catch (error) {
          // zlib failing on a buffer is a bug, not a condition to retry around; but the records
          // must not be committed past either.
          state.broken = true;
          observer.uploadFailed?.(file, error, 0);
          throw error;
        }
        await upload(state, file, body, fileEpoch);
      } finally {
        file.body.discard();
      }
    });
    // A failed link must not break the chain for later files.
    state.chain = state.chain
      .catch(() => undefined)
      .finally(() => {
        closedPending -= 1;
      });
  };

  /** The offset to commit after `file`: past trailing filtered offsets when nothing follows it. */
  const commitTarget = (state: PartitionState, file: ClosedFile): string => {
    const after = BigInt(file.nextOffset);
    const idle = !state.file.isOpen && state.queued.size === 0;
    return idle && state.position !== undefined && state.position > after
      ? state.position.toString()
      : file.nextOffset;
  };

  const upload = async (
    state: PartitionState,
    file: ClosedFile,
    body: Buffer,
    fileEpoch: number,
  ) => {
    for (let attempt = 1; ; attempt++) {
      // Never start a write for an epoch that is over: the partition may belong to another
      // instance by now, which writes this key itself.
      if (fileEpoch !== epoch || internalAbort.signal.aborted) {
        observer.abandoned?.(file);
        return;
      }
      const started = now();
      try {
        await deps.store.put(file.key, body);
        observer.objectWritten?.(file, { compressedBytes: body.length, uploadMs: now() - started });
        break;
      } catch (error) {
        observer.uploadFailed?.(file, error, attempt);
        const retryAfter = isTidemarkError(error) ? error.retryAfterMs : undefined;
        await sleep(
          backoffDelayMs(attempt, settings.retry, Math.random, retryAfter),
          internalAbort.signal,
        );
      }
    }
    if (fileEpoch !== epoch || state.broken) {
      observer.abandoned?.(file);
      return;
    }
    await commitOffset(file.topic, file.partition, () => commitTarget(state, file), fileEpoch);
  };

  const commitOffset = async (
    topic: string,
    partition: number,
    target: () => string,
    fileEpoch: number,
  ) => {
    for (let attempt = 1; ; attempt++) {
      const offset = target();
      try {
        await deps.committer.commit(topic, partition, offset);
        committed.set(`${topic}:${partition}`, { topic, partition, offset });
        observer.committed?.(topic, partition, offset);
        return;
      } catch (error) {
        observer.commitFailed?.(topic, partition, error);
        // A rebalance makes the commit fail for good: the next owner re-reads and rewrites the
        // same key. Only transient failures are worth another try within this epoch.
        const retryable = isTidemarkError(error) && error.retryable;
        if (!retryable || fileEpoch !== epoch || internalAbort.signal.aborted) return;
        await sleep(backoffDelayMs(attempt, settings.retry), internalAbort.signal);
      }
    }
  };

  return {
    async accept(batch, control) {
      while (buffered >= settings.maxBufferedBytes && !draining) {
        if (!control.isActive()) {
          // Returning would let the consumer move past records that were never added.
          throw new Error('batch abandoned while waiting for buffer space');
        }
        await control.heartbeat();
        await waitForRelease(1_000);
      }
      // Draining: the process is about to exit; nothing taken now would be committed anyway.
      if (draining) return;
      if (batch.messages.length === 0) return;
      const state = stateOf(batch.topic, batch.partition);
      const batchEpoch = epoch;
      const at = now();
      // One batch can open and close many objects, each holding a deflate stream and a chunk
      // until zlib is done with it: the budget is checked before every record, not only here.
      let gated = true;
      for (const message of batch.messages) {
        if (gated && buffered >= settings.maxBufferedBytes) {
          gated = await waitWithinBatch(control);
          // A reset or a drain dropped what this batch added so far, and the partition is read
          // again from its committed offset: the rest must not start an object mid-batch.
          if (epoch !== batchEpoch) throw new Error('batch abandoned: the group was rejoined');
          if (draining) return;
        }
        // The line is a view into the encoder's buffer; append copies it into the object.
        for (const file of state.file.append(encoder.encode(message), at)) enqueue(state, file);
      }
      // Set only now: while the batch waited, a commit must not reach past what it had taken.
      const last = batch.messages.at(-1);
      const after = last === undefined ? 0n : BigInt(last.offset) + 1n;
      const next = batch.nextOffset === undefined ? after : BigInt(batch.nextOffset);
      state.position = next > after ? next : after;
    },

    reset() {
      epoch += 1;
      for (const state of partitions.values()) {
        state.file.drop();
        for (const file of state.queued) file.body.discard();
        state.queued.clear();
        state.position = undefined;
        state.broken = false;
      }
    },

    skipped(skip) {
      if (draining) return;
      const id = `${skip.topic}:${skip.partition}`;
      const state = partitions.get(id);
      // Only a skip that starts exactly where this epoch's last batch ended says something about
      // the offsets after what this instance holds.
      if (state?.position === undefined || BigInt(skip.firstOffset) !== state.position) return;
      const next = BigInt(skip.nextOffset);
      if (next <= state.position) return;
      state.position = next;
      // With an object open or waiting, its commit takes the position along (commitTarget).
      if (state.file.isOpen || state.queued.size > 0) return;
      const linkEpoch = epoch;
      state.chain = state.chain
        .then(async () => {
          if (linkEpoch !== epoch || internalAbort.signal.aborted || state.broken) return;
          if (state.file.isOpen || state.queued.size > 0 || state.position === undefined) return;
          const position = state.position;
          const done = committed.get(id);
          if (done !== undefined && BigInt(done.offset) >= position) return;
          await commitOffset(skip.topic, skip.partition, () => position.toString(), linkEpoch);
        })
        .catch(() => undefined);
    },

    tick(nowMs) {
      if (draining) return;
      for (const state of partitions.values()) {
        const file = state.file.flushIfOlder(nowMs, settings.maxFileAgeMs);
        if (file !== undefined) enqueue(state, file);
      }
    },

    bufferedBytes: () => buffered,
    committedOffsets: () => committed,

    async drain(abort) {
      draining = true;
      const onAbort = () => internalAbort.abort();
      abort?.addEventListener('abort', onAbort, { once: true });
      for (const state of partitions.values()) {
        // Dropped records lie before the position: it may no longer be committed.
        if (state.file.drop() > 0) state.position = undefined;
      }
      try {
        await Promise.all([...partitions.values()].map((state) => state.chain));
      } finally {
        abort?.removeEventListener('abort', onAbort);
      }
    },
  };
}

/** For log lines: an error in one short string. */
export function errorText(error: unknown): string {
  return describeError(error);
}
