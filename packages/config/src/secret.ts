import { inspect } from 'node:util';

const redacted = '[redacted]';

/**
 * A configuration value that must never be printed. Every way Node or JSON turns an
 * object into text yields "[redacted]"; only `reveal()` gives the value, and that call
 * is easy to find in review.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return redacted;
  }

  toJSON(): string {
    return redacted;
  }

  [inspect.custom](): string {
    return redacted;
  }
}

const secretKeyPattern = /pass(word)?|secret|token|authorization|api[-_]?key|credential|sasl/i;

/** True for a config or header name whose value must not be shown. */
export function isSecretName(name: string): boolean {
  return secretKeyPattern.test(name);
}

/**
 * A copy of a plain value with secrets replaced: Secret instances and values under
 * secret-looking keys, at any depth. For printing config and error details.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (value instanceof Secret) return redacted;
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretName(key) && inner !== undefined ? redacted : redact(inner, depth + 1);
  }
  return out;
}
