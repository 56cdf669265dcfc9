import { backoffDelayMs, isTidemarkError, sleep, type BackoffPolicy } from '@tidemark/errors';

export interface TransientRetryPolicy extends BackoffPolicy {
  /** Tries in all, the first included. Default 8 (about 15 s of waiting at most). */
  attempts?: number;
}

/**
 * Runs an admin step again while it fails with a retryable Kafka error. Right after a topic is
 * created, a broker may still answer "not the leader" or "does not host this topic-partition"
 * for a moment although `createTopics` waited for leaders; at start-up that must be a short
 * wait, not a crash. Only the broker's retryable answers are retried here (a step's own
 * deadline is not: the caller chose it); others, and the last retry's, propagate.
 */
export async function retryTransient<T>(
  step: () => Promise<T>,
  policy: TransientRetryPolicy = {},
): Promise<T> {
  const attempts = policy.attempts ?? 8;
  const backoff = {
    baseDelayMs: policy.baseDelayMs ?? 200,
    maxDelayMs: policy.maxDelayMs ?? 5_000,
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!isBrokerHiccup(error) || attempt >= attempts) throw error;
      await sleep(backoffDelayMs(attempt, backoff));
    }
  }
}

function isBrokerHiccup(error: unknown): boolean {
  return isTidemarkError(error) && error.retryable && error.details['kafkaError'] !== undefined;
}
