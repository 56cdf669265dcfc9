import { TidemarkError } from '@tidemark/errors';

/** Largest accepted header value, in UTF-8 bytes. Tidemark's own values stay far below it. */
export const MAX_HEADER_VALUE_BYTES = 8 * 1024;

/** Largest accepted sum of header key and value bytes of one message. */
export const MAX_HEADERS_TOTAL_BYTES = 64 * 1024;

/** Most headers accepted on one message (a repeated key counts once per value). */
export const MAX_HEADER_COUNT = 64;

/** A header value as kafkajs delivers it: bytes, text, or a list when the key repeats. */
export type IncomingHeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type IncomingHeaders = Readonly<Record<string, IncomingHeaderValue>>;

export type HeadersResult =
  { ok: true; headers: Record<string, string> } | { ok: false; error: TidemarkError };

/** Fatal: bytes that are not UTF-8 fail instead of turning into U+FFFD. A BOM is kept, not eaten. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 text exactly, or returns undefined. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The CloudEvents headers of a binary-mode message: `content-type` and every `ce_*`. */
export function isCloudEventHeader(name: string): boolean {
  return name === 'content-type' || name.startsWith('ce_');
}

export function decodeFailed(reason: string, details: Record<string, unknown> = {}): TidemarkError {
  return new TidemarkError('EVENT_DECODE_FAILED', `cannot decode Kafka message: ${reason}`, {
    retryable: false,
    details: { ...details, reason },
  });
}

function byteLength(value: unknown): number | undefined {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (value instanceof Uint8Array) return value.byteLength;
  return undefined;
}

/**
 * Checks the size limits over all headers of a message, whether Tidemark reads them or not.
 * Returns the error, or undefined when the headers fit.
 */
export function checkHeaderLimits(headers: IncomingHeaders): TidemarkError | undefined {
  let count = 0;
  let totalBytes = 0;
  for (const [name, raw] of Object.entries(headers)) {
    const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const nameBytes = Buffer.byteLength(name, 'utf8');
    for (const value of values) {
      const valueBytes = byteLength(value);
      if (valueBytes === undefined)
        return decodeFailed('header value is not bytes or text', { header: name });
      if (valueBytes > MAX_HEADER_VALUE_BYTES) {
        return decodeFailed('header value too large', {
          header: name,
          bytes: valueBytes,
          limit: MAX_HEADER_VALUE_BYTES,
        });
      }
      count += 1;
      totalBytes += nameBytes + valueBytes;
    }
  }
  if (count > MAX_HEADER_COUNT) {
    return decodeFailed('too many headers', { count, limit: MAX_HEADER_COUNT });
  }
  if (totalBytes > MAX_HEADERS_TOTAL_BYTES) {
    return decodeFailed('headers too large', { bytes: totalBytes, limit: MAX_HEADERS_TOTAL_BYTES });
  }
  return undefined;
}

/**
 * The CloudEvents headers of a message as text. Other headers are ignored (but count towards the
 * limits). A header given as a one-element list is unwrapped; a CloudEvents header that occurs
 * more than once is rejected, since an attribute with two values has no meaning.
 */
export function readCloudEventHeaders(headers: IncomingHeaders | undefined): HeadersResult {
  if (headers === undefined) return { ok: true, headers: {} };
  const limitError = checkHeaderLimits(headers);
  if (limitError !== undefined) return { ok: false, error: limitError };
  const text: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (!isCloudEventHeader(name) || raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length > 1) {
      return {
        ok: false,
        error: decodeFailed('header repeated', { header: name, count: values.length }),
      };
    }
    const value = values[0];
    if (value === undefined) continue;
    const decoded = typeof value === 'string' ? value : decodeUtf8(value);
    if (decoded === undefined) {
      return { ok: false, error: decodeFailed('header value is not UTF-8', { header: name }) };
    }
    text[name] = decoded;
  }
  return { ok: true, headers: text };
}
