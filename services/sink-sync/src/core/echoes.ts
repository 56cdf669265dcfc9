/**
 * What the sink wrote, for echo suppression and for last-writer-wins.
 *
 * Echo suppression by origin and content. A write by the sink into a system comes back through
 * that system's poller as a change event; applied by the rules that read that system, it would
 * bounce back (and, with mappings that are not exact inverses, bounce for ever). The sink
 * remembers what it last wrote to each record and when; an event of that record whose change
 * time is not before the write and whose state holds every value written is the echo, and is
 * consumed once. A later change of the same record is not: its time or content differs.
 *
 * Last writer wins compares a source change with the target's last change; but when the target
 * still holds what the sink last wrote, its "last change" is the sink's own write, whose time
 * says nothing about who changed first. The write's cause, the source change it carried, is the
 * time that counts then (`ownWriteSourceMs`).
 */
import type { Change, JsonObject } from '@tidemark/events';
import type { RecordRef } from './id-map.js';
import { holds } from './plan.js';

interface Written {
  fields: JsonObject;
  atMs: number;
  /** When the source change that this write carried happened. */
  sourceMs: number;
  /** Its echo has not come back yet. */
  echoPending: boolean;
}

/** Source change times have whole-second resolution in ZeyOS: allow that much slack. */
const CLOCK_SLACK_MS = 1_000;

export class EchoMemory {
  private readonly written = new Map<string, Written>();

  /** @param maxRecords bound on memory: the oldest writes are forgotten first. */
  constructor(private readonly maxRecords = 100_000) {}

  get size(): number {
    return this.written.size;
  }

  /** Notes a write of `fields` to `record` at `atMs` (after it was acknowledged). */
  remember(record: RecordRef, fields: JsonObject, atMs: number, sourceMs: number): void {
    const key = keyOf(record);
    this.written.delete(key);
    this.written.set(key, { fields, atMs, sourceMs, echoPending: true });
    if (this.written.size > this.maxRecords) {
      const oldest = this.written.keys().next();
      if (oldest.done !== true) this.written.delete(oldest.value);
    }
  }

  /** Whether `change` is the echo of the last write to its record; an echo is consumed. */
  consumeEcho(change: Change): boolean {
    const key = keyOf({ system: change.system, entity: change.entityType, id: change.entityId });
    const write = this.written.get(key);
    if (write?.echoPending !== true || change.after === null) return false;
    if (Date.parse(change.changedAt) < write.atMs - CLOCK_SLACK_MS) return false;
    if (!holds(change.system, change.after, write.fields)) return false;
    write.echoPending = false;
    return true;
  }

  /**
   * When the target still holds the sink's last write to it: the time of the source change
   * that write carried; else undefined (someone changed it since, or the sink never wrote it).
   */
  ownWriteSourceMs(record: RecordRef, current: JsonObject): number | undefined {
    const write = this.written.get(keyOf(record));
    if (write === undefined || !holds(record.system, current, write.fields)) return undefined;
    return write.sourceMs;
  }
}

function keyOf(record: RecordRef): string {
  return `${record.system}/${record.entity}/${record.id}`;
}
