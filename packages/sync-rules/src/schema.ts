/**
 * The rule file of the sync sink, as zod schemas: the single definition of its shape and of
 * the types the sink works with. A rule says which change events (system, entity, operations,
 * an optional condition) become writes to which target (system, entity), and how each target
 * field is made from the source record.
 */
import { z } from 'zod';
import { ChangeOpSchema, EntityTypeSchema, JsonValueSchema, SystemSchema } from '@tidemark/events';

/** A dotted path into a record, e.g. `address.city` or, on a PeakTMS view, `attributes.Cost`. */
export const FieldPathSchema = z
  .string()
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, 'a dotted path such as address.city, without spaces');

/** Conversions between the systems' value formats. */
export const conversions = [
  /** ZeyOS Unix seconds → ISO 8601 UTC (tSM). */
  'unix-seconds-to-iso',
  /** ISO 8601 (with any offset) → Unix seconds. */
  'iso-to-unix-seconds',
  /** A PeakTMS zoned date-time (`2026-11-23T10:00:00+01:00[Europe/Berlin]`) → ISO 8601 UTC. */
  'zoned-to-iso',
  /** ISO 8601 → a PeakTMS zoned date-time in the mapping's `zone` (default UTC). */
  'iso-to-zoned',
  /** A PeakTMS zoned date-time → Unix seconds. */
  'zoned-to-unix-seconds',
  /** Unix seconds → a PeakTMS zoned date-time in the mapping's `zone`. */
  'unix-seconds-to-zoned',
  'to-string',
  'to-number',
  'to-boolean',
] as const;
export const ConversionSchema = z.enum(conversions);
export type Conversion = z.infer<typeof ConversionSchema>;

/** An IANA time zone the runtime knows, e.g. `Europe/Berlin`. */
const TimeZoneSchema = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a known IANA time zone' },
);

/**
 * How one target field is made, exactly one of:
 * - `from`: a source field, optionally through a value map (`values`, source value as text →
 *   target value) and a conversion (`convert`, with `zone` for zoned date-times); `default` when
 *   the source field is missing or null, or its value is not in the map (else that is an error);
 * - `const`: a constant;
 * - `expr`: a JSONata expression over the source record, with `$event` (op, system, instance,
 *   entity, id, changedAt), for what a declarative mapping cannot say.
 * One flat object rather than a union, so a mistake gets one clear message, not one per branch.
 */
export const FieldMappingSchema = z
  .strictObject({
    from: FieldPathSchema.optional(),
    values: z.record(z.string(), JsonValueSchema).optional(),
    convert: ConversionSchema.optional(),
    zone: TimeZoneSchema.optional(),
    default: JsonValueSchema.optional(),
    const: JsonValueSchema.optional(),
    expr: z.string().min(1).optional(),
  })
  .superRefine((mapping, ctx) => {
    const kinds = (['from', 'const', 'expr'] as const).filter((key) => key in mapping);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? 'say how to make the field: from, const or expr'
            : `use one of from, const, expr (not ${kinds.join(' and ')})`,
      });
      return;
    }
    if (kinds[0] !== 'from') {
      for (const key of ['values', 'convert', 'zone', 'default'] as const) {
        if (key in mapping) {
          ctx.addIssue({ code: 'custom', path: [key], message: `${key} only goes with from` });
        }
      }
    }
  });
export type FieldMapping = z.infer<typeof FieldMappingSchema>;

export const RuleSchema = z.strictObject({
  /** Unique within the file; names the rule in logs, metrics and dead letters. */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'lowercase letters, digits, dot, dash, underscore'),
  description: z.string().optional(),
  from: z.strictObject({
    system: SystemSchema,
    entity: EntityTypeSchema,
    /** Which operations the rule reacts to. Default: all. */
    ops: z.array(ChangeOpSchema).min(1).optional(),
  }),
  /** A JSONata condition on the source record; the rule applies where it is true. */
  when: z.string().min(1).optional(),
  to: z.strictObject({ system: SystemSchema, entity: EntityTypeSchema }),
  /**
   * How to find a target record this sink did not create itself, before creating one (a create
   * stays idempotent after a lost id map): the target field that holds the source's reference,
   * and the source field it equals (default: the source record id).
   */
  match: z
    .strictObject({
      targetField: FieldPathSchema,
      sourceField: FieldPathSchema.optional(),
    })
    .optional(),
  /** Target field path → how to make it. */
  fields: z
    .record(FieldPathSchema, FieldMappingSchema)
    .refine((fields) => Object.keys(fields).length > 0, { message: 'map at least one field' }),
  /**
   * When no target record is found: `create` one (the default), or `skip`, for rules that only
   * change records that exist (archive them, flag them) and whose fields could not make one.
   */
  onMissing: z.enum(['create', 'skip']).default('create'),
  /** What a source delete does to the target record. */
  onDelete: z.enum(['delete', 'archive', 'ignore']).default('ignore'),
  /**
   * A write that meets a newer target change: `last-writer-wins` compares the source change
   * time with the target's last change; `source-wins` writes regardless.
   */
  conflict: z.enum(['last-writer-wins', 'source-wins']).default('last-writer-wins'),
});
export type Rule = z.output<typeof RuleSchema>;

export const RuleFileSchema = z
  .strictObject({
    version: z.literal(1),
    rules: z.array(RuleSchema).min(1),
  })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.rules.forEach((rule, index) => {
      const first = seen.get(rule.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'name'],
          message: `duplicate rule name (also rules[${first}])`,
        });
      } else seen.set(rule.name, index);
      if (rule.from.system === rule.to.system && rule.from.entity === rule.to.entity) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'to'],
          message: 'a rule may not write into the entity it reads from',
        });
      }
    });
  });
export type RuleFile = z.output<typeof RuleFileSchema>;
