import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readBulk, readItems, readPage } from './responses.js';
import {
  tsmCustomerSchema,
  tsmLogEntrySchema,
  tsmRecordSchema,
  tsmRegisterValueSchema,
  tsmUserSchema,
} from './schemas.js';

const id = '019970a1-7797-73ba-a6d5-b424443a7dcb';
const auditInfo = {
  version: 2,
  whoInserted: 'demo',
  whenInserted: '2025-09-25T00:56:37.851Z',
  whoEdited: 'demo',
  whenEdited: '2025-09-26T00:56:37.851Z',
};

describe('record schemas', () => {
  it('keep unknown fields and accept a record without code or auditInfo', () => {
    const record = { id, name: 'Acme', futureField: { x: 1 } };
    expect(tsmCustomerSchema.parse(record)).toEqual(record);
    expect(
      tsmRecordSchema.parse({ id, code: 'C-1', auditInfo: { ...auditInfo, extra: 1 } }),
    ).toEqual({ id, code: 'C-1', auditInfo: { ...auditInfo, extra: 1 } });
  });

  it('accept nulls for optional fields and any UUID version', () => {
    expect(
      tsmCustomerSchema.safeParse({ id: '5f0c8a8e-1b2a-4c3d-9e4f-0a1b2c3d4e5f', name: null })
        .success,
    ).toBe(true);
  });

  it('require a UUID id and an integer version', () => {
    expect(tsmRecordSchema.safeParse({ id: 'U123' }).success).toBe(false);
    expect(tsmRecordSchema.safeParse({ code: 'X' }).success).toBe(false);
    expect(tsmRecordSchema.safeParse({ id, auditInfo: { version: 1.5 } }).success).toBe(false);
  });

  it('take expanded and unexpanded relations', () => {
    const role = { id, code: 'ADMIN', name: 'Admins' };
    expect(tsmUserSchema.parse({ id, roles: [role], groups: [id] })).toEqual({
      id,
      roles: [role],
      groups: [id],
    });
    expect(tsmRegisterValueSchema.parse({ id, register: { id, code: 'Reg.X' } }).register).toEqual({
      id,
      code: 'Reg.X',
    });
  });

  it('log entries: every field optional, unknown kept', () => {
    expect(tsmLogEntrySchema.parse({})).toEqual({});
    expect(tsmLogEntrySchema.parse({ action: 'UPDATE', diff: [1] })).toEqual({
      action: 'UPDATE',
      diff: [1],
    });
  });
});

const item = z.looseObject({ id: z.string() });

describe('readPage', () => {
  it('reads the guide’s shape', () => {
    const read = readPage(
      { content: [{ id: 'a' }], page: 1, size: 1, totalPages: 3, totalElements: 3 },
      item,
      { page: 1, size: 1 },
    );
    expect(read).toEqual({
      ok: true,
      value: { content: [{ id: 'a' }], page: 1, size: 1, totalPages: 3, totalElements: 3 },
    });
  });
  it("reads Spring's `number` and the nested VIA_DTO form", () => {
    expect(
      readPage({ content: [], number: 2, size: 10, totalElements: 20, totalPages: 2 }, item, {
        page: 0,
        size: 5,
      }),
    ).toMatchObject({ ok: true, value: { page: 2, size: 10, totalPages: 2 } });
    expect(
      readPage(
        { content: [], page: { number: 4, size: 7, totalElements: 30, totalPages: 5 } },
        item,
        { page: 0, size: 5 },
      ),
    ).toMatchObject({ ok: true, value: { page: 4, size: 7, totalElements: 30, totalPages: 5 } });
  });
  it('takes a bare array, and refuses what is not a page', () => {
    expect(readPage([{ id: 'a' }], item, { page: 0, size: 10 })).toMatchObject({
      ok: true,
      value: { content: [{ id: 'a' }], totalPages: undefined },
    });
    expect(readPage({ items: [] }, item, { page: 0, size: 10 }).ok).toBe(false);
    expect(readPage({ content: [{ nope: 1 }] }, item, { page: 0, size: 10 }).ok).toBe(false);
  });
  it('readItems takes an array or a page', () => {
    expect(readItems([{ id: 'a' }], item)).toEqual({ ok: true, value: [{ id: 'a' }] });
    expect(readItems({ content: [{ id: 'b' }] }, item)).toEqual({ ok: true, value: [{ id: 'b' }] });
  });
});

describe('readBulk', () => {
  it('reads per-item results with partial failures', () => {
    const read = readBulk(
      [
        { index: 0, idOrCode: 'a', status: 200, data: { id: 'a' } },
        {
          index: 1,
          idOrCode: 'b',
          status: 422,
          error: {
            status: 422,
            message: 'Validation failed',
            errors: [{ field: 'name', message: 'must not be blank' }],
          },
        },
        { index: 2, idOrCode: 'c', status: 204, id: 'c' },
      ],
      item,
      ['a', 'b', 'c'],
    );
    expect(read).toEqual({
      ok: true,
      value: [
        { ok: true, index: 0, idOrCode: 'a', status: 200, record: { id: 'a' } },
        {
          ok: false,
          index: 1,
          idOrCode: 'b',
          status: 422,
          error: {
            status: 422,
            message: 'Validation failed',
            errors: [{ field: 'name', message: 'must not be blank' }],
          },
          fieldErrors: [{ field: 'name', message: 'must not be blank' }],
        },
        { ok: true, index: 2, idOrCode: 'c', status: 204, record: undefined },
      ],
    });
  });
  it('reads plain records (a customer’s string status is not an item status)', () => {
    expect(readBulk({ results: [{ id: 'a', status: 'ACTIVE' }] }, item, [undefined])).toEqual({
      ok: true,
      value: [
        {
          ok: true,
          index: 0,
          idOrCode: 'a',
          status: undefined,
          record: { id: 'a', status: 'ACTIVE' },
        },
      ],
    });
  });
  it('takes an empty answer as all done, and refuses a non-array', () => {
    expect(readBulk(undefined, item, ['a'])).toMatchObject({
      ok: true,
      value: [{ ok: true, idOrCode: 'a' }],
    });
    expect(readBulk({ nope: true }, item, []).ok).toBe(false);
  });
});
