import { HeadBucketCommand } from '@aws-sdk/client-s3';
import type { LocalStack } from '@tidemark/config';
import { createKafkaClient, createProducer, ensureTopics } from '@tidemark/kafka';
import { createS3Client, putObject, toStorageError } from '@tidemark/s3';

const healthTopic = 'tidemark.health';

/** Proves the broker does what Tidemark needs first: create a topic and take a write. */
export async function checkKafka(stack: LocalStack): Promise<string> {
  const client = createKafkaClient({ brokers: stack.kafkaBrokers, clientId: 'tidemark-cli' });
  await ensureTopics(client, [{ name: healthTopic, partitions: 1, retentionMs: 3_600_000 }]);
  const producer = await createProducer(client);
  try {
    await producer.send(healthTopic, [{ key: 'cli', value: new Date().toISOString() }]);
  } finally {
    await producer.close();
  }
  return `Kafka ready at ${stack.kafkaBrokers.join(',')}`;
}

/** Proves the S3 server accepts a signed write into the archive bucket. */
export async function checkS3(stack: LocalStack): Promise<string> {
  const client = createS3Client({
    bucket: stack.s3Bucket,
    endpoint: stack.s3Endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: stack.s3AccessKey, secretAccessKey: stack.s3SecretKey },
  });
  try {
    await client.send(new HeadBucketCommand({ Bucket: stack.s3Bucket })).catch((error: unknown) => {
      throw toStorageError(error, `head bucket ${stack.s3Bucket}`);
    });
    await putObject(
      client,
      stack.s3Bucket,
      '_tidemark/health',
      new TextEncoder().encode(new Date().toISOString()),
    );
  } finally {
    client.destroy();
  }
  return `S3 ready at ${stack.s3Endpoint} (bucket ${stack.s3Bucket})`;
}
