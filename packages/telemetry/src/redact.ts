/**
 * Key-based secret redaction for anything that is about to be logged.
 */
import { describeError, isTidemarkError } from '@tidemark/errors';

/** Keys whose values are never logged, at any depth. */
export const SECRET_KEY_PATTERN =
  /pass(word)?|secret|token|authorization|api[-_]?key|credential|sasl/i;

/** What a secret value is replaced with. */
export const REDACTED = '[redacted]';

// Deep enough for any sensible log field; stops runaway structures from stalling a log call.
const MAX_DEPTH = 8;

/**
 * Returns a JSON-safe copy of `value` in which every property whose key matches
 * `SECRET_KEY_PATTERN` is `[redacted]`. Errors become `{ type, message, code?, retryable?,
 * details? }` with `message` from `describeError` (the cause chain on one line; no stack).
 * Binary data becomes `[N bytes]`; cycles become `[circular]`.
 */
export function redact(value: unknown): unknown {
  return copy(value, 0, new Set());
}

function copy(value: unknown, depth: number, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      break;
  }
  if (value === null) return null;
  if (ancestors.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;

  ancestors.add(value);
  try {
    if (value instanceof Error) return copyError(value, depth, ancestors);
    if (Array.isArray(value)) return value.map((item) => copy(item, depth + 1, ancestors));
    if (value instanceof Set) return [...value].map((item) => copy(item, depth + 1, ancestors));
    // Objects that choose their own printed form (a config Secret prints "[redacted]").
    if (hasToJson(value)) return copy(value.toJSON(), depth + 1, ancestors);
    const entries: Iterable<[unknown, unknown]> =
      value instanceof Map ? value.entries() : Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const name = String(key);
      out[name] =
        SECRET_KEY_PATTERN.test(name) && item !== undefined
          ? REDACTED
          : copy(item, depth + 1, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

function copyError(error: Error, depth: number, ancestors: Set<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: describeError(error) };
  if (isTidemarkError(error)) {
    out['code'] = error.code;
    out['retryable'] = error.retryable;
    if (Object.keys(error.details).length > 0)
      out['details'] = copy(error.details, depth + 1, ancestors);
    if (error.retryAfterMs !== undefined) out['retryAfterMs'] = error.retryAfterMs;
  }
  return out;
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
