import { describe, expect, it } from 'vitest';
import { ChangeSchema } from './change.js';
import { sampleChange } from './test-fixtures.js';

describe('ChangeSchema', () => {
  const {
    before: _before,
    changedFields: _fields,
    changedBy: _by,
    sequence: _seq,
    ...minimal
  } = sampleChange();

  it.each([
    ['a full update', sampleChange()],
    ['only the required fields', minimal],
    ['a create', sampleChange({ op: 'create', before: undefined })],
    ['a delete with after null', sampleChange({ op: 'delete', after: null })],
    ['a snapshot', sampleChange({ op: 'snapshot' })],
    ['each system', sampleChange({ system: 'peaktms' })],
    ['tsm', sampleChange({ system: 'tsm', entityType: 'customer-orders' })],
    ['changedBy null', sampleChange({ changedBy: null })],
    ['UTC time', sampleChange({ changedAt: '2024-05-01T10:34:56Z' })],
    ['negative offset', sampleChange({ changedAt: '2024-05-01T05:34:56.1-05:00' })],
    ['an empty record', sampleChange({ after: {} })],
    ['unicode id and version', sampleChange({ entityId: 'Kunde/Ä-7 😀', version: 'v·2' })],
    ['entity type with digits and _', sampleChange({ entityType: 'activity_log2' })],
  ])('accepts %s', (_, change) => {
    expect(ChangeSchema.safeParse(change).success).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['an unknown op', { ...sampleChange(), op: 'upsert' }, 'op'],
    ['an unknown system', { ...sampleChange(), system: 'sap' }, 'system'],
    ['an uppercase entity type', sampleChange({ entityType: 'Contacts' }), 'entityType'],
    ['a dotted entity type', sampleChange({ entityType: 'a.b' }), 'entityType'],
    ['an empty entity type', sampleChange({ entityType: '' }), 'entityType'],
    ['an instance with a slash', sampleChange({ instance: 'acme/eu' }), 'instance'],
    ['an empty instance', sampleChange({ instance: '' }), 'instance'],
    ['an empty entity id', sampleChange({ entityId: '' }), 'entityId'],
    ['an entity id with NUL', sampleChange({ entityId: 'a\u0000b' }), 'entityId'],
    ['an entity id with a lone surrogate', sampleChange({ entityId: 'a\ud800' }), 'entityId'],
    ['an overlong entity id', sampleChange({ entityId: 'x'.repeat(1025) }), 'entityId'],
    ['an empty version', sampleChange({ version: '' }), 'version'],
    ['a numeric version', { ...sampleChange(), version: 7 }, 'version'],
    ['a delete with a record', sampleChange({ op: 'delete' }), 'after'],
    ['an update without a record', sampleChange({ after: null }), 'after'],
    ['a record that is an array', { ...sampleChange(), after: [1] }, 'after'],
    ['a record with undefined', { ...sampleChange(), after: { a: undefined } }, 'after'],
    ['a record with NaN', { ...sampleChange(), after: { a: NaN } }, 'after'],
    ['a record with a function', { ...sampleChange(), after: { f: () => 1 } }, 'after'],
    ['before null', { ...sampleChange(), before: null }, 'before'],
    ['a time without offset', sampleChange({ changedAt: '2024-05-01T12:34:56' }), 'changedAt'],
    ['a time without seconds', sampleChange({ changedAt: '2024-05-01T12:34Z' }), 'changedAt'],
    ['an impossible date', sampleChange({ changedAt: '2024-02-30T12:34:56Z' }), 'changedAt'],
    ['a date only', sampleChange({ changedAt: '2024-05-01' }), 'changedAt'],
    ['changedFields not strings', { ...sampleChange(), changedFields: [1] }, 'changedFields'],
    ['an empty sequence', sampleChange({ sequence: '' }), 'sequence'],
    ['an unknown field', { ...sampleChange(), extra: 1 }, ''],
    ['a missing entity id', { ...sampleChange(), entityId: undefined }, 'entityId'],
  ])('rejects %s', (_, change, path) => {
    const result = ChangeSchema.safeParse(change);
    expect(result.success).toBe(false);
    // The issue is reported at the field or somewhere inside it.
    const paths = result.error?.issues.map((issue) => issue.path.join('.')) ?? [];
    expect(paths.some((p) => p === path || p.startsWith(`${path}.`))).toBe(true);
  });
});
