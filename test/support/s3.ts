import { inject } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '@tidemark/s3';

/** An S3 client on the test server, signing with the local server's development keys. */
export function testS3(): { client: S3Client; bucket: string } {
  const stack = inject('stack');
  const client = createS3Client({
    bucket: stack.s3Bucket,
    endpoint: stack.s3Endpoint,
    credentials: { accessKeyId: stack.s3AccessKey, secretAccessKey: stack.s3SecretKey },
  });
  return { client, bucket: stack.s3Bucket };
}
