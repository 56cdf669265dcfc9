import type { Logger } from '@tidemark/telemetry';
import { z } from 'zod';

/** Connection settings, usually from `kafkaSettingsFromEnv` of @tidemark/config. */
export const KafkaSettingsSchema = z.object({
  brokers: z.array(z.string().min(1)).min(1),
  clientId: z.string().min(1).default('tidemark'),
  ssl: z.boolean().default(false),
  sasl: z
    .object({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      username: z.string(),
      /** A Secret from @tidemark/config or a plain string; only read when connecting. */
      password: z.custom<{ reveal(): string } | string | undefined>(),
    })
    .optional(),
  /** Default 10 000 ms. */
  connectionTimeoutMs: z.number().int().positive().default(10_000),
  /** Default 30 000 ms. */
  requestTimeoutMs: z.number().int().positive().default(30_000),
});

export type KafkaSettings = z.input<typeof KafkaSettingsSchema>;
export type ResolvedKafkaSettings = z.output<typeof KafkaSettingsSchema>;

/** Tidemark's structured logger (from @tidemark/telemetry). */
export type KafkaLogger = Logger;
