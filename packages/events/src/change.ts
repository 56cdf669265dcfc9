import { z } from 'zod';
import { JsonObjectSchema } from './json.js';
import {
  ChangeOpSchema,
  EntityTypeSchema,
  InstanceSchema,
  SystemSchema,
  wireString,
} from './vocabulary.js';

/**
 * A timestamp as RFC 3339 requires it: date, time with seconds, optional fraction, and an offset
 * (`Z` or `±hh:mm`). Both the source's local offset and its sub-millisecond digits are kept.
 */
export const TimestampSchema = z.iso.datetime({ offset: true });

/** Record id in the source; also the CloudEvent subject and the Kafka key. */
export const EntityIdSchema = wireString(1024);

/**
 * One change to one record in a source system, normalized across systems. This schema is the
 * single definition of the shape; {@link Change} is inferred from it. Version 1 of the data of
 * every `com.tidemark.*.v1` event: a field added or changed here means a new event type version.
 */
export const ChangeSchema = z
  .strictObject({
    op: ChangeOpSchema,
    system: SystemSchema,
    /** Which installation of the system, e.g. `acme`. */
    instance: InstanceSchema,
    /** Plural, lowercase, e.g. `contacts`, `activities`, `customers`. */
    entityType: EntityTypeSchema,
    entityId: EntityIdSchema,
    /** The record after the change; `null` exactly when `op` is `delete`. */
    after: JsonObjectSchema.nullable(),
    /** The record before the change, where the source tells. */
    before: JsonObjectSchema.optional(),
    /** Names of the fields that changed, where the source tells. */
    changedFields: z.array(z.string().min(1)).optional(),
    /** Who made the change in the source; `null` when the source says nobody (a system job). */
    changedBy: z.string().nullable().optional(),
    /** When the change happened in the source. */
    changedAt: TimestampSchema,
    /**
     * What makes this change distinct in the source: ZeyOS lastmodified+hash, tSM
     * auditInfo.version, PeakTMS history entry id. Part of the event id.
     */
    version: wireString(1024),
    /** Monotonic position in a source feed, where the source has one. */
    sequence: wireString(256).optional(),
  })
  .superRefine((change, ctx) => {
    if (change.op === 'delete' && change.after !== null) {
      ctx.addIssue({ code: 'custom', path: ['after'], message: 'must be null for a delete' });
    }
    if (change.op !== 'delete' && change.after === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['after'],
        message: `must be a record for ${change.op}`,
      });
    }
  });

export type Change = z.infer<typeof ChangeSchema>;
