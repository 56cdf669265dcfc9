import { describe, expect, it } from 'vitest';
import type { TidemarkError } from '@tidemark/errors';
import {
  getApproval,
  getBoolean,
  getDate,
  getDecimal,
  getFiles,
  getMultiSelect,
  getNumber,
  getResource,
  getStatus,
  getText,
  getUser,
  getValueListValue,
} from './attributes.js';
import { peaktmsRecordSchema } from './schemas.js';

const record = peaktmsRecordSchema.parse({
  id: '3f1c2a4e-9b8d-4c1e-8f2a-1b2c3d4e5f60',
  attributes: [
    { name: 'Title', dataType: 'TEXT', value: 'Run' },
    { name: 'Count', dataType: 'NUMBER', value: 3 },
    { name: 'CountText', dataType: 'NUMBER', value: '4' },
    { name: 'Cost', dataType: 'DECIMAL', value: 12.5 },
    { name: 'Due', dataType: 'DATE', value: '2026-11-23T10:15:30.123+01:00[Europe/Berlin]' },
    { name: 'Done', dataType: 'BOOLEAN', value: false },
    { name: 'Priority', dataType: 'VALUELIST', value: 'High' },
    { name: 'Labels', dataType: 'MULTISELECTLIST', value: ['a', 'b'] },
    { name: 'Owner', dataType: 'USER', value: { loginName: 'demo' } },
    { name: 'Bench', dataType: 'RESOURCE', value: 'a1b2c3d4-0000-4000-8000-000000000001' },
    { name: 'Status', dataType: 'STATUS_ENGINE', value: 'Planned' },
    { name: 'Approval', dataType: 'APPROVE', value: { state: 'APPROVED', user: 'demo' } },
    {
      name: 'Docs',
      dataType: 'FILE_MANAGEMENT',
      value: { filesId: 'F1', files: [{ fileId: 'x', name: 'a.txt', size: 1 }] },
    },
    { name: 'Empty', dataType: 'TEXT', value: null },
  ],
});

describe('attribute accessors', () => {
  it('read each data type', () => {
    expect(getText(record, 'Title')).toBe('Run');
    expect(getText(record, 'title')).toBe('Run');
    expect(getNumber(record, 'Count')).toBe(3);
    expect(getNumber(record, 'CountText')).toBe(4);
    expect(getDecimal(record, 'Cost')).toBe(12.5);
    expect(getDate(record, 'Due')).toMatchObject({ zone: 'Europe/Berlin', offset: '+01:00' });
    expect(getBoolean(record, 'Done')).toBe(false);
    expect(getValueListValue(record, 'Priority')).toBe('High');
    expect(getMultiSelect(record, 'Labels')).toEqual(['a', 'b']);
    expect(getUser(record, 'Owner')).toBe('demo');
    expect(getResource(record, 'Bench')).toBe('a1b2c3d4-0000-4000-8000-000000000001');
    expect(getStatus(record, 'Status')).toBe('Planned');
    expect(getApproval(record, 'Approval')).toMatchObject({ state: 'APPROVED', user: 'demo' });
    expect(getFiles(record, 'Docs')).toMatchObject({ filesId: 'F1', files: [{ fileId: 'x' }] });
  });

  it('unset or absent is undefined; a wrong shape is INPUT_INVALID naming the attribute', () => {
    expect(getText(record, 'Empty')).toBeUndefined();
    expect(getText(record, 'Nope')).toBeUndefined();
    let caught: unknown;
    try {
      getNumber(record, 'Cost');
    } catch (error) {
      caught = error;
    }
    expect((caught as TidemarkError).code).toBe('INPUT_INVALID');
    expect((caught as TidemarkError).details['attribute']).toBe('Cost');
    expect(() => getDate(record, 'Title')).toThrow(/Title/);
  });
});
