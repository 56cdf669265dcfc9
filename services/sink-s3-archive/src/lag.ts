import type { KafkaClient } from '@tidemark/kafka';

/**
 * Lag per partition = the partition's high watermark minus the sink's committed offset, read
 * with one admin connection every `intervalMs`. Only partitions this instance has committed
 * are reported: another instance reports the rest.
 */
export function startLagProbe(
  kafka: KafkaClient,
  committed: () => ReadonlyMap<string, { topic: string; partition: number; offset: string }>,
  report: (topic: string, partition: number, lag: number) => void,
  intervalMs = 10_000,
): { stop(): Promise<void> } {
  const admin = kafka.kafka.admin();
  let connected: Promise<void> | undefined;
  let running: Promise<void> = Promise.resolve();
  const probe = async () => {
    connected ??= admin.connect();
    await connected;
    const byTopic = new Map<string, Map<number, bigint>>();
    for (const entry of committed().values()) {
      const partitions = byTopic.get(entry.topic) ?? new Map<number, bigint>();
      partitions.set(entry.partition, BigInt(entry.offset));
      byTopic.set(entry.topic, partitions);
    }
    for (const [topic, partitions] of byTopic) {
      for (const entry of await admin.fetchTopicOffsets(topic)) {
        const offset = partitions.get(entry.partition);
        if (offset !== undefined)
          report(topic, entry.partition, Number(BigInt(entry.high) - offset));
      }
    }
  };
  const timer = setInterval(() => {
    running = probe().catch(() => {
      connected = undefined;
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await admin.disconnect().catch(() => undefined);
    },
  };
}
