/**
 * What a system client reads of a failed request to build its own typed error: the server's
 * answer (which `statusFailure` keeps in `details.responseBody` / `details.responseText`), its
 * own words, its field problems, and the usual wording of the message. The code, `retryable`
 * and `retryAfterMs` stay those given by the status (classify.ts); this only adds the facts.
 */
import { isTidemarkError, type TidemarkError } from '@tidemark/errors';

/** Longest server text copied into an error message. */
const MESSAGE_TEXT_LIMIT = 300;

function stringAt(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/**
 * The first TidemarkError along the cause chain (five deep) that carries a server answer: a
 * system client's error wraps the HTTP failure, which may itself wrap a token request's.
 */
export function answeredFailure(error: unknown): TidemarkError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (
      isTidemarkError(current) &&
      (current.details['responseBody'] !== undefined ||
        current.details['responseText'] !== undefined)
    )
      return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The server's own words for a failure: the first of `keys` a JSON body has (by default its
 * `message`, an OAuth error's `error_description`, then `error`), else the raw text.
 * `undefined` without a server answer.
 */
export function serverErrorText(
  error: unknown,
  keys: readonly string[] = ['message', 'error_description', 'error'],
): string | undefined {
  const failure = answeredFailure(error);
  if (failure === undefined) return undefined;
  const body = failure.details['responseBody'];
  const text =
    keys.map((key) => stringAt(body, key)).find((value) => value !== undefined) ??
    stringAt(failure.details, 'responseText');
  return text?.trim();
}

/**
 * The HTTP status of a failure (when there was an answer) and the tail of a client error's
 * message: `failed with status 409: <the server's words, cut to 300 characters>`, or
 * `failed (HTTP_TIMEOUT)` when no answer came.
 */
export function describeFailure(
  error: TidemarkError,
  text: string | undefined,
): { status: number | undefined; wording: string } {
  const raw = error.details['status'];
  const status = typeof raw === 'number' ? raw : undefined;
  const said =
    text === undefined
      ? ''
      : `: ${text.length > MESSAGE_TEXT_LIMIT ? `${text.slice(0, MESSAGE_TEXT_LIMIT)}…` : text}`;
  const what = status === undefined ? `failed (${error.code})` : `failed with status ${status}`;
  return { status, wording: `${what}${said}` };
}

/** One field problem of a 400/422 answer; the server's other members are kept. */
export interface FieldProblem {
  field: string;
  message: string;
  readonly [key: string]: unknown;
}

/**
 * A list of field problems as typed entries: plain strings (field `''`) or objects whose field
 * name and message are under the first of the given keys present (each server spells them its
 * own way, e.g. Spring's `defaultMessage`).
 */
export function fieldProblems(
  list: readonly unknown[],
  keys: { field: readonly string[]; message: readonly string[] },
): FieldProblem[] {
  const first = (record: Record<string, unknown>, names: readonly string[]) =>
    names.map((name) => stringAt(record, name)).find((value) => value !== undefined) ?? '';
  return list.flatMap((entry): FieldProblem[] => {
    if (typeof entry === 'string') return [{ field: '', message: entry }];
    if (typeof entry !== 'object' || entry === null) return [];
    const record = entry as Record<string, unknown>;
    return [{ ...record, field: first(record, keys.field), message: first(record, keys.message) }];
  });
}
