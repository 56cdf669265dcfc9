import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import { type Change, ChangeSchema, EntityIdSchema, TimestampSchema } from './change.js';
import { eventIdFor } from './event-id.js';
import { eventTypeFor, sourceFor } from './naming.js';
import { TraceparentSchema, TracestateSchema } from './trace-context.js';
import { wireString } from './vocabulary.js';

/** The media type of Tidemark event data. */
export const EVENT_DATA_CONTENT_TYPE = 'application/json';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A Tidemark CloudEvent (spec 1.0) with its data, in the shape of the JSON event format. Besides
 * each attribute's own rule, the attributes must agree with the data they describe: type, source,
 * subject, partition key, time, sequence and id are all derived from the change, so a message
 * whose headers contradict its value is rejected. Unknown extension attributes are dropped
 * (CloudEvents asks receivers to tolerate them); unknown data fields are rejected (the data
 * schema is versioned through the type).
 *
 * Extension names obey the CloudEvents rule: lowercase a-z and 0-9, at most 20 characters.
 */
export const TidemarkEventSchema = z
  .object({
    specversion: z.literal('1.0'),
    id: z.string().regex(uuidPattern, 'must be a lowercase UUID'),
    source: z.string().min(1),
    type: z.string().min(1),
    subject: EntityIdSchema,
    time: TimestampSchema,
    datacontenttype: z.literal(EVENT_DATA_CONTENT_TYPE),
    dataschema: z.url().max(2048).optional(),
    /** Partitioning extension; becomes the Kafka key, so all changes of a record stay in order. */
    partitionkey: EntityIdSchema,
    /** Follows a change from the poll that saw it to the write it caused. */
    correlationid: wireString(256),
    /** Id of the event or command that caused this one, where there is one. */
    causationid: wireString(256).optional(),
    /** W3C trace context of the trace that first saw the change. */
    traceparent: TraceparentSchema.optional(),
    tracestate: TracestateSchema.optional(),
    /** Sequence extension: the change's position in the source feed, where it has one. */
    sequence: wireString(256).optional(),
    data: ChangeSchema,
  })
  .superRefine((event, ctx) => {
    // Refinements run even after non-aborting issues (a failed regex, say); the derivations
    // below assume a valid change, and a broken one has already been reported.
    if (ctx.issues.length > 0) return;
    const change = event.data;
    const expected: [keyof typeof event, string | undefined][] = [
      ['type', eventTypeFor(change.system, change.entityType, change.op)],
      ['source', sourceFor(change.system, change.instance, change.entityType)],
      ['subject', change.entityId],
      ['partitionkey', change.entityId],
      ['time', change.changedAt],
      ['sequence', change.sequence],
      ['id', eventIdFor(change)],
    ];
    for (const [attribute, value] of expected) {
      if (event[attribute] !== value) {
        ctx.addIssue({ code: 'custom', path: [attribute], message: 'does not match the data' });
      }
    }
    if (event.tracestate !== undefined && event.traceparent === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tracestate'], message: 'requires traceparent' });
    }
  });

export type TidemarkEvent = z.infer<typeof TidemarkEventSchema>;

/** Context of the publish that is not part of the change itself. */
export interface ChangeEventOptions {
  /** Correlation id of the poll that saw the change. Required. */
  correlationId: string;
  /** Id of what caused this change, if known. */
  causationId?: string | undefined;
  /** W3C `traceparent` of the trace that first saw the change. */
  traceparent?: string | undefined;
  /** W3C `tracestate`; only together with `traceparent`. */
  tracestate?: string | undefined;
  /** URI of the data schema. Default: none (the version is in the type). */
  dataschema?: string | undefined;
}

/**
 * Wraps a change into its CloudEvent: derives type, source, subject, time, partition key and the
 * deterministic id from the change, adds the options, and validates the result.
 * @throws TidemarkError `EVENT_INVALID` (not retryable) if the change or an option is invalid;
 * `details.issues` lists each offending path.
 */
