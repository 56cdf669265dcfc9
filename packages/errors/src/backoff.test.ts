import { describe, expect, it } from 'vitest';
import { backoffDelayMs, sleep } from './backoff.js';

describe('backoffDelayMs', () => {
  it.each([
    [1, 1, 200],
    [2, 1, 400],
    [3, 1, 800],
    [20, 1, 30_000],
    [3, 0, 0],
    [3, 0.5, 400],
  ])('attempt %i with random %f → %i', (attempt, random, expected) => {
    expect(backoffDelayMs(attempt, {}, () => random)).toBe(expected);
  });

  it('never exceeds the cap, even for huge attempt numbers', () => {
    expect(
      backoffDelayMs(10_000, { baseDelayMs: 100, maxDelayMs: 5000 }, () => 0.999),
    ).toBeLessThan(5000);
  });

  it('honours a larger Retry-After, capped by the maximum', () => {
    expect(backoffDelayMs(1, {}, () => 0, 2000)).toBe(2000);
    expect(backoffDelayMs(1, { maxDelayMs: 1000 }, () => 0, 60_000)).toBe(1000);
    expect(backoffDelayMs(5, {}, () => 0.99, 10)).toBeGreaterThan(10);
  });
});

describe('sleep', () => {
  it('ends early when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, controller.signal);
    controller.abort();
    await pending;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
