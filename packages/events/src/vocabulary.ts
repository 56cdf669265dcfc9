import { z } from 'zod';

/** The business systems Tidemark polls. */
export const systems = ['peaktms', 'tsm', 'zeyos'] as const;
export const SystemSchema = z.enum(systems);
export type System = z.infer<typeof SystemSchema>;

/** What happened to a record. `snapshot` is a full read (initial load, backfill, reconciliation). */
export const changeOps = ['create', 'update', 'delete', 'snapshot'] as const;
export const ChangeOpSchema = z.enum(changeOps);
export type ChangeOp = z.infer<typeof ChangeOpSchema>;

/**
 * Entity type as it appears in topic names and event types: lowercase letters, digits, `-`, `_`.
 * Kafka allows 249 characters in a topic name; 100 leaves room for the `tidemark.<system>.` prefix
 * and for derived names (dead letters, retries).
 */
export const EntityTypeSchema = z
  .string()
  .max(100)
  .regex(/^[a-z0-9_-]+$/, 'must be lowercase letters, digits, "-" or "_"');

/**
 * Installation name, a path segment of the event `source`. Limited to characters that need no
 * escaping in a URI path and to lower case, so one installation has exactly one spelling.
 */
export const InstanceSchema = z
  .string()
  .max(63)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, "-" or "_"');

/**
 * A string that travels in a Kafka header or into the event id: non-empty, bounded, and
 * well-formed Unicode without U+0000. A lone surrogate would be replaced on its way to UTF-8 (two
 * ids could collide, a header would change in transit); NUL separates the fields of the id recipe.
 */
export function wireString(maxLength: number) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .refine(
      (value) => !value.includes('\u0000') && !/\p{Cs}/u.test(value),
      'must be well-formed Unicode without NUL',
    );
}
