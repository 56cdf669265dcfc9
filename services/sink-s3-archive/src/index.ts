export { encodeRecord, RecordEncoder } from './core/record.js';
export type { ArchiveInput, EncodedRecord } from './core/record.js';
export { objectKey, parseObjectKey, normalizePrefix, OBJECT_SUFFIX } from './core/keys.js';
export type { ObjectKeyParts } from './core/keys.js';
export { PartitionFile, PlainBody } from './core/files.js';
export type { ClosedFile, ObjectBody, RotationSettings } from './core/files.js';
export { GzipBody, GZIP_STREAM_BYTES, gzipDeterministic, gunzip } from './core/gzip.js';
export type { GzipBodySettings } from './core/gzip.js';
export { createArchiver, DEFAULT_COMPRESS_CHUNK_BYTES } from './core/archiver.js';
export type {
  Archiver,
  ArchiverDeps,
  ArchiverObserver,
  ArchiverSettings,
  BatchControl,
  ObjectStore,
  OffsetCommitter,
} from './core/archiver.js';
export {
  ArchiveLineSchema,
  KafkaCoordinatesSchema,
  parseLines,
  lineTimeMs,
  lineValue,
  lineKey,
  lineHeaders,
} from './core/lines.js';
export type { ArchiveLine } from './core/lines.js';
export { verifyArchive, gapsToProbe } from './core/verify.js';
export type {
  ObjectSummary,
  OffsetRange,
  PartitionFacts,
  PartitionReport,
  Problem,
  VerifyReport,
} from './core/verify.js';
export {
  listArchive,
  readArchiveObject,
  fetchPartitionFacts,
  probeGaps,
  verifyArchiveAgainstKafka,
  replayArchive,
  mapLimit,
} from './archive-io.js';
export type {
  ArchiveLocation,
  ListedArchiveObject,
  VerifyOptions,
  ReplayOptions,
} from './archive-io.js';
