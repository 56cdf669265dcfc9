import { z } from 'zod';

/**
 * Reading archive lines back (verify, replay, tests). The Kafka coordinates are the part every
 * line has; the rest is the CloudEvent (or the raw record) as written.
 */
export const KafkaCoordinatesSchema = z.object({
  topic: z.string(),
  partition: z.number().int().min(0),
  offset: z.number().int().min(0),
  timestamp: z.string().nullable(),
  key: z.string().nullable().optional(),
  key_base64: z.string().optional(),
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  headers_base64: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
});

export const ArchiveLineSchema = z.looseObject({
  tidemark_kafka: KafkaCoordinatesSchema,
  tidemark_raw: z.literal(true).optional(),
  id: z.string().optional(),
  time: z.string().optional(),
  datacontenttype: z.string().optional(),
  data: z.unknown().optional(),
  data_base64: z.string().optional(),
  value_base64: z.string().nullable().optional(),
});

export type ArchiveLine = z.infer<typeof ArchiveLineSchema>;

/**
 * Parses the lines of one decompressed object. Offsets above 2^53 would lose precision in
 * JSON.parse; Kafka offsets do not get there in practice, and the verifier checks each line's
 * offset against the object's key.
 */
export function parseLines(text: string): { lines: ArchiveLine[]; errors: number } {
  const lines: ArchiveLine[] = [];
  let errors = 0;
  for (const row of text.split('\n')) {
    if (row === '') continue;
    try {
      const parsed = ArchiveLineSchema.safeParse(JSON.parse(row));
      if (parsed.success) lines.push(parsed.data);
      else errors += 1;
    } catch {
      errors += 1;
    }
  }
  return { lines, errors };
}

/** The time a line is filed under: the event's `time`, else the Kafka timestamp. */
export function lineTimeMs(line: ArchiveLine): number {
  const eventTime = line.time === undefined ? Number.NaN : Date.parse(line.time);
  if (!Number.isNaN(eventTime)) return eventTime;
  return line.tidemark_kafka.timestamp === null ? 0 : Date.parse(line.tidemark_kafka.timestamp);
}

/** The original Kafka value of a line: data as JSON text, data_base64 or value_base64 decoded. */
export function lineValue(line: ArchiveLine): Buffer | null {
  if (line.tidemark_raw === true)
    return line.value_base64 === null || line.value_base64 === undefined
      ? null
      : Buffer.from(line.value_base64, 'base64');
  if (line.data_base64 !== undefined) return Buffer.from(line.data_base64, 'base64');
  return Buffer.from(JSON.stringify(line.data ?? null), 'utf8');
}

/** The original Kafka key of a line. */
export function lineKey(line: ArchiveLine): Buffer | null {
  const kafka = line.tidemark_kafka;
  if (kafka.key_base64 !== undefined) return Buffer.from(kafka.key_base64, 'base64');
  return kafka.key === null || kafka.key === undefined ? null : Buffer.from(kafka.key, 'utf8');
}

const notAttributes = new Set([
  'data',
  'data_base64',
  'datacontenttype',
  'tidemark_kafka',
  'tidemark_raw',
]);

/**
 * The original headers of a line, first value of repeated ones (as a producer sends them). For
 * an event the CloudEvents headers are rebuilt from its attributes (binding 3.2.3: `ce_<name>`,
 * `datacontenttype` as `content-type`), so the event keeps its id.
 */
export function lineHeaders(line: ArchiveLine): Record<string, string> {
  const out: Record<string, string> = {};
  if (line.tidemark_raw !== true) {
    for (const [name, value] of Object.entries(line)) {
      if (!notAttributes.has(name) && typeof value === 'string') out[`ce_${name}`] = value;
    }
    if (line.datacontenttype !== undefined) out['content-type'] = line.datacontenttype;
  }
  for (const [name, value] of Object.entries(line.tidemark_kafka.headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first;
  }
  return out;
}
