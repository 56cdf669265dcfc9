import { describe, expect, it } from 'vitest';
import { applyMergePatch, createMergePatch } from './merge-patch.js';

describe('applyMergePatch (RFC 7396 Appendix A)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(cases)('%j + %j = %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });
});

describe('createMergePatch', () => {
  const before = {
    id: 'x',
    name: 'Acme',
    assignee: 'jane',
    tags: ['a'],
    chars: { tier: 'gold', region: 'EU' },
    auditInfo: { version: 3 },
  };
  it('sends only the diff; null removes; arrays whole; objects recursively', () => {
    const after = {
      id: 'x',
      name: 'Acme',
      tags: ['VIP', 'urgent'],
      chars: { tier: 'gold', region: 'US' },
      auditInfo: { version: 3 },
    };
    const patch = createMergePatch(before, after);
    expect(patch).toEqual({ assignee: null, tags: ['VIP', 'urgent'], chars: { region: 'US' } });
    expect(applyMergePatch(before, patch)).toEqual(after);
  });
  it('is empty when nothing changed', () => {
    expect(createMergePatch(before, structuredClone(before))).toEqual({});
  });
});
