/**
 * The id map: which record in one system stands for which record in another, as the sync made
 * or found them. Kept in a compacted Kafka topic (one record per link direction) and rebuilt
 * from it at start; this class is the in-memory view and the records to write for a change.
 */
import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import { EntityIdSchema, EntityTypeSchema, SystemSchema, type System } from '@tidemark/events';

export interface RecordRef {
  system: System;
  entity: string;
  id: string;
}

export interface EntityRef {
  system: System;
  entity: string;
}

/** A record of the id-map topic: a link, or a tombstone (value null) for a removed one. */
export interface IdMapRecord {
  key: string;
  value: string | null;
}

const KeySchema = z
  .string()
  .transform((key, ctx) => {
    const match = /^([a-z]+)\/([a-z0-9-]+)\/(.+)>([a-z]+)\/([a-z0-9-]+)$/.exec(key);
    if (match === null) {
      ctx.addIssue({ code: 'custom', message: 'not system/entity/id>system/entity' });
      return z.NEVER;
    }
    return {
      system: match[1],
      entity: match[2],
      id: match[3],
      toSystem: match[4],
      toEntity: match[5],
    };
  })
  .pipe(
    z.object({
      system: SystemSchema,
      entity: EntityTypeSchema,
      id: EntityIdSchema,
      toSystem: SystemSchema,
      toEntity: EntityTypeSchema,
    }),
  );

const ValueSchema = z.object({
  id: EntityIdSchema,
  atMs: z.number().int(),
  /** When the record on the key's side was deleted (its source change time), if it was. */
  deletedAtMs: z.number().int().optional(),
});

interface Link {
  id: string;
  atMs: number;
  deletedAtMs?: number;
}

function keyOf(from: RecordRef, to: EntityRef): string {
  return `${from.system}/${from.entity}/${from.id}>${to.system}/${to.entity}`;
}

/** An intent's key: where an id would stand, `?field=value` (no record id begins with `?`). */
function intentKey(record: EntityRef, field: string, value: string, partner: EntityRef): string {
  return keyOf({ ...record, id: `?${field}=${value}` }, partner);
}

export class IdMap {
  private readonly links = new Map<string, Link>();

  get size(): number {
    return this.links.size;
  }

  /** The record of `target`'s entity that `source` is linked to. */
  targetOf(source: RecordRef, target: EntityRef): string | undefined {
    return this.links.get(keyOf(source, target))?.id;
  }

  /**
   * When `record` was deleted, as noted on its link to `partner`'s entity: a deleted record
   * whose partner changes later is not brought back by an older change of the partner.
   */
  deletedAt(record: RecordRef, partner: EntityRef): number | undefined {
    return this.links.get(keyOf(record, partner))?.deletedAtMs;
  }

  /** Notes that `record` was deleted at `atMs` on its link to `partner`'s entity, if linked. */
  markDeleted(record: RecordRef, partner: EntityRef, atMs: number): IdMapRecord[] {
    const key = keyOf(record, partner);
    const link = this.links.get(key);
    if (link === undefined || (link.deletedAtMs ?? -Infinity) >= atMs) return [];
    const marked = { ...link, deletedAtMs: atMs };
    this.links.set(key, marked);
    return [{ key, value: JSON.stringify(marked) }];
  }

  /**
   * Links `a` and `b` both ways; returns the topic records that make it durable. A link either
   * had to another record of the other's entity (its partner was deleted and a new one made)
   * is removed with it, so the old partner's events no longer reach the new pair.
   */
  link(a: RecordRef, b: RecordRef, atMs: number): IdMapRecord[] {
    const records: IdMapRecord[] = [];
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const previous = this.targetOf(from, to);
      if (previous !== undefined && previous !== to.id) {
        const stale = keyOf({ ...to, id: previous }, from);
        this.links.delete(stale);
        records.push({ key: stale, value: null });
      }
    }
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const key = keyOf(from, to);
      const link: Link = { id: to.id, atMs };
      this.links.set(key, link);
      records.push({ key, value: JSON.stringify(link) });
    }
    return records;
  }

  /**
   * Notes, before a create, that the record of `target`'s entity whose `field` is `value` will
   * be `source`'s partner. Written ahead of the create, it survives a crash between the create
   * and its link: the created record, when its own event comes, finds its partner here
   * (`intended`) even if the match cannot find that partner any more (deleted meanwhile).
   */
  intend(
    target: EntityRef,
    field: string,
    value: string,
    source: RecordRef,
    atMs: number,
  ): IdMapRecord[] {
    const key = intentKey(target, field, value, source);
    const link: Link = { id: source.id, atMs };
    this.links.set(key, link);
    return [{ key, value: JSON.stringify(link) }];
  }

  /** The partner (of `partner`'s entity) a create of this record was intended for, if any. */
  intended(
    record: EntityRef,
    field: string,
    value: string,
    partner: EntityRef,
  ): string | undefined {
    return this.links.get(intentKey(record, field, value, partner))?.id;
  }

  /** Forgets an intent (its link is made, or the create refused); returns the tombstone. */
  clearIntent(target: EntityRef, field: string, value: string, source: EntityRef): IdMapRecord[] {
    const key = intentKey(target, field, value, source);
    if (!this.links.has(key)) return [];
    this.links.delete(key);
    return [{ key, value: null }];
  }

  /** Removes the links of `a` and `b` (after a delete); returns the tombstones. */
  unlink(a: RecordRef, b: RecordRef): IdMapRecord[] {
    return [keyOf(a, b), keyOf(b, a)].map((key) => {
      this.links.delete(key);
      return { key, value: null };
    });
  }

  /**
   * Applies one record read from the topic (rebuild at start).
   * @throws TidemarkError INPUT_INVALID for a record that is not an id-map record
   */
  applyRecord(key: string, value: Buffer | string | null): void {
    const parsedKey = KeySchema.safeParse(key);
    if (!parsedKey.success) {
      throw new TidemarkError('INPUT_INVALID', 'id-map record with a malformed key', {
        details: { key: key.slice(0, 200) },
      });
    }
    if (value === null) {
      this.links.delete(key);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsedValue = ValueSchema.safeParse(json);
    if (!parsedValue.success) {
      throw new TidemarkError('INPUT_INVALID', 'id-map record with a malformed value', {
        details: { key },
      });
    }
    const { id, atMs, deletedAtMs } = parsedValue.data;
    this.links.set(key, { id, atMs, ...(deletedAtMs === undefined ? {} : { deletedAtMs }) });
  }
}
