import { z } from 'zod';

/**
 * Deepest nesting a record may have. Business records nest a handful of levels; the limit keeps
 * a hostile value from stalling validation and turns a cyclic object into an issue.
 */
export const MAX_JSON_DEPTH = 64;

/** A JSON value as zod's own `z.json()` describes it. */
export type JsonValue = z.output<ReturnType<typeof z.json>>;
/** A JSON object: what a source record looks like. */
export type JsonObject = Record<string, JsonValue>;

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * Checks in one iterative walk, without copying, that `root` is JSON: strings, finite numbers,
 * booleans, null, arrays and plain objects of them, nested at most {@link MAX_JSON_DEPTH}
 * deep. `undefined`, functions, symbols, bigints, NaN, Infinity, Dates, Maps and other class
 * instances are rejected, and so are `__proto__` keys (an object parsed from JSON may carry one
 * as an own property; copied into a plain object it would silently vanish or change the
 * prototype). A cycle exceeds the depth limit. The event hot path validates every record, so
 * this replaces `z.json()`, which rebuilds the value and costs several times more.
 */
function checkJson(root: unknown, ctx: z.core.$RefinementCtx, requireObject: boolean): void {
  if (requireObject && (typeof root !== 'object' || root === null || Array.isArray(root))) {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
    return;
  }
  const pending: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, depth } = next;
    switch (typeof value) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (Number.isFinite(value)) continue;
        ctx.addIssue({ code: 'custom', message: 'numbers must be finite' });
        return;
      case 'object':
        break;
      case 'bigint':
      case 'function':
      case 'symbol':
      case 'undefined':
        ctx.addIssue({ code: 'custom', message: `a ${typeof value} is not a JSON value` });
        return;
    }
    if (value === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      ctx.addIssue({ code: 'custom', message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) pending.push({ value: item, depth: depth + 1 });
      continue;
    }
    if (!isPlainObject(value)) {
      ctx.addIssue({ code: 'custom', message: 'only plain objects are JSON objects' });
      return;
    }
    if (Object.hasOwn(value, '__proto__')) {
      ctx.addIssue({ code: 'custom', message: 'a key named "__proto__" is not accepted' });
      return;
    }
    for (const key in value) {
      pending.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
}

/** Any JSON value. */
export const JsonValueSchema = z
  .custom<JsonValue>()
  .superRefine((value, ctx) => checkJson(value, ctx, false));

/** A JSON object: what a source record looks like. */
export const JsonObjectSchema = z
  .custom<JsonObject>()
  .superRefine((value, ctx) => checkJson(value, ctx, true));
