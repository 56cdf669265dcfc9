import { describe, expect, it } from 'vitest';
import { readLoginAnswer } from './auth.js';
import {
  listOf,
  peaktmsQueryPageBodySchema,
  peaktmsRecordSchema,
  peaktmsUserSchema,
} from './schemas.js';

const id = '3f1c2a4e-9b8d-4c1e-8f2a-1b2c3d4e5f60';

describe('schemas tolerate the unknown', () => {
  it('keeps unknown members of records and attributes', () => {
    const record = peaktmsRecordSchema.parse({
      id,
      type: 'Test',
      future: { x: 1 },
      attributes: [{ name: 'A', dataType: 'NEW_TYPE', value: 1, unit: 'kg' }],
    });
    expect(record['future']).toEqual({ x: 1 });
    expect(record.attributes[0]).toMatchObject({ dataType: 'NEW_TYPE', unit: 'kg' });
  });

  it('reads `type`/`datatype` as dataType, an attribute map as a list, no attributes as []', () => {
    expect(
      peaktmsRecordSchema.parse({ id, attributes: [{ name: 'A', type: 'TEXT', value: 'x' }] })
        .attributes[0]?.dataType,
    ).toBe('TEXT');
    expect(peaktmsRecordSchema.parse({ id, attributes: { A: 1 } }).attributes).toEqual([
      { name: 'A', value: 1 },
    ]);
    expect(peaktmsRecordSchema.parse({ id }).attributes).toEqual([]);
  });

  it('requires a UUID id', () => {
    expect(peaktmsRecordSchema.safeParse({ id: 'x' }).success).toBe(false);
  });

  it.each([[{ content: [1], totalPages: 1 }], [{ items: [1] }], [[1]]])(
    'query pages in several shapes: %j',
    (body) => {
      expect(peaktmsQueryPageBodySchema.parse(body).content).toEqual([1]);
    },
  );

  it('lists as arrays or wrapped', () => {
    const users = listOf(peaktmsUserSchema);
    expect(users.parse([{ loginName: 'a', mobile: '1' }])).toEqual([
      { loginName: 'a', mobile: '1' },
    ]);
    expect(users.parse({ users: [{ loginName: 'a' }] })).toHaveLength(1);
  });

  it.each([
    ['{"token":"T","expiresIn":900}', 'T', 900],
    ['{"access_token":"T","expires_in":"60"}', 'T', 60],
    ['{"accessToken":"T"}', 'T', undefined],
    ['"T"', 'T', undefined],
    ['T.abc-def', 'T.abc-def', undefined],
  ])('login answer %s', (text, token, expiresIn) => {
    const answer = readLoginAnswer(text);
    expect(answer?.token).toBe(token);
    expect(answer?.expiresIn).toBe(expiresIn);
  });

  it('a login answer without a token is undefined', () => {
    expect(readLoginAnswer('{"user":"demo"}')).toBeUndefined();
    expect(readLoginAnswer('')).toBeUndefined();
  });
});
