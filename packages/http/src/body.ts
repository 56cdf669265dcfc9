/**
 * Encoding request bodies and decoding response bodies.
 */
import type { ResponseType } from './types.js';

/** How much of an error response is kept in `details.responseText`. */
export const RESPONSE_TEXT_LIMIT_BYTES = 2048;
// Larger error bodies are not parsed into `details.responseBody`: details stay small.
const RESPONSE_BODY_PARSE_LIMIT_BYTES = 64 * 1024;

const decoder = new TextDecoder('utf-8');

export interface EncodedBody {
  body?: string | Uint8Array;
  contentType?: string;
}

/** The bytes to send: `body` as JSON, else `rawBody` as is, else nothing. */
export function encodeBody(options: {
  body?: unknown;
  rawBody?: string | Uint8Array;
}): EncodedBody {
  if (options.body !== undefined) {
    return { body: JSON.stringify(options.body), contentType: 'application/json' };
  }
  return options.rawBody === undefined ? {} : { body: options.rawBody };
}

export type DecodedBody = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Decodes an expected response's body as `responseType` asks. A JSON syntax error is reported
 * by a fixed reason only: the parser's message quotes the body.
 */
export function decodeBody(bytes: Uint8Array, responseType: ResponseType): DecodedBody {
  switch (responseType) {
    case 'bytes':
      return { ok: true, value: bytes };
    case 'text':
      return { ok: true, value: decoder.decode(bytes) };
    case 'json': {
      const text = decoder.decode(bytes);
      if (text.trim() === '') return { ok: true, value: undefined };
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch {
        return { ok: false, reason: 'body is not valid JSON' };
      }
    }
  }
}

/**
 * The server's words from an error response, for `details`: the text cut to 2 KiB and, when
 * the body is JSON, the parsed value, so typed clients can surface the server's error body.
 */
export function describeErrorBody(bytes: Uint8Array): {
  responseText?: string;
  responseBody?: unknown;
} {
  if (bytes.byteLength === 0) return {};
  const truncated = bytes.byteLength > RESPONSE_TEXT_LIMIT_BYTES;
  const responseText =
    decoder.decode(truncated ? bytes.subarray(0, RESPONSE_TEXT_LIMIT_BYTES) : bytes) +
    (truncated ? '…' : '');
  if (bytes.byteLength > RESPONSE_BODY_PARSE_LIMIT_BYTES) return { responseText };
  try {
    return { responseText, responseBody: JSON.parse(decoder.decode(bytes)) as unknown };
  } catch {
    // Not JSON: the text is all there is.
    return { responseText };
  }
}
