import { z } from 'zod';

/**
 * Deepest nesting a record may have. Business records nest a handful of levels; the limit keeps
 * the recursive schema far from the call-stack limit and turns a cyclic object into an issue
 * instead of a stack overflow.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Rejects what `z.json()` would accept silently or not survive: `__proto__` keys (zod drops them
 * without an issue, so the field would vanish from the record) and nesting beyond
 * {@link MAX_JSON_DEPTH}. Runs before the recursive schema so a cycle never reaches it.
 */
function checkShape(root: unknown, ctx: z.core.$RefinementCtx): void {
  const pending: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, depth } = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      ctx.addIssue({ code: 'custom', message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
      return;
    }
    if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) {
      ctx.addIssue({ code: 'custom', message: 'a key named "__proto__" is not accepted' });
      return;
    }
    for (const child of Object.values(value)) pending.push({ value: child, depth: depth + 1 });
  }
}

/**
 * Any JSON value: string, finite number, boolean, null, array or plain object of them.
 * `undefined`, functions, NaN, Infinity, Dates and class instances are rejected.
 */
export const JsonValueSchema = z.unknown().superRefine(checkShape).pipe(z.json());

/** A JSON object: what a source record looks like. */
export const JsonObjectSchema = z
  .unknown()
  .superRefine(checkShape)
  .pipe(z.record(z.string(), z.json()));

export type JsonValue = z.infer<typeof JsonValueSchema>;
export type JsonObject = z.infer<typeof JsonObjectSchema>;
