import type { AttributeDef } from './catalogue.js';
import { formatZoned, parseZoned } from './zoned.js';

/** What attribute validation needs to know about the rest of the system. */
export interface AttributeContext {
  /** Values of a value list, or undefined when it does not exist. */
  valueList(name: string): readonly string[] | undefined;
  userExists(loginName: string): boolean;
  resourceExists(id: string): boolean;
  /** Zone date-times are written in. */
  zone: string;
  nowMs: number;
  /** Login name of the user making the change (APPROVE stamps it). */
  user: string;
}

export type AttributeResult = { ok: true; value: unknown } | { ok: false; message: string };

const TEXT_MAX = 255;
const TEXT_LONG_MAX = 65_535;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const approveStates = ['PENDING', 'APPROVED', 'REJECTED'] as const;

export function isUuid(text: unknown): text is string {
  return typeof text === 'string' && UUID.test(text);
}

const ok = (value: unknown): AttributeResult => ({ ok: true, value });
const fail = (message: string): AttributeResult => ({ ok: false, message });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks one attribute value a client sent against its definition and returns the value to
 * store (normalised: date-times in the server's zone, resource ids lowercase, APPROVE stamped).
 * `current` is the stored value (undefined on create). `null` clears any writable attribute.
 * Server-managed types (FILE_MANAGEMENT, IDGENERATOR) accept only their current value.
 */
export function validateAttribute(
  def: AttributeDef,
  raw: unknown,
  current: unknown,
  context: AttributeContext,
): AttributeResult {
  if (def.dataType === 'FILE_MANAGEMENT' || def.dataType === 'IDGENERATOR') {
    if (JSON.stringify(raw) === JSON.stringify(current ?? null)) return ok(current ?? null);
    return fail('is read-only (managed by the server)');
  }
  if (raw === null) return ok(null);
  switch (def.dataType) {
    case 'TEXT':
    case 'TEXT_LONG': {
      const max = def.dataType === 'TEXT' ? TEXT_MAX : TEXT_LONG_MAX;
      if (typeof raw !== 'string') return fail('must be a string');
      if (raw.length > max) return fail(`must be at most ${max} characters`);
      return ok(raw);
    }
    case 'NUMBER':
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) return fail('must be an integer');
      return ok(raw);
    case 'DECIMAL':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return fail('must be a number');
      return ok(raw);
    case 'DATE': {
      const ms = typeof raw === 'string' ? parseZoned(raw) : null;
      if (ms === null) return fail('must be a date-time with offset or zone');
      return ok(formatZoned(ms, context.zone));
    }
    case 'BOOLEAN':
      if (typeof raw !== 'boolean') return fail('must be a boolean');
      return ok(raw);
    case 'VALUELIST': {
      if (typeof raw !== 'string') return fail('must be a string');
      const values = context.valueList(def.valueList ?? '') ?? [];
      if (!values.includes(raw)) return fail(`must be one of [${values.join(', ')}]`);
      return ok(raw);
    }
    case 'MULTISELECTLIST': {
      if (!Array.isArray(raw) || !raw.every((item) => typeof item === 'string'))
        return fail('must be an array of strings');
      const values = context.valueList(def.valueList ?? '') ?? [];
      const wrong = raw.filter((item) => !values.includes(item));
      if (wrong.length > 0) return fail(`must be a subset of [${values.join(', ')}]`);
      if (new Set(raw).size !== raw.length) return fail('must not repeat values');
      return ok([...raw]);
    }
    case 'USER':
      if (typeof raw !== 'string') return fail('must be a login name');
      if (!context.userExists(raw)) return fail(`user '${raw}' not found`);
      return ok(raw);
    case 'RESOURCE':
      if (!isUuid(raw)) return fail('must be a resource id (UUID)');
      if (!context.resourceExists(raw.toLowerCase())) return fail(`resource '${raw}' not found`);
      return ok(raw.toLowerCase());
    case 'STATUS_ENGINE': {
      if (typeof raw !== 'string') return fail('must be a status name');
      const transitions = def.statuses?.transitions ?? {};
      if (!(raw in transitions))
        return fail(`must be one of [${Object.keys(transitions).join(', ')}]`);
      if (typeof current === 'string' && current !== raw && !transitions[current]?.includes(raw))
        return fail(`transition from '${current}' to '${raw}' is not allowed`);
      return ok(raw);
    }
    case 'APPROVE': {
      const state = isPlainObject(raw) ? raw.state : raw;
      if (typeof state !== 'string' || !(approveStates as readonly string[]).includes(state))
        return fail(`must be {"state": one of [${approveStates.join(', ')}]}`);
      if (isPlainObject(current) && current.state === state) return ok(current);
      return ok({ state, user: context.user, time: formatZoned(context.nowMs, context.zone) });
    }
  }
}
