/** A record as the consumer hands it over (structurally @tidemark/kafka's ConsumedMessage). */
export interface ArchiveInput {
  topic: string;
  partition: number;
  /** Decimal string. */
  offset: string;
  /** Epoch milliseconds, decimal string. */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

/**
 * A time `Date#toISOString` can write (it throws beyond ±8.64e15 ms). A Kafka timestamp is any
 * int64 a producer chose; past that range it is treated as absent rather than failing the batch.
 */
export function isDateMs(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
}
