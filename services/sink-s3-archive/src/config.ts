import { z } from 'zod';
import {
  envEnum,
  envInt,
  envString,
  kafkaEnvShape,
  kafkaSettingsFromEnv,
  loadConfig,
  s3EnvShape,
  s3SettingsFromEnv,
  serviceEnvShape,
  type Env,
} from '@tidemark/config';
import { EVENT_TOPIC_PATTERN } from '@tidemark/events';

const mib = 1024 * 1024;

const envRegex = () =>
  envString().refine((value) => {
    try {
      new RegExp(value);
      return true;
    } catch {
      return false;
    }
  }, 'must be a regular expression');

/** The sink's own variables; defaults in the TSDoc of each. */
const archiveEnvShape = {
  /** Consumer group. Default `tidemark-sink-s3-archive`. */
  TIDEMARK_ARCHIVE_GROUP_ID: envString().default('tidemark-sink-s3-archive'),
  /** Topics to archive, as a regular expression. Default: every event topic. */
  TIDEMARK_ARCHIVE_TOPIC_PATTERN: envRegex().default(EVENT_TOPIC_PATTERN.source),
  /** Key prefix in the bucket. Default `events`. */
  TIDEMARK_ARCHIVE_PREFIX: envString().default('events'),
  /** Records per object. Default 100 000. */
  TIDEMARK_ARCHIVE_MAX_FILE_RECORDS: envInt({ min: 1 }).default(100_000),
  /** Uncompressed bytes per object. Default 64 MiB. */
  TIDEMARK_ARCHIVE_MAX_FILE_BYTES: envInt({ min: 1024 }).default(64 * mib),
  /** Idle flush: an object open this long is written anyway. Default 60 000 ms. */
  TIDEMARK_ARCHIVE_MAX_FILE_AGE_MS: envInt({ min: 100 }).default(60_000),
  /** Memory for open and pending objects; consumption pauses at the limit. Default 256 MiB. */
  TIDEMARK_ARCHIVE_MAX_BUFFERED_BYTES: envInt({ min: 1024 }).default(256 * mib),
  /**
   * gzip level 1-9. Default 3: on JSON events about twice as fast as 6 for objects about 5 %
   * larger (zlib's levels 1-3 skip lazy matching); compression is most of the archive's CPU.
   * Changing it changes the bytes of objects written from then on, not their lines.
   */
  TIDEMARK_ARCHIVE_GZIP_LEVEL: envInt({ min: 1, max: 9 }).default(3),
  /** Objects at least this large go through multipart upload. Default 16 MiB (minimum 5 MiB). */
  TIDEMARK_ARCHIVE_MULTIPART_THRESHOLD_BYTES: envInt({ min: 5 * mib }).default(16 * mib),
  /** Part size of multipart uploads. Default 8 MiB (minimum 5 MiB). */
  TIDEMARK_ARCHIVE_PART_SIZE_BYTES: envInt({ min: 5 * mib }).default(8 * mib),
  /** Server-side encryption: `AES256`, `aws:kms` or `aws:kms:dsse`. Default: the bucket's. */
  TIDEMARK_ARCHIVE_SSE: envEnum(['AES256', 'aws:kms', 'aws:kms:dsse']).optional(),
  /** KMS key for `aws:kms`. Default: the account's S3 key. */
  TIDEMARK_ARCHIVE_SSE_KMS_KEY_ID: envString().optional(),
  /** Storage class, e.g. `STANDARD_IA`. Default: the bucket's (STANDARD). */
  TIDEMARK_ARCHIVE_STORAGE_CLASS: envEnum([
    'STANDARD',
    'STANDARD_IA',
    'ONEZONE_IA',
    'INTELLIGENT_TIERING',
    'GLACIER_IR',
    'GLACIER',
    'DEEP_ARCHIVE',
    'REDUCED_REDUNDANCY',
  ]).optional(),
  /**
   * Most bytes one fetch returns per partition: the largest batch the archiver takes at once.
   * Kafka's round trips dominate a plain consume at small sizes. Default 4 MiB.
   */
  TIDEMARK_ARCHIVE_FETCH_MAX_BYTES_PER_PARTITION: envInt({ min: 64 * 1024 }).default(4 * mib),
  /**
   * Most bytes one fetch returns over all partitions: memory kafkajs holds while it decodes,
   * on top of what MAX_BUFFERED_BYTES bounds. Default 16 MiB.
   */
  TIDEMARK_ARCHIVE_FETCH_MAX_BYTES: envInt({ min: 64 * 1024 }).default(16 * mib),
  /** Partitions handled at once. Default 3. */
  TIDEMARK_ARCHIVE_PARTITIONS_CONCURRENTLY: envInt({ min: 1, max: 64 }).default(3),
  /** How often the pattern subscription looks for new topics. Default 30 000 ms. */
  TIDEMARK_ARCHIVE_METADATA_MAX_AGE_MS: envInt({ min: 100 }).default(30_000),
  /** Group session timeout: how soon a crashed instance's partitions move on. Default 30 000 ms. */
  TIDEMARK_ARCHIVE_SESSION_TIMEOUT_MS: envInt({ min: 6_000 }).default(30_000),
  /** Drain time on SIGTERM. Default 30 000 ms. */
  TIDEMARK_SHUTDOWN_GRACE_MS: envInt({ min: 0 }).default(30_000),
};

