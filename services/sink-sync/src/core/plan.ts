/**
 * What the sync sink does about one rule outcome, given the target record as it is now: the
 * pure decision between create, update, delete, archive and skip. The adapter reads the target
 * right before (and again after a version conflict), so the decision rests on the target's
 * current state, not on what the sink believes it wrote:
 * - a target that already holds every mapped value needs no write. This is how echoes die: the
 *   sink's own write comes back through the target's poller as a change, its rule maps it back
 *   onto the source, and the source already holds those values;
 * - last writer wins by source change time: a target changed after the source change is left
 *   alone (unless the rule says `source-wins`);
 * - updates carry the target version read, so a change in between is a conflict to re-plan.
 */
import type { Change, JsonObject, JsonValue, System } from '@tidemark/events';
import { sourceView, type Rule, type RuleOutcome } from '@tidemark/sync-rules';

/** The target record as read just now. */
export interface TargetState {
  id: string;
  record: JsonObject;
  /** When the target last changed (Unix ms), for last-writer-wins. */
  changedAtMs: number;
  /** What an update must name to apply only to this state (ETag, auditInfo.version ...). */
  version: string;
  /**
   * When the target still holds the sink's own last write: the source change that write
   * carried, which stands in for `changedAtMs` in last-writer-wins (see EchoMemory).
   */
  ownWriteSource?: ChangeTime | undefined;
}

/** When a change happened, in the system whose clock said so. */
export interface ChangeTime {
  system: System;
  ms: number;
}

/**
 * How precisely each system dates a change: ZeyOS in whole seconds (`lastmodified`), the others
 * to the millisecond. Two changes closer than that cannot be ordered.
 */
const RESOLUTION_MS: Readonly<Record<System, number>> = { zeyos: 1000, tsm: 1, peaktms: 1 };

/**
 * Who wins a tie (two changes too close for the clocks to order). Any fixed order keeps two-way
 * rules converging, since both directions then agree on the winner; ZeyOS, whose clock is the
 * coarsest, comes first.
 */
const TIE_PRECEDENCE: Readonly<Record<System, number>> = { zeyos: 3, tsm: 2, peaktms: 1 };

function span(time: ChangeTime): { lo: number; hi: number } {
  const resolution = RESOLUTION_MS[time.system];
  const lo = Math.floor(time.ms / resolution) * resolution;
  return { lo, hi: lo + resolution - 1 };
}

/** Whether the target's last change comes after the source change (a tie by precedence). */
export function targetIsNewer(source: ChangeTime, target: ChangeTime): boolean {
  const s = span(source);
  const t = span(target);
  if (t.lo > s.hi) return true;
  if (s.lo > t.hi) return false;
  return TIE_PRECEDENCE[target.system] > TIE_PRECEDENCE[source.system];
}

export type SyncAction =
  | { kind: 'create'; fields: JsonObject }
  | { kind: 'update'; targetId: string; fields: JsonObject; ifVersion: string }
  | { kind: 'delete'; targetId: string; ifVersion: string }
  | { kind: 'skip'; reason: SkipReason };

export type SkipReason =
  | 'op'
  | 'condition'
  | 'delete-ignored'
  /** The target holds every mapped value already: nothing to write (an echo, or a no-op). */
  | 'unchanged'
  /** Last writer wins: the target changed after the source did. */
  | 'target-newer'
  /** A delete or archive of a target that does not exist (or never did), or a rule with
   * `onMissing: skip` that found none. */
  | 'target-absent'
  /** The linked target was deleted after this source change: the delete wins. */
  | 'target-deleted'
  /** The linked target is gone and its delete event has not been processed yet: it decides. */
  | 'target-gone';

/**
 * @param archived how an archived record looks in the target system (ZeyOS: `{visibility: 1}`),
 *   for rules whose deletes archive; an archive is an update to it.
 */
export function plan(
  rule: Pick<Rule, 'conflict'> & Partial<Pick<Rule, 'onMissing'>> & { to: { system: System } },
  change: Pick<Change, 'changedAt' | 'system'>,
  outcome: RuleOutcome,
  target: TargetState | undefined,
  archived?: JsonObject,
): SyncAction {
  if (outcome.kind === 'skip') return { kind: 'skip', reason: outcome.reason };
  if (outcome.kind === 'delete') {
    if (target === undefined) return { kind: 'skip', reason: 'target-absent' };
    if (outcome.mode === 'delete') {
      return { kind: 'delete', targetId: target.id, ifVersion: target.version };
    }
    if (archived === undefined) {
      throw new Error(`${rule.to.system} records cannot be archived`);
    }
    return writeIfNeeded(rule, change, target, archived);
  }
  if (target === undefined) {
    return rule.onMissing === 'skip'
      ? { kind: 'skip', reason: 'target-absent' }
      : { kind: 'create', fields: outcome.fields };
  }
  return writeIfNeeded(rule, change, target, outcome.fields);
}

function writeIfNeeded(
  rule: Pick<Rule, 'conflict'> & { to: { system: System } },
  change: Pick<Change, 'changedAt' | 'system'>,
  target: TargetState,
  fields: JsonObject,
): SyncAction {
  if (holds(rule.to.system, target.record, fields)) {
    return { kind: 'skip', reason: 'unchanged' };
  }
  const source = { system: change.system, ms: Date.parse(change.changedAt) };
  const targetTime = target.ownWriteSource ?? { system: rule.to.system, ms: target.changedAtMs };
  if (rule.conflict === 'last-writer-wins' && targetIsNewer(source, targetTime)) {
    return { kind: 'skip', reason: 'target-newer' };
  }
  return { kind: 'update', targetId: target.id, fields, ifVersion: target.version };
}

/**
 * Whether `record` has every value of `fields` (compared as each system's rules see records:
 * PeakTMS attributes by name). Objects are compared leaf by leaf, so a partial write matches a
 * fuller record; arrays and scalars as wholes.
 */
export function holds(system: System, record: JsonObject, fields: JsonObject): boolean {
  return covers(sourceView(system, record), sourceView(system, fields));
}

function covers(have: JsonValue | undefined, want: JsonValue): boolean {
  if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
    if (have === null || have === undefined || typeof have !== 'object' || Array.isArray(have)) {
      return Object.values(want).every((value) => covers(undefined, value));
    }
    return Object.entries(want).every(([key, value]) => covers(have[key], value));
  }
  if (have === undefined) return want === null;
  return sameJson(have, want);
}

function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => sameJson(item, b[index] ?? null));
  }
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const keys = Object.keys(ao);
  return (
    keys.length === Object.keys(bo).length &&
    keys.every((key) => Object.hasOwn(bo, key) && sameJson(ao[key] ?? null, bo[key] ?? null))
  );
}
