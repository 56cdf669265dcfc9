/**
 * JSON Merge Patch (RFC 7396), the body of tSM's PATCH: send only the changes; `null` removes a
 * member; arrays and scalars are replaced whole. Pure.
 */

/** The media type of a merge patch (RFC 7396 §4), as in the guide's PATCH example. */
export const MERGE_PATCH_CONTENT_TYPE = 'application/merge-patch+json';

/** A merge patch: an object whose members replace, remove (`null`) or recurse. */
export type MergePatch = Readonly<Record<string, unknown>>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7396 §2 MergePatch(target, patch). Does not modify its arguments. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
    );
  }
  return false;
}

/**
 * The smallest merge patch that turns `before` into `after` (both objects): changed members,
 * `null` for removed ones, nested objects diffed recursively. Members of `after` that are
 * `null` cannot be expressed (RFC 7396: null means remove) and become removals; `undefined`
 * counts as absent. `{}` when nothing changed.
 */
export function createMergePatch(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(before)) {
    if (value !== undefined && (after[key] === undefined || after[key] === null)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined || value === null) continue;
    const old = before[key];
    if (isPlainObject(old) && isPlainObject(value)) {
      const nested = createMergePatch(old, value);
      if (Object.keys(nested).length > 0) patch[key] = nested;
    } else if (!jsonEqual(old, value)) {
      patch[key] = value;
    }
  }
  return patch;
}
