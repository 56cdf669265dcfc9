import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import { JsonValueSchema, type JsonValue } from '@tidemark/events';

/**
 * The checkpoint of one stream: a record keyed by the stream id in a compacted topic
 * (`tidemark.checkpoints`), written in the same Kafka transaction as the events it covers. The
 * last committed value per key is the stream's position; nothing else is.
 */
export const CheckpointSchema = z.object({
  format: z.literal('tidemark.poller.checkpoint'),
  version: z.literal(1),
  stream: z.string().min(1),
  /** The source's own position (see ChangeSource.encodeState). */
  state: JsonValueSchema,
  /** When this checkpoint was committed (runtime clock, Unix ms). */
  committedAtMs: z.number().int(),
  /** Newest source change time seen so far (Unix ms), for lag. */
  newestChangeMs: z.number().int().nullable(),
  /** Events this stream has committed in total (informational). */
  eventsTotal: z.number().int().nonnegative(),
});

export type Checkpoint = z.infer<typeof CheckpointSchema>;

export function encodeCheckpoint(checkpoint: Checkpoint): string {
  return JSON.stringify(checkpoint);
}

/** @throws TidemarkError INPUT_INVALID (not retryable) when the bytes are not a checkpoint. */
export function decodeCheckpoint(bytes: Buffer | string): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (error) {
    throw new TidemarkError('INPUT_INVALID', 'checkpoint is not JSON', { cause: error });
  }
  const parsed = CheckpointSchema.safeParse(value);
  if (!parsed.success) {
    throw new TidemarkError('INPUT_INVALID', 'not a poller checkpoint', {
      details: { issues: parsed.error.issues.slice(0, 5).map((issue) => issue.path.join('.')) },
    });
  }
  return parsed.data;
}

export type { JsonValue };
