/**
 * What the sink wrote, for echo suppression and for last-writer-wins.
 *
 * Echo suppression by origin and content. A write by the sink into a system comes back through
 * that system's poller as a change event; applied by the rules that read that system, it would
 * bounce back (and, with mappings that are not exact inverses, bounce for ever). The sink
 * remembers its last few writes to each record and when; an event of that record whose change
 * time is not before a write and whose state holds every value of it is that write's echo, and
 * is consumed once (with the echoes of older writes, which a poller may merge into it). Several
 * writes can be in flight before the first echo arrives: a create, then an update carrying a
 * newer source change; the create's echo must not pass for a change of the target. A later
 * change of the same record by someone else is not an echo: its time or content differs.
 *
 * Last writer wins compares a source change with the target's last change; but when the target
 * is still at the version the sink's last write left, its "last change" is that write, whose time
 * says nothing about who changed first. The write's cause, the source change it carried, is the
 * time that counts then (`ownWriteSource`).
 */
import type { Change, JsonObject } from '@tidemark/events';
import type { RecordRef } from './id-map.js';
import { holds, type ChangeTime } from './plan.js';

interface Written {
  fields: JsonObject;
  atMs: number;
  /** The source change that this write carried. */
  source: ChangeTime;
  /** Its echo has not come back yet. */
  echoPending: boolean;
  /** The record's version right after the write (ETag, auditInfo.version); '' if unknown. */
  resultVersion: string;
}

/**
 * How much earlier than the start of a write its echo may be dated: ZeyOS dates changes in whole
 * seconds (a write at 12:00:00.9 is dated 12:00:00), plus a second for the clocks of the target
 * and the sink disagreeing. Regression: a create's echo dated by its truncated second passed for
 * a new change, and revived a partner deleted in between.
 */
const CLOCK_SLACK_MS = 2_000;
/** Writes kept per record whose echoes may still come back. */
const WRITES_PER_RECORD = 8;

export class EchoMemory {
  /** Per record, its writes, oldest first. */
  private readonly written = new Map<string, Written[]>();

  /** @param maxRecords bound on memory: the oldest writes are forgotten first. */
  constructor(private readonly maxRecords = 100_000) {}

  get size(): number {
    return this.written.size;
  }

  /**
   * Notes a write of `fields` to `record` (after it was acknowledged); `atMs` is when the
   * request was sent.
   */
  remember(
    record: RecordRef,
    fields: JsonObject,
    atMs: number,
    source: ChangeTime,
    resultVersion: string,
  ): void {
    const key = keyOf(record);
    const writes = this.written.get(key) ?? [];
    this.written.delete(key);
    writes.push({ fields, atMs, source, echoPending: true, resultVersion });
    this.written.set(key, writes.slice(-WRITES_PER_RECORD));
    if (this.written.size > this.maxRecords) {
      const oldest = this.written.keys().next();
      if (oldest.done !== true) this.written.delete(oldest.value);
    }
  }

  /** Whether `change` is the echo of the last write to its record; an echo is consumed. */
  consumeEcho(change: Change): boolean {
    const key = keyOf({ system: change.system, entity: change.entityType, id: change.entityId });
    const writes = this.written.get(key);
    const after = change.after;
    if (writes === undefined || after === null) return false;
    const changedMs = Date.parse(change.changedAt);
    // The newest write this event could be the echo of; older ones are behind it.
    for (let index = writes.length - 1; index >= 0; index--) {
      const write = writes[index];
      if (write === undefined || !write.echoPending) continue;
      if (changedMs < write.atMs - CLOCK_SLACK_MS) continue;
      if (!holds(change.system, after, write.fields)) continue;
      for (const older of writes.slice(0, index + 1)) older.echoPending = false;
      return true;
    }
    return false;
  }

  /**
   * When the target is still at the version the sink's last write left it at: the source change
   * that write carried; else undefined (someone changed it since, in any field, or the sink
   * never wrote it).
   */
  ownWriteSource(record: RecordRef, currentVersion: string): ChangeTime | undefined {
    const write = this.written.get(keyOf(record))?.at(-1);
    if (write === undefined || write.resultVersion === '') return undefined;
    return write.resultVersion === currentVersion ? write.source : undefined;
  }
}

function keyOf(record: RecordRef): string {
  return `${record.system}/${record.entity}/${record.id}`;
}
