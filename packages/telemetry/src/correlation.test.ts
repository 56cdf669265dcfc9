import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import {
  currentCorrelationId,
  isValidCorrelationId,
  resolveCorrelationId,
  withCorrelationId,
} from './correlation.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('resolveCorrelationId', () => {
  it.each([
    ['a UUID', 'b3f1c2d4-1111-4222-8333-444455556666'],
    ['letters, digits and ._:-', 'poll:zeyos.contacts_2024-01-01T00.00'],
    ['one character', 'x'],
    ['exactly 128 characters', 'a'.repeat(128)],
  ])('reuses %s', (_name, incoming) => {
    expect(resolveCorrelationId(incoming)).toEqual({ id: incoming, reused: true });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
  ])('generates one when absent (%s)', (_name, incoming) => {
    const resolved = resolveCorrelationId(incoming);
    expect(resolved.id).toMatch(UUID);
    expect(resolved).toEqual({ id: resolved.id, reused: false });
  });

  it.each([
    ['too long', 'a'.repeat(129), 'longer than 128 characters'],
    ['CRLF', 'abc\r\nx-admin: true', 'characters outside [A-Za-z0-9._:-]'],
    ['a lone LF', 'abc\ndef', 'characters outside [A-Za-z0-9._:-]'],
    ['spaces', 'abc def', 'characters outside [A-Za-z0-9._:-]'],
    ['a folded repeat', 'abc, def', 'characters outside [A-Za-z0-9._:-]'],
    ['non-ASCII', 'abcé', 'characters outside [A-Za-z0-9._:-]'],
    ['empty', '', 'empty'],
    ['a number', 42, 'not a string'],
    ['an object', { id: 'abc' }, 'not a string'],
    ['a repeated header', ['abc', 'def'], 'repeated header'],
  ])('replaces %s and says why without echoing it', (_name, incoming, reason) => {
    const resolved = resolveCorrelationId(incoming);
    expect(resolved.reused).toBe(false);
    expect(resolved.id).toMatch(UUID);
    expect(resolved.rejected).toBe(reason);
    if (typeof incoming === 'string' && incoming !== '') {
      expect(resolved.rejected).not.toContain(incoming);
    }
  });

  it('generates a different id each time', () => {
    expect(resolveCorrelationId(undefined).id).not.toBe(resolveCorrelationId(undefined).id);
  });
});

describe('withCorrelationId', () => {
  it('exposes the id across awaits and only inside', async () => {
    expect(currentCorrelationId()).toBeUndefined();
    const seen = await withCorrelationId('corr-1', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentCorrelationId();
    });
    expect(seen).toBe('corr-1');
    expect(currentCorrelationId()).toBeUndefined();
  });

  it('keeps concurrent scopes apart and nests', async () => {
    const run = (id: string) =>
      withCorrelationId(id, async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        return [currentCorrelationId(), withCorrelationId(`${id}.inner`, currentCorrelationId)];
      });
    expect(await Promise.all([run('a'), run('b')])).toEqual([
      ['a', 'a.inner'],
      ['b', 'b.inner'],
    ]);
  });

  it('refuses an unsafe id', () => {
    let thrown: unknown;
    try {
      withCorrelationId('bad\r\nid', () => undefined);
    } catch (error: unknown) {
      thrown = error;
    }
    expect(isTidemarkError(thrown) && thrown.code).toBe('INPUT_INVALID');
    expect(isValidCorrelationId('bad\r\nid')).toBe(false);
  });
});
