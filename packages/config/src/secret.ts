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
