import type { z } from 'zod';
import { envBool, envEnum, envHostPorts, envInt, envSecret, envString, envUrl } from './fields.js';

/**
 * Variables every Tidemark service shares. Defaults match the local stack that
 * `tidemark up` and the test setup start (infra/README.md lists the ports).
 */
export const kafkaEnvShape = {
  /** Bootstrap servers, comma-separated host:port. Default: the local broker. */
  TIDEMARK_KAFKA_BROKERS: envHostPorts().default(['127.0.0.1:19092']),
  TIDEMARK_KAFKA_CLIENT_ID: envString().default('tidemark'),
  TIDEMARK_KAFKA_SSL: envBool().default(false),
  TIDEMARK_KAFKA_SASL_MECHANISM: envEnum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  TIDEMARK_KAFKA_SASL_USERNAME: envString().optional(),
  TIDEMARK_KAFKA_SASL_PASSWORD: envSecret().optional(),
  /** Partitions for event topics Tidemark creates. Default 3. */
  TIDEMARK_KAFKA_TOPIC_PARTITIONS: envInt({ min: 1, max: 1000 }).default(3),
  /** Replication factor for topics Tidemark creates. Default 1 (the single local broker). */
  TIDEMARK_KAFKA_REPLICATION_FACTOR: envInt({ min: 1, max: 10 }).default(1),
};

export type KafkaEnv = z.output<z.ZodObject<typeof kafkaEnvShape>>;

/** Settings for @tidemark/kafka, derived from the variables above. */
export function kafkaSettingsFromEnv(env: KafkaEnv) {
  const sasl =
    env.TIDEMARK_KAFKA_SASL_MECHANISM === undefined
      ? undefined
      : {
          mechanism: env.TIDEMARK_KAFKA_SASL_MECHANISM,
          username: env.TIDEMARK_KAFKA_SASL_USERNAME ?? '',
          password: env.TIDEMARK_KAFKA_SASL_PASSWORD,
        };
  return {
    brokers: env.TIDEMARK_KAFKA_BROKERS,
    clientId: env.TIDEMARK_KAFKA_CLIENT_ID,
    ssl: env.TIDEMARK_KAFKA_SSL,
    sasl,
    topicDefaults: {
      partitions: env.TIDEMARK_KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.TIDEMARK_KAFKA_REPLICATION_FACTOR,
    },
  };
}

/**
 * S3 location of the archive. Credentials and region come from the standard AWS chain
 * (AWS_ACCESS_KEY_ID, AWS_PROFILE, instance roles ...), read by the AWS SDK itself;
 * only an endpoint override for S3-compatible servers is Tidemark's own.
 */
export const s3EnvShape = {
  TIDEMARK_S3_BUCKET: envString().default('tidemark-archive'),
  /** For S3-compatible servers (S3Proxy, MinIO). Unset: AWS's own endpoints. */
  TIDEMARK_S3_ENDPOINT: envUrl().optional(),
  /** Path-style addressing, needed by most S3-compatible servers. Default: true when an endpoint is set. */
  TIDEMARK_S3_FORCE_PATH_STYLE: envBool().optional(),
  /** Region when the AWS chain has none. */
  AWS_REGION: envString().optional(),
};

export type S3Env = z.output<z.ZodObject<typeof s3EnvShape>>;

export function s3SettingsFromEnv(env: S3Env) {
  return {
    bucket: env.TIDEMARK_S3_BUCKET,
    endpoint: env.TIDEMARK_S3_ENDPOINT,
    forcePathStyle: env.TIDEMARK_S3_FORCE_PATH_STYLE ?? env.TIDEMARK_S3_ENDPOINT !== undefined,
    region: env.AWS_REGION ?? 'us-east-1',
  };
}

/** The operational HTTP port (/healthz, /readyz, /metrics) and log level of a service. */
export const serviceEnvShape = {
  TIDEMARK_HTTP_PORT: envInt({ min: 0, max: 65535 }).default(0),
  TIDEMARK_LOG_LEVEL: envEnum(['debug', 'info', 'warn', 'error']).default('info'),
};