const schema = z
  .object({ ...kafkaEnvShape, ...s3EnvShape, ...serviceEnvShape, ...archiveEnvShape })
  .transform((env) => ({
    kafka: kafkaSettingsFromEnv(env),
    s3: s3SettingsFromEnv(env),
    httpPort: env.TIDEMARK_HTTP_PORT,
    logLevel: env.TIDEMARK_LOG_LEVEL,
    groupId: env.TIDEMARK_ARCHIVE_GROUP_ID,
    topicPattern: new RegExp(env.TIDEMARK_ARCHIVE_TOPIC_PATTERN),
    partitionsConcurrently: env.TIDEMARK_ARCHIVE_PARTITIONS_CONCURRENTLY,
    fetch: {
      maxBytesPerPartition: env.TIDEMARK_ARCHIVE_FETCH_MAX_BYTES_PER_PARTITION,
      maxBytes: env.TIDEMARK_ARCHIVE_FETCH_MAX_BYTES,
    },
    metadataMaxAgeMs: env.TIDEMARK_ARCHIVE_METADATA_MAX_AGE_MS,
    sessionTimeoutMs: env.TIDEMARK_ARCHIVE_SESSION_TIMEOUT_MS,
    shutdownGraceMs: env.TIDEMARK_SHUTDOWN_GRACE_MS,
    archive: {
      prefix: env.TIDEMARK_ARCHIVE_PREFIX,
      maxRecords: env.TIDEMARK_ARCHIVE_MAX_FILE_RECORDS,
      maxBytes: env.TIDEMARK_ARCHIVE_MAX_FILE_BYTES,
      maxFileAgeMs: env.TIDEMARK_ARCHIVE_MAX_FILE_AGE_MS,
      maxBufferedBytes: env.TIDEMARK_ARCHIVE_MAX_BUFFERED_BYTES,
      gzipLevel: env.TIDEMARK_ARCHIVE_GZIP_LEVEL,
    },
    put: {
      // The bytes are a .gz file, not a gzip-encoded transfer of JSON: tools must not unzip them.
      contentType: 'application/gzip',
      multipartThresholdBytes: env.TIDEMARK_ARCHIVE_MULTIPART_THRESHOLD_BYTES,
      partSizeBytes: env.TIDEMARK_ARCHIVE_PART_SIZE_BYTES,
      serverSideEncryption: env.TIDEMARK_ARCHIVE_SSE,
      sseKmsKeyId: env.TIDEMARK_ARCHIVE_SSE_KMS_KEY_ID,
      storageClass: env.TIDEMARK_ARCHIVE_STORAGE_CLASS,
    },
  }));

export type ArchiveConfig = z.output<typeof schema>;

/** Reads the sink's configuration; throws CONFIG_INVALID listing every problem. */
export function loadArchiveConfig(env: Env): ArchiveConfig {
  return loadConfig(schema, env);
}
