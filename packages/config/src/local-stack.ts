import { z } from 'zod';
import { envInt, envString } from './fields.js';
import { loadConfig, type Env } from './load-config.js';

/**
 * Where the local stack of infra/ listens. The infra scripts read the same variables
 * with the same defaults (infra/README.md), so scripts, tests and `tidemark up` agree.
 */
const localStackSchema = z
  .object({
    TIDEMARK_KAFKA_PORT: envInt({ min: 1, max: 65535 }).default(19092),
    TIDEMARK_S3_PORT: envInt({ min: 1, max: 65535 }).default(19000),
    TIDEMARK_S3_BUCKET: envString().default('tidemark-archive'),
    TIDEMARK_S3_ACCESS_KEY: envString().default('tidemark'),
    TIDEMARK_S3_SECRET_KEY: envString().default('tidemark-secret'),
  })
  .transform((env) => ({
    kafkaPort: env.TIDEMARK_KAFKA_PORT,
    kafkaBrokers: [`127.0.0.1:${env.TIDEMARK_KAFKA_PORT}`],
    s3Port: env.TIDEMARK_S3_PORT,
    s3Endpoint: `http://127.0.0.1:${env.TIDEMARK_S3_PORT}`,
    s3Bucket: env.TIDEMARK_S3_BUCKET,
    // Local development credentials of the S3 server that infra/s3 starts, not secrets.
    s3AccessKey: env.TIDEMARK_S3_ACCESS_KEY,
    s3SecretKey: env.TIDEMARK_S3_SECRET_KEY,
  }));

export type LocalStack = z.output<typeof localStackSchema>;

export function localStack(env: Env): LocalStack {
  return loadConfig(localStackSchema, env);
}

/**
 * The variables a Tidemark service needs to use the local stack: brokers, the S3
 * endpoint override and the AWS chain's credentials for the local S3 server.
 */
export function localStackServiceEnv(stack: LocalStack): Record<string, string> {
  return {
    TIDEMARK_KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    TIDEMARK_S3_ENDPOINT: stack.s3Endpoint,
    TIDEMARK_S3_BUCKET: stack.s3Bucket,
    AWS_ACCESS_KEY_ID: stack.s3AccessKey,
    AWS_SECRET_ACCESS_KEY: stack.s3SecretKey,
    AWS_REGION: 'us-east-1',
  };
}
