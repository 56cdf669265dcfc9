import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DeleteObjectsCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { isTidemarkError } from '@tidemark/errors';
import { getObjectBytes, listObjects, putObject } from '@tidemark/s3';
import { inject } from 'vitest';
import { testS3 } from '../support/s3.js';

const { client, bucket } = testS3();
const prefix = `test/${randomUUID()}/`;

afterAll(async () => {
  const keys = [];
  for await (const object of listObjects(client, bucket, prefix)) keys.push({ Key: object.key });
  if (keys.length > 0)
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  client.destroy();
});

describe('S3 server through @aws-sdk/client-s3 with its default checksums', () => {
  it('puts, gets and heads a small object', async () => {
    const body = new TextEncoder().encode('{"hello":"archive"}\n');
    const result = await putObject(client, bucket, `${prefix}small.jsonl`, body, {
      contentType: 'application/x-ndjson',
    });
    expect(result.multipart).toBe(false);
    expect(
      Buffer.from(await getObjectBytes(client, bucket, `${prefix}small.jsonl`)).toString(),
    ).toBe('{"hello":"archive"}\n');
    const head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}small.jsonl` }),
    );
    expect(head.ContentLength).toBe(body.byteLength);
  });

  it('uploads a large object in parts and reads back the same bytes', async () => {
    const body = randomBytes(12 * 1024 * 1024 + 123);
    const result = await putObject(client, bucket, `${prefix}large.bin`, body, {
      multipartThresholdBytes: 5 * 1024 * 1024,
      partSizeBytes: 5 * 1024 * 1024,
    });
    expect(result).toEqual({ multipart: true, parts: 3 });
    const back = await getObjectBytes(client, bucket, `${prefix}large.bin`);
    expect(Buffer.compare(Buffer.from(back), body)).toBe(0);
  });

  it('lists across pages', async () => {
    const names = Array.from(
      { length: 7 },
      (_, index) => `${prefix}list/${String(index).padStart(3, '0')}`,
    );
    await Promise.all(names.map((key) => putObject(client, bucket, key, new Uint8Array([1]))));
    const listed: string[] = [];
    for await (const object of listObjects(client, bucket, `${prefix}list/`))
      listed.push(object.key);
    expect(listed.sort()).toEqual(names);
  });

  it('rejects a request signed with the wrong secret', async () => {
    const stack = inject('stack');
    const wrong = new S3Client({
      endpoint: stack.s3Endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: stack.s3AccessKey, secretAccessKey: 'not-the-secret' },
    });
    const outcome = await putObject(wrong, bucket, `${prefix}denied`, new Uint8Array([1])).then(
      () => undefined,
      (error: unknown) => error,
    );
    wrong.destroy();
    expect(isTidemarkError(outcome) && outcome.code).toBe('STORAGE_FATAL');
    expect(isTidemarkError(outcome) && outcome.details['status']).toBe(403);
  });
});
