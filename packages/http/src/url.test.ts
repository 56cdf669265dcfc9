import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { buildTarget } from './url.js';

describe('buildTarget', () => {
  it.each([
    ['https://api.example.com', '/contacts', undefined, 'https://api.example.com/contacts'],
    [
      'https://api.example.com/v1/',
      'contacts/42',
      undefined,
      'https://api.example.com/v1/contacts/42',
    ],
    [
      'https://api.example.com/v1',
      '/contacts',
      { limit: 50, since: undefined },
      'https://api.example.com/v1/contacts?limit=50',
    ],
    [
      'http://h:8080',
      '/x?a=1',
      { b: ['2', 3], c: null, d: true },
      'http://h:8080/x?a=1&b=2&b=3&d=true',
    ],
    ['http://h', '/search', { q: 'a b&c' }, 'http://h/search?q=a+b%26c'],
  ])('%s + %s', (baseUrl, path, query, expected) => {
    expect(buildTarget(baseUrl, path, query).url.href).toBe(expected);
  });

  it('keeps query values out of the loggable path', () => {
    const target = buildTarget('https://h/api', '/items?apikey=s3cret', { token: 'abc' });
    expect(target.path).toBe('/api/items');
  });

  it.each([
    'https://evil.example/steal',
    '//evil.example/steal',
    'javascript:alert(1)',
    '\\\\evil',
  ])('refuses a path that could leave the base host: %s', (path) => {
    let thrown: unknown;
    try {
      buildTarget('https://h', path);
    } catch (error: unknown) {
      thrown = error;
    }
    expect(isTidemarkError(thrown) && thrown.code).toBe('INPUT_INVALID');
  });
});
