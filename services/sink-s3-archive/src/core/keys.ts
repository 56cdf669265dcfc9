/**
 * Object keys, laid out for query engines (Hive-style partitions that DuckDB, Athena and Spark
 * read as columns):
 *
 *   <prefix>/<topic>/dt=YYYY-MM-DD/hour=HH/<topic>+<partition>+<first offset, 20 digits>.jsonl.gz
 *
 * dated by the UTC hour of the records' event time. The first offset alone names the object, so a
 * retry of the same records after a crash writes the same key (and replaces, never duplicates).
 * Twenty digits hold any signed 64-bit offset, so keys sort in offset order.
 */

export const OBJECT_SUFFIX = '.jsonl.gz';
const OFFSET_DIGITS = 20;

export interface ObjectKeyParts {
  prefix: string;
  topic: string;
  partition: number;
  /** Decimal string, without padding. */
  firstOffset: string;
  /** `YYYY-MM-DD` */
  day: string;
  /** `HH` */
  hour: string;
}

/** The prefix without leading or trailing slashes; '' puts topics at the bucket's root. */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

export function objectKey(
  prefix: string,
  topic: string,
  partition: number,
  firstOffset: string,
  hourMs: number,
): string {
  const iso = new Date(hourMs).toISOString();
  const day = iso.slice(0, 10);
  const hour = iso.slice(11, 13);
  const base = normalizePrefix(prefix);
  const name = `${topic}+${partition}+${firstOffset.padStart(OFFSET_DIGITS, '0')}${OBJECT_SUFFIX}`;
  return `${base === '' ? '' : `${base}/`}${topic}/dt=${day}/hour=${hour}/${name}`;
}

const keyPattern =
  /^(?:(.*)\/)?([A-Za-z0-9._-]+)\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/([A-Za-z0-9._-]+)\+(\d+)\+(\d+)\.jsonl\.gz$/;

/** Parses a key written by `objectKey`; undefined for any other key. */
export function parseObjectKey(key: string): ObjectKeyParts | undefined {
  const match = keyPattern.exec(key);
  if (match === null) return undefined;
  const [, prefix = '', topic, day, hour, fileTopic, partition, offset] = match;
  if (topic === undefined || fileTopic !== topic || partition === undefined || offset === undefined)
    return undefined;
  return {
    prefix,
    topic,
    partition: Number(partition),
    firstOffset: BigInt(offset).toString(),
    day: day ?? '',
    hour: hour ?? '',
  };
}
