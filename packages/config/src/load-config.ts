import type { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';

/** The process environment, or any record shaped like it (tests pass their own). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses a service's configuration from the environment once, at start-up. The schema
 * is a zod object keyed by variable name; it may transform into any shape. On failure
 * the error lists every problem at once, by variable name, without the values.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  // Empty strings count as unset: `FOO= tidemark up` should fall back to the default.
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    // Variables are flat: name the variable, not the position inside a parsed list.
    const name = issue.path.length > 0 ? String(issue.path[0]) : '(config)';
    const missing = issue.path.length >= 1 && cleaned[String(issue.path[0])] === undefined;
    const message = missing && issue.code === 'invalid_type' ? 'is required' : issue.message;
    return `${name} ${message}`;
  });
  return failConfig(problems);
}

function failConfig(problems: readonly string[]): never {
  throw new TidemarkError(
    'CONFIG_INVALID',
    `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`,
    { details: { problems } },
  );
}
