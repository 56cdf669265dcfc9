import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import type { Change, JsonValue } from '@tidemark/events';
import { initialState, type CursorSettings } from './cursor.js';
import { applyLogPage, applyReconciliation } from './deletes.js';
import { decodeState, encodeState, type TsmState } from './state.js';

const settings: CursorSettings = {
  instance: 'acme',
  entity: 'tickets',
  pageSize: 3,
  lookbackMs: 5_000,
  safetyLagMs: 1_000,
};
const logSettings = { ...settings, logPageSize: 3 };
const T0 = Date.parse('2025-09-26T12:00:00.000Z');
const A = '0199a000-0000-7000-8000-00000000000a';
const B = '0199a000-0000-7000-8000-00000000000b';

function logState(seq = 10): TsmState {
  return initialState({ phase: 'incremental', fromMs: T0 }, { mode: 'log', seq }, settings);
}

function entry(seq: number, entityId: string, operation = 'DELETE', version: number | null = 3) {
  return {
    seq,
    id: `log-${seq}`,
    entityId,
    operation,
    version,
    who: 'eva',
    when: new Date(T0 + seq).toISOString(),
  };
}

function changes(items: readonly { kind: string; change?: Change }[]): Change[] {
  return items.flatMap((item) => (item.change === undefined ? [] : [item.change]));
}

describe('deletes from /log', () => {
  it('one delete event per DELETE entry, versioned apart from the last update', () => {
    const state = logState();
    state.seen.set(A, { v: 3, w: T0 });
    const outcome = applyLogPage(
      state,
      [entry(11, A.toUpperCase()), entry(14, B, 'DELETE', null)],
      logSettings,
    );
    expect(changes(outcome.items)).toEqual([
      {
        op: 'delete',
        system: 'tsm',
        instance: 'acme',
        entityType: 'tickets',
        entityId: A,
        after: null,
        changedAt: new Date(T0 + 11).toISOString(),
        changedBy: 'eva',
        version: '3:deleted',
        sequence: '11',
      },
      expect.objectContaining({ entityId: B, version: 'deleted', sequence: '14' }),
    ]);
    expect(outcome.state.deletes).toEqual({ mode: 'log', seq: 14 });
    // The record leaves the dedupe map: nothing of it is expected any more.
    expect(outcome.state.seen.has(A)).toBe(false);
    expect(outcome.advanced).toBe(true);
    expect(outcome.more).toBe(false);
  });

  it('entries at or below the position are skipped (a server ignoring the filter repeats them)', () => {
    const outcome = applyLogPage(
      logState(12),
      [entry(11, A), entry(12, A), entry(13, B)],
      logSettings,
    );
    expect(changes(outcome.items).map((c) => c.entityId)).toEqual([B]);
    expect(outcome.more).toBe(true);
  });

  it('non-DELETE entries only move the position', () => {
    const outcome = applyLogPage(logState(), [entry(11, A, 'UPDATE')], logSettings);
    expect(outcome.items).toEqual([]);
    expect(outcome.state.deletes).toEqual({ mode: 'log', seq: 11 });
    expect(outcome.advanced).toBe(true);
  });

  it('a broken entry is dead-lettered and passed; an empty page changes nothing', () => {
    const outcome = applyLogPage(
      logState(),
      [{ seq: 11, operation: 'DELETE' }, entry(12, A)],
      logSettings,
    );
    expect(outcome.items[0]?.kind).toBe('invalid');
    const error = outcome.items[0]?.kind === 'invalid' ? outcome.items[0].error : undefined;
    expect(isTidemarkError(error) && error.code).toBe('EVENT_INVALID');
    expect(changes(outcome.items).map((c) => c.entityId)).toEqual([A]);
    const idle = applyLogPage(logState(), [], logSettings);
    expect(idle.advanced).toBe(false);
    expect(idle.items).toEqual([]);
  });

  it('does not mutate the state it was given', () => {
    const state = logState();
    applyLogPage(state, [entry(11, A)], logSettings);
    expect(state.deletes).toEqual({ mode: 'log', seq: 10 });
  });
});

describe('deletes by reconciliation', () => {
  function reconcileState(known: string[]): TsmState {
    return initialState(
      { phase: 'incremental', fromMs: T0 },
      { mode: 'reconcile', known: new Set(known), lastMs: 0 },
      settings,
    );
  }

  it('an id known as live but absent from a complete scan gets one delete', () => {
    const outcome = applyReconciliation(reconcileState([A, B]), new Set([A]), settings, T0 + 5);
    expect(changes(outcome.items)).toEqual([
      expect.objectContaining({ op: 'delete', entityId: B, after: null, version: 'deleted' }),
    ]);
    expect(outcome.state.deletes).toEqual({
      mode: 'reconcile',
      known: new Set([A]),
      lastMs: T0 + 5,
    });
    const again = applyReconciliation(outcome.state, new Set([A]), settings, T0 + 9);
    expect(again.items).toEqual([]);
  });

  it('the known set survives the checkpoint', () => {
    const ids = Array.from(
      { length: 500 },
      (_, i) => `0199a000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    const state = reconcileState(ids);
    const decoded = decodeState(JSON.parse(JSON.stringify(encodeState(state))) as JsonValue);
    expect(decoded.deletes).toEqual(state.deletes);
    expect(JSON.stringify(encodeState(state)).length).toBeLessThan(ids.length * 10);
  });
});

describe('state codec', () => {
  it('round-trips positions, the dedupe map and the log position', () => {
    const state = logState(42);
    state.pos = { w: T0 + 7, id: A };
    state.maxSeenMs = T0 + 7;
    state.seen.set(A, { v: 4, w: T0 + 7 });
    expect(decodeState(encodeState(state))).toEqual(state);
  });

  it('refuses what is not a tSM state with INPUT_INVALID', () => {
    const broken: JsonValue[] = [
      null,
      { v: 2 },
      { ...(encodeState(logState()) as object), seen: 'x' },
    ];
    for (const value of broken) {
      expect(() => decodeState(value)).toThrow(
        expect.objectContaining({ code: 'INPUT_INVALID' }) as Error,
      );
    }
  });
});
