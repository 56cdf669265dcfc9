import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
  type ServerSideEncryption,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { toStorageError } from './errors.js';

export interface PutOptions {
  contentType?: string;
  contentEncoding?: string;
  serverSideEncryption?: ServerSideEncryption;
  sseKmsKeyId?: string;
  storageClass?: StorageClass;
  /** Bodies at least this large go through multipart upload. Default 16 MiB; minimum 5 MiB (S3's part floor). */
  multipartThresholdBytes?: number;
  /** Default 8 MiB. */
  partSizeBytes?: number;
}

const mib = 1024 * 1024;

/**
 * Writes an object whole. Large bodies are split into fixed-size parts, so the same
 * body always yields the same parts; a failed multipart upload is aborted so no
 * orphaned parts keep costing storage.
 */
export async function putObject(
  client: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array,
  options: PutOptions = {},
): Promise<{ multipart: boolean; parts: number }> {
  const threshold = Math.max(5 * mib, options.multipartThresholdBytes ?? 16 * mib);
  const partSize = Math.max(5 * mib, options.partSizeBytes ?? 8 * mib);
  const common = {
    Bucket: bucket,
    Key: key,
    ContentType: options.contentType,
    ContentEncoding: options.contentEncoding,
    ServerSideEncryption: options.serverSideEncryption,
    SSEKMSKeyId: options.sseKmsKeyId,
    StorageClass: options.storageClass,
  };
  if (body.byteLength < threshold) {
    try {
      await client.send(new PutObjectCommand({ ...common, Body: body }));
    } catch (error) {
      throw toStorageError(error, `put ${key}`);
    }
    return { multipart: false, parts: 1 };
  }

  let uploadId: string | undefined;
  try {
    const created = await client.send(new CreateMultipartUploadCommand(common));
    uploadId = created.UploadId;
    if (uploadId === undefined) throw new Error('no UploadId in CreateMultipartUpload answer');
    const parts: { ETag: string | undefined; PartNumber: number }[] = [];
    for (let offset = 0, number = 1; offset < body.byteLength; offset += partSize, number++) {
      const answer = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: number,
          Body: body.subarray(offset, Math.min(offset + partSize, body.byteLength)),
        }),
      );
      parts.push({ ETag: answer.ETag, PartNumber: number });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return { multipart: true, parts: parts.length };
  } catch (error) {
    if (uploadId !== undefined) {
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined);
    }
    throw toStorageError(error, `multipart put ${key}`);
  }
}

/** Reads an object whole into memory. */
export async function getObjectBytes(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<Uint8Array> {
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (answer.Body === undefined) return new Uint8Array();
    return await answer.Body.transformToByteArray();
  } catch (error) {
    throw toStorageError(error, `get ${key}`);
  }
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date | undefined;
}

/** Lists every object under a prefix, following continuation tokens page by page. */
export async function* listObjects(
  client: S3Client,
  bucket: string,
  prefix = '',
): AsyncGenerator<ListedObject> {
  let token: string | undefined;
  do {
    let page;
    try {
      page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
    } catch (error) {
      throw toStorageError(error, `list ${prefix}`);
    }
    for (const item of page.Contents ?? []) {
      if (item.Key !== undefined) {
        yield { key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified };
      }
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}
