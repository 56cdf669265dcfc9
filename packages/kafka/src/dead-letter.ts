import { z } from 'zod';
import { describeError, isTidemarkError } from '@tidemark/errors';
import type { ConsumedMessage } from './messages.js';
import { headersToStrings } from './messages.js';
import type { PlainProducer } from './producer.js';

/**
 * Header names a dead letter carries beside the original message's own headers. The
 * original key, value and headers are kept byte for byte: a dead letter is data to
 * inspect and replay, so nothing of the input may be lost on the way in.
 */
export const deadLetterHeaders = {
  reason: 'tidemark-dlq-reason',
  code: 'tidemark-dlq-code',
  retryable: 'tidemark-dlq-retryable',
  topic: 'tidemark-dlq-topic',
  partition: 'tidemark-dlq-partition',
  offset: 'tidemark-dlq-offset',
  consumer: 'tidemark-dlq-consumer',
  failedAt: 'tidemark-dlq-failed-at',
} as const;

/** The dead-letter facts as read back from a message (CLI, tests, replay). */
export const DeadLetterInfoSchema = z.object({
  [deadLetterHeaders.reason]: z.string(),
  [deadLetterHeaders.code]: z.string(),
  [deadLetterHeaders.retryable]: z.enum(['true', 'false']),
  [deadLetterHeaders.topic]: z.string(),
  [deadLetterHeaders.partition]: z.string().regex(/^\d+$/),
  [deadLetterHeaders.offset]: z.string().regex(/^\d+$/),
  [deadLetterHeaders.consumer]: z.string(),
  [deadLetterHeaders.failedAt]: z.iso.datetime(),
});

export type DeadLetterInfo = z.infer<typeof DeadLetterInfoSchema>;

// Bounded so a giant error text cannot push the record past the broker's size limit.
const maxReasonLength = 2000;

export interface DeadLetterPublisher {
  /** Sends the failed message to the dead-letter topic; resolves once acknowledged. */
  publish(message: ConsumedMessage, error: unknown): Promise<void>;
}

export function createDeadLetterPublisher(
  producer: PlainProducer,
  options: { topic: string; consumer: string; now?: () => Date },
): DeadLetterPublisher {
  const now = options.now ?? (() => new Date());
  return {
    async publish(message, error) {
      const original = headersToStrings(message.headers);
      await producer.send(options.topic, [
        {
          key: message.key === null ? null : message.key.toString('utf8'),
          value: message.value,
          headers: {
            ...original,
            [deadLetterHeaders.reason]: describeError(error).slice(0, maxReasonLength),
            [deadLetterHeaders.code]: isTidemarkError(error) ? error.code : 'INTERNAL',
            [deadLetterHeaders.retryable]: String(isTidemarkError(error) && error.retryable),
            [deadLetterHeaders.topic]: message.topic,
            [deadLetterHeaders.partition]: String(message.partition),
            [deadLetterHeaders.offset]: message.offset,
            [deadLetterHeaders.consumer]: options.consumer,
            [deadLetterHeaders.failedAt]: now().toISOString(),
          },
        },
      ]);
    },
  };
}

/** Reads the dead-letter facts of a consumed dead letter, or undefined if it is not one. */
export function readDeadLetterInfo(message: ConsumedMessage): DeadLetterInfo | undefined {
  const parsed = DeadLetterInfoSchema.safeParse(headersToStrings(message.headers));
  return parsed.success ? parsed.data : undefined;
}
