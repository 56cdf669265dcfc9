/**
 * What a rule makes of one change: the target fields to write, a delete or archive of the
 * target, or nothing (with the reason). Pure apart from JSONata's evaluation, which is async.
 */
import type { Change, JsonObject, JsonValue, System } from '@tidemark/events';
import { MappingError, convert } from './convert.js';
import type { CompiledField, CompiledRule, RuleSet } from './load.js';

export type RuleOutcome =
  | { kind: 'write'; fields: JsonObject }
  | { kind: 'delete'; mode: 'delete' | 'archive' }
  | { kind: 'skip'; reason: 'op' | 'condition' | 'delete-ignored' };

/** The rules of a set that read from the change's system and entity, in file order. */
export function rulesFor(set: RuleSet, change: Pick<Change, 'system' | 'entityType'>) {
  return set.rules.filter(
    ({ rule }) => rule.from.system === change.system && rule.from.entity === change.entityType,
  );
}

/** @throws MappingError for a value the mapping cannot convert (the event is at fault). */
export async function applyRule(compiled: CompiledRule, change: Change): Promise<RuleOutcome> {
  const { rule } = compiled;
  if (rule.from.ops !== undefined && !rule.from.ops.includes(change.op)) {
    return { kind: 'skip', reason: 'op' };
  }
  if (change.op === 'delete' || change.after === null) {
    return rule.onDelete === 'ignore'
      ? { kind: 'skip', reason: 'delete-ignored' }
      : { kind: 'delete', mode: rule.onDelete };
  }
  const view = sourceView(change.system, change.after);
  const bindings = {
    event: {
      op: change.op,
      system: change.system,
      instance: change.instance,
      entity: change.entityType,
      id: change.entityId,
      changedAt: change.changedAt,
    },
  };
  if (compiled.when !== undefined) {
    const verdict: unknown = await compiled.when.evaluate(view, bindings);
    if (verdict !== true) return { kind: 'skip', reason: 'condition' };
  }
  const fields: JsonObject = {};
  for (const field of compiled.fields) {
    setPath(fields, field.target, await fieldValue(field, view, bindings));
  }
  return { kind: 'write', fields: targetShape(rule.to.system, fields) };
}

async function fieldValue(
  field: CompiledField,
  view: JsonObject,
  bindings: Record<string, unknown>,
): Promise<JsonValue> {
  const { mapping } = field;
  if ('const' in mapping) return mapping.const ?? null;
  if (field.expression !== undefined) {
    const result: unknown = await field.expression.evaluate(view, bindings);
    return toJson(result, field.target);
  }
  const raw = mapping.from === undefined ? undefined : getPath(view, mapping.from);
  if (raw === undefined || raw === null) {
    return mapping.default ?? null;
  }
  let value: JsonValue = raw;
  if (mapping.values !== undefined) {
    const key = typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
    const mapped = Object.hasOwn(mapping.values, key) ? mapping.values[key] : undefined;
    if (mapped === undefined) {
      if (mapping.default === undefined) {
        throw new MappingError(
          `${field.target}: no value for ${JSON.stringify(key)} in the value map`,
          field.target,
        );
      }
      return mapping.default;
    }
    value = mapped;
  }
  return mapping.convert === undefined
    ? value
    : convert(value, mapping.convert, field.target, mapping.zone);
}

/**
 * The record as rules see it. PeakTMS keeps typed attributes in a list of {name, value}; rules
 * address them as `attributes.<name>`, like any other field.
 */
export function sourceView(system: System, record: JsonObject): JsonObject {
  if (system !== 'peaktms' || !Array.isArray(record['attributes'])) return record;
  const attributes: JsonObject = {};
  for (const entry of record['attributes']) {
    if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
      const name = entry['name'];
      if (typeof name === 'string') attributes[name] = entry['value'] ?? null;
    }
  }
  return { ...record, attributes };
}

/** The inverse of {@link sourceView} for a write: PeakTMS attributes back into a list. */
export function targetShape(system: System, fields: JsonObject): JsonObject {
  const attributes = fields['attributes'];
  if (
    system !== 'peaktms' ||
    attributes === null ||
    typeof attributes !== 'object' ||
    Array.isArray(attributes)
  ) {
    return fields;
  }
  return {
    ...fields,
    attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
  };
}

export function getPath(record: JsonObject, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = record;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = current[key];
  }
  return current;
}

function setPath(target: JsonObject, path: string, value: JsonValue): void {
  const keys = path.split('.');
  let current = target;
  keys.slice(0, -1).forEach((key) => {
    const next = current[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: JsonObject = {};
      current[key] = created;
      current = created;
    } else current = next;
  });
  current[keys[keys.length - 1] ?? path] = value;
}

/** A JSONata result as JSON: undefined is null; functions and non-finite numbers are refused. */
function toJson(value: unknown, field: string): JsonValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new MappingError(`${field}: the expression gave a non-finite number`, field);
  }
  if (Array.isArray(value)) return value.map((item) => toJson(item, field));
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) out[key] = toJson(item, field);
    return out;
  }
  throw new MappingError(`${field}: the expression gave a ${typeof value}`, field);
}
