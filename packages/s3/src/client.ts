import { S3Client } from '@aws-sdk/client-s3';

export interface S3Settings {
  bucket: string;
  /** Override for S3-compatible servers; unset: AWS's own endpoints. */
  endpoint?: string | undefined;
  /** Path-style addressing (bucket in the path), needed by most S3-compatible servers. */
  forcePathStyle?: boolean;
  region?: string;
  /** Default 3 (the SDK's standard retry mode adds backoff between attempts). */
  maxAttempts?: number;
  /**
   * Explicit keys, for tools that talk to the local development server only. Services
   * leave this unset so the standard AWS chain applies.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * An S3 client whose credentials come from the standard AWS chain (environment,
 * shared profile, container or instance role), resolved by the SDK itself; Tidemark
 * never reads or holds the keys.
 */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle ?? settings.endpoint !== undefined,
    region: settings.region ?? 'us-east-1',
    maxAttempts: settings.maxAttempts ?? 3,
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
  });
}
