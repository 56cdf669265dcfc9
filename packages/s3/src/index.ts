export { createS3Client } from './client.js';
export type { S3Settings } from './client.js';
export { putObject, getObjectBytes, listObjects } from './objects.js';
export type { PutOptions, ListedObject } from './objects.js';
export { toStorageError } from './errors.js';
