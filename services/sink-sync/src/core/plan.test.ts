import { describe, expect, it } from 'vitest';
import { holds, plan, targetIsNewer, type TargetState } from './plan.js';

const lww = { conflict: 'last-writer-wins' as const, to: { system: 'tsm' as const } };
const sourceWins = { ...lww, conflict: 'source-wins' as const };
const change = { system: 'peaktms' as const, changedAt: '2026-11-23T10:00:00.000Z' };
const sourceMs = Date.parse(change.changedAt);

function target(record: Record<string, unknown>, changedAtMs = sourceMs - 1_000): TargetState {
  return { id: 't-1', record: record as TargetState['record'], changedAtMs, version: '7' };
}

describe('plan', () => {
  it('creates a target that does not exist yet', () => {
    expect(plan(lww, change, { kind: 'write', fields: { name: 'A' } }, undefined)).toEqual({
      kind: 'create',
      fields: { name: 'A' },
    });
  });

  it('does not create when the rule only changes records that exist (onMissing: skip)', () => {
    const onlyExisting = { ...lww, onMissing: 'skip' as const };
    const outcome = { kind: 'write' as const, fields: { status: 'DELETED' } };
    expect(plan(onlyExisting, change, outcome, undefined)).toEqual({
      kind: 'skip',
      reason: 'target-absent',
    });
    expect(plan(onlyExisting, change, outcome, target({ status: 'ACTIVE' })).kind).toBe('update');
  });

  it('updates an older target that differs, naming the version it read', () => {
    expect(
      plan(lww, change, { kind: 'write', fields: { name: 'A' } }, target({ name: 'B', x: 1 })),
    ).toEqual({ kind: 'update', targetId: 't-1', fields: { name: 'A' }, ifVersion: '7' });
  });

  it('skips a target that holds every mapped value already: an echo of its own write', () => {
    const fields = { name: 'A', address: { city: 'Linz' } };
    const current = target({ name: 'A', address: { city: 'Linz', zip: '4020' }, other: 1 });
    expect(plan(lww, change, { kind: 'write', fields }, current)).toEqual({
      kind: 'skip',
      reason: 'unchanged',
    });
  });

  it('last writer wins: a target changed after the source is left alone, unless source-wins', () => {
    const newer = target({ name: 'B' }, sourceMs + 1);
    const outcome = { kind: 'write' as const, fields: { name: 'A' } };
    expect(plan(lww, change, outcome, newer)).toEqual({ kind: 'skip', reason: 'target-newer' });
    expect(plan(sourceWins, change, outcome, newer).kind).toBe('update');
  });

  it("last writer wins measures the sink's own write by the source change it carried", () => {
    // The target changed after the source, but only by the sink's write of an older change.
    const ours = {
      ...target({ name: 'B' }, sourceMs + 5_000),
      ownWriteSource: { system: 'peaktms' as const, ms: sourceMs - 1 },
    };
    expect(plan(lww, change, { kind: 'write', fields: { name: 'A' } }, ours).kind).toBe('update');
    const newerCause = {
      ...ours,
      ownWriteSource: { system: 'peaktms' as const, ms: sourceMs + 1 },
    };
    expect(plan(lww, change, { kind: 'write', fields: { name: 'A' } }, newerCause)).toEqual({
      kind: 'skip',
      reason: 'target-newer',
    });
  });

  it('deletes, archives as an update, and skips a target that is gone or archived already', () => {
    const current = target({ name: 'A', visibility: 0 });
    expect(plan(lww, change, { kind: 'delete', mode: 'delete' }, current)).toEqual({
      kind: 'delete',
      targetId: 't-1',
      ifVersion: '7',
    });
    const archived = { visibility: 1 };
    expect(plan(lww, change, { kind: 'delete', mode: 'archive' }, current, archived)).toEqual({
      kind: 'update',
      targetId: 't-1',
      fields: archived,
      ifVersion: '7',
    });
    expect(
      plan(lww, change, { kind: 'delete', mode: 'archive' }, target({ visibility: 1 }), archived),
    ).toEqual({ kind: 'skip', reason: 'unchanged' });
    expect(plan(lww, change, { kind: 'delete', mode: 'delete' }, undefined)).toEqual({
      kind: 'skip',
      reason: 'target-absent',
    });
    expect(() => plan(lww, change, { kind: 'delete', mode: 'archive' }, current)).toThrow(
      /cannot be archived/,
    );
  });

  it('passes the rule outcome skips through', () => {
    expect(plan(lww, change, { kind: 'skip', reason: 'condition' }, undefined)).toEqual({
      kind: 'skip',
      reason: 'condition',
    });
  });
});

describe('holds', () => {
  it('compares PeakTMS attributes by name, ignoring their other members and order', () => {
    const record = {
      name: 'R',
      attributes: [
        { name: 'Room', dataType: 'TEXT', value: 'B12' },
        { name: 'Cost', dataType: 'DECIMAL', value: 12.5 },
      ],
    };
    expect(holds('peaktms', record, { attributes: [{ name: 'Cost', value: 12.5 }] })).toBe(true);
    expect(holds('peaktms', record, { attributes: [{ name: 'Cost', value: 13 }] })).toBe(false);
  });

  it('treats a missing field as null, and compares arrays and objects in arrays as wholes', () => {
    expect(holds('tsm', { a: 1 }, { b: null })).toBe(true);
    expect(holds('tsm', { a: 1 }, { b: 0 })).toBe(false);
    expect(holds('tsm', { tags: ['x', 'y'] }, { tags: ['x', 'y'] })).toBe(true);
    expect(holds('tsm', { tags: ['x', 'y'] }, { tags: ['y', 'x'] })).toBe(false);
    expect(holds('tsm', { l: [{ a: 1, b: 2 }] }, { l: [{ b: 2, a: 1 }] })).toBe(true);
    expect(holds('zeyos', { n: '1' }, { n: 1 })).toBe(false);
  });
});

describe('targetIsNewer', () => {
  const at = (system: 'zeyos' | 'tsm' | 'peaktms', iso: string) => ({
    system,
    ms: Date.parse(iso),
  });

  it('orders changes the clocks can order', () => {
    expect(
      targetIsNewer(at('tsm', '2026-11-23T10:00:00.100Z'), at('tsm', '2026-11-23T10:00:00.200Z')),
    ).toBe(true);
    expect(
      targetIsNewer(at('tsm', '2026-11-23T10:00:00.200Z'), at('tsm', '2026-11-23T10:00:00.100Z')),
    ).toBe(false);
    // ZeyOS dates in whole seconds: 10:00:00 is anywhere in 10:00:00.000 … 10:00:00.999.
    expect(
      targetIsNewer(at('zeyos', '2026-11-23T10:00:00Z'), at('tsm', '2026-11-23T10:00:01.000Z')),
    ).toBe(true);
    expect(
      targetIsNewer(at('tsm', '2026-11-23T10:00:01.000Z'), at('zeyos', '2026-11-23T10:00:00Z')),
    ).toBe(false);
  });

  it('breaks a tie the same way in both directions, so two-way rules agree on a winner', () => {
    // Regression: a tSM change at .057 and a ZeyOS change in the same second each overwrote
    // the other side, and the stores ended swapped.
    const zeyos = at('zeyos', '2026-11-23T10:00:00Z');
    const tsm = at('tsm', '2026-11-23T10:00:00.057Z');
    const zeyosIntoTsm = !targetIsNewer(zeyos, tsm);
    const tsmIntoZeyos = !targetIsNewer(tsm, zeyos);
    expect([zeyosIntoTsm, tsmIntoZeyos]).toEqual([true, false]);
  });
});
