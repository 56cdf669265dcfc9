import { describe, expect, it } from 'vitest';
import { JsonObjectSchema, JsonValueSchema, MAX_JSON_DEPTH } from './json.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { child: value };
  return value;
}

describe('JsonValueSchema', () => {
  it.each([
    ['string', 'text'],
    ['unicode', 'Zoë 😀 東京'],
    ['integer', 42],
    ['float', -3.25],
    ['boolean', false],
    ['null', null],
    ['array', [1, 'a', null, [true]]],
    ['object', { a: { b: [{ c: null }] } }],
    ['depth at the limit', nested(MAX_JSON_DEPTH - 1)],
  ])('accepts %s', (_, value) => {
    expect(JsonValueSchema.safeParse(value).success).toBe(true);
  });

  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;

  it.each([
    ['undefined', undefined],
    ['undefined inside an object', { a: undefined }],
    ['a function', { f: () => 1 }],
    ['NaN', NaN],
    ['Infinity', { n: Infinity }],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a bigint', 1n],
    ['a __proto__ key', JSON.parse('{"a":{"__proto__":{"x":1}}}') as unknown],
    ['nesting beyond the limit', nested(MAX_JSON_DEPTH + 1)],
    ['a cycle', cyclic],
  ])('rejects %s', (_, value) => {
    expect(JsonValueSchema.safeParse(value).success).toBe(false);
  });
});

describe('JsonObjectSchema', () => {
  it.each([
    ['an array', []],
    ['a string', 'x'],
    ['null', null],
  ])('rejects %s', (_, value) => {
    expect(JsonObjectSchema.safeParse(value).success).toBe(false);
  });

  it('keeps every field', () => {
    const record = { a: 1, b: { c: ['x', null] }, 'key with spaces': true };
    expect(JsonObjectSchema.parse(record)).toStrictEqual(record);
  });
});