export function buildChangeEvent(change: Change, options: ChangeEventOptions): TidemarkEvent {
  const parsedChange = ChangeSchema.safeParse(change);
  if (!parsedChange.success) throw invalidEvent('invalid change', parsedChange.error, ['data']);
  const valid = parsedChange.data;
  const candidate = {
    specversion: '1.0',
    id: eventIdFor(valid),
    source: sourceFor(valid.system, valid.instance, valid.entityType),
    type: eventTypeFor(valid.system, valid.entityType, valid.op),
    subject: valid.entityId,
    time: valid.changedAt,
    datacontenttype: EVENT_DATA_CONTENT_TYPE,
    ...definedOnly({ dataschema: options.dataschema }),
    partitionkey: valid.entityId,
    correlationid: options.correlationId,
    ...definedOnly({
      causationid: options.causationId,
      traceparent: options.traceparent,
      tracestate: options.tracestate,
      sequence: valid.sequence,
    }),
    data: valid,
  };
  const parsed = TidemarkEventSchema.safeParse(candidate);
  if (!parsed.success) throw invalidEvent('invalid event options', parsed.error);
  return parsed.data;
}

/**
 * The event in the CloudEvents JSON format (structured mode): attributes in a fixed order, then
 * `data`. `JSON.stringify` of it is one line of the S3 archive. Times are kept exactly as the
 * source wrote them (the SDK's own serializer would rewrite them to UTC milliseconds).
 */
export function toStructuredJson(event: TidemarkEvent): TidemarkEvent {
  return {
    specversion: event.specversion,
    id: event.id,
    source: event.source,
    type: event.type,
    subject: event.subject,
    time: event.time,
    datacontenttype: event.datacontenttype,
    ...definedOnly({ dataschema: event.dataschema }),
    partitionkey: event.partitionkey,
    correlationid: event.correlationid,
    ...definedOnly({
      causationid: event.causationid,
      traceparent: event.traceparent,
      tracestate: event.tracestate,
      sequence: event.sequence,
    }),
    data: event.data,
  };
}

/** The result of reading an event from the wire or the archive; never thrown. */
export type DecodeResult = { ok: true; event: TidemarkEvent } | { ok: false; error: TidemarkError };

/**
 * Reads one structured-mode JSON event (e.g. a parsed line of the S3 archive).
 * Fails with `EVENT_INVALID` (not retryable) if it is not a valid Tidemark event.
 */
export function fromStructuredJson(value: unknown): DecodeResult {
  try {
    const parsed = TidemarkEventSchema.safeParse(value);
    if (parsed.success) return { ok: true, event: parsed.data };
    return { ok: false, error: invalidEvent('invalid event', parsed.error) };
  } catch (error: unknown) {
    // A schema walking a hostile value could still hit the stack limit; callers were promised
    // a result, never a throw.
    return {
      ok: false,
      error: new TidemarkError('EVENT_INVALID', 'event could not be validated', {
        retryable: false,
        cause: error,
        details: { reason: 'validation failed unexpectedly' },
      }),
    };
  }
}

/** At most this many issues are copied into error details. */
const MAX_REPORTED_ISSUES = 10;

/**
 * A non-retryable `EVENT_INVALID` naming each offending path and rule, never the values: the
 * details end up in logs and dead letters, and record contents may be personal data.
 */
export function invalidEvent(
  message: string,
  error: z.ZodError,
  pathPrefix: (string | number)[] = [],
): TidemarkError {
  const issues = error.issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => ({
    path: [...pathPrefix, ...issue.path.map(String)].join('.'),
    code: issue.code,
    message: issue.message,
  }));
  return new TidemarkError('EVENT_INVALID', message, {
    retryable: false,
    details: { attribute: issues[0]?.path ?? '', issues, issueCount: error.issues.length },
  });
}

/** Copies only the keys whose value is defined, so optional attributes are absent, not undefined. */
function definedOnly<T extends Record<string, unknown>>(record: T): Partial<T> {
  const result: Partial<T> = {};
  for (const key of Object.keys(record) as (keyof T)[]) {
    if (record[key] !== undefined) result[key] = record[key];
  }
  return result;
}
