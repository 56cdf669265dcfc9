import type { S3Client } from '@aws-sdk/client-s3';
import {
  kafkaEnvShape,
  kafkaSettingsFromEnv,
  loadConfig,
  localStack,
  s3EnvShape,
  s3SettingsFromEnv,
} from '@tidemark/config';
import { createKafkaClient, type KafkaClient } from '@tidemark/kafka';
import { createS3Client } from '@tidemark/s3';
import { z } from 'zod';
import { usageError, type CommandContext, type ParsedArgs } from '../command.js';

/** Where the archive commands read from: the sink's own variables, or the local stack. */
export interface ArchiveTarget {
  kafka: KafkaClient;
  s3: S3Client;
  bucket: string;
  prefix: string;
  topicFilter: ((topic: string) => boolean) | undefined;
}

const envSchema = z.object({ ...kafkaEnvShape, ...s3EnvShape });

export const archiveTargetOptions = {
  prefix: { type: 'string' },
  topic: { type: 'string' },
  local: { type: 'boolean' },
} as const;

/**
 * With `--local`, the local stack of `tidemark up` (its endpoint and development keys);
 * otherwise the same variables as the sink (TIDEMARK_KAFKA_*, TIDEMARK_S3_*, the AWS chain).
 */
export function archiveTarget(args: ParsedArgs, { env }: CommandContext): ArchiveTarget {
  const prefix = stringOption(args, 'prefix') ?? env['TIDEMARK_ARCHIVE_PREFIX'] ?? 'events';
  const topic = stringOption(args, 'topic');
  let topicFilter: ((name: string) => boolean) | undefined;
  if (topic !== undefined) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(topic);
    } catch {
      throw usageError(`archive: --topic is not a regular expression: ${topic}`);
    }
    topicFilter = (name) => pattern.test(name);
  }
  if (args.values['local'] === true) {
    const stack = localStack(env);
    return {
      kafka: createKafkaClient({ brokers: stack.kafkaBrokers, clientId: 'tidemark-cli' }),
      s3: createS3Client({
        bucket: stack.s3Bucket,
        endpoint: stack.s3Endpoint,
        credentials: { accessKeyId: stack.s3AccessKey, secretAccessKey: stack.s3SecretKey },
      }),
      bucket: stack.s3Bucket,
      prefix,
      topicFilter,
    };
  }
  const config = loadConfig(envSchema, env);
  const s3 = s3SettingsFromEnv(config);
  return {
    kafka: createKafkaClient({ ...kafkaSettingsFromEnv(config), clientId: 'tidemark-cli' }),
    s3: createS3Client(s3),
    bucket: s3.bucket,
    prefix,
    topicFilter,
  };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}
