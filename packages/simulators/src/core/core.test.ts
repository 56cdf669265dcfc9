import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { parseForm } from './body.js';
import { canonicalJson, stateHash } from './canonical.js';
import { SimClock } from './clock.js';
import { FaultController, decideRandomFault, defaultKnobs } from './faults.js';
import { Journal } from './journal.js';
import { createRng } from './prng.js';
import { RequestLog } from './request-log.js';
import { Router } from './router.js';
import { TokenRegistry } from './tokens.js';

describe('createRng', () => {
  it('repeats a sequence for the same seed and differs for another', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const draw = (rng: ReturnType<typeof createRng>) => Array.from({ length: 5 }, () => rng.next());
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('forks independent streams by label', () => {
    const parent = createRng('s');
    parent.next();
    expect(parent.fork('x').next()).toBe(createRng('s').fork('x').next());
  });

  it('picks by weight and never picks a zero weight', () => {
    const rng = createRng(1);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 3000; i++) counts[rng.weighted({ a: 1, b: 2, c: 0 }) ?? 'c']++;
    expect(counts.c).toBe(0);
    expect(counts.b).toBeGreaterThan(counts.a);
  });
});

describe('SimClock', () => {
  it('offsets, freezes, advances and resumes', () => {
    let real = 1_000_000;
    const clock = new SimClock(() => real);
    clock.apply({ offsetMs: 5000 });
    expect(clock.nowMs()).toBe(1_005_000);
    clock.apply({ frozen: true });
    real += 10_000;
    expect(clock.nowMs()).toBe(1_005_000);
    clock.apply({ advanceMs: 2000 });
    expect(clock.nowSeconds()).toBe(1007);
    clock.apply({ frozen: false });
    real += 1000;
    expect(clock.nowMs()).toBe(1_008_000);
    clock.apply({ reset: true });
    expect(clock.nowMs()).toBe(real);
  });
});

describe('Journal', () => {
  it('numbers entries and pages through them with a filter', () => {
    const journal = new Journal<{ entity: string }>(() => 7);
    for (let i = 0; i < 10; i++) journal.append({ entity: i % 2 === 0 ? 'a' : 'b' });
    const page = journal.read(0, 3, (e) => e.entity === 'b');
    expect(page.entries.map((e) => e.seq)).toEqual([2, 4, 6]);
    expect(page.nextAfter).toBe(6);
    expect(
      journal.read(page.nextAfter, 10, (e) => e.entity === 'b').entries.map((e) => e.seq),
    ).toEqual([8, 10]);
    expect(journal.read(10).entries).toEqual([]);
  });

  it('trims the oldest entries beyond its capacity', () => {
    const journal = new Journal<{ n: number }>(() => 0, { maxEntries: 3 });
    for (let n = 1; n <= 5; n++) journal.append({ n });
    expect(journal.firstSeq).toBe(3);
    expect(journal.read(0).entries.map((e) => e.n)).toEqual([3, 4, 5]);
    expect(journal.read(3).entries.map((e) => e.n)).toEqual([4, 5]);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: null }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":null,"z":1}]},"b":1}',
    );
    expect(stateHash({ a: 1, b: 2 })).toBe(stateHash({ b: 2, a: 1 }));
  });
});

describe('parseForm (PHP-style brackets)', () => {
  it('builds arrays and objects', () => {
    expect(parseForm('fields[]=ID&fields[]=lastname&limit=3')).toEqual({
      fields: ['ID', 'lastname'],
      limit: '3',
    });
    expect(
      parseForm('filter[type]=1&filter[contact.country][IN][]=DE&filter[contact.country][IN][]=AT'),
    ).toEqual({
      filter: { type: '1', 'contact.country': { IN: ['DE', 'AT'] } },
    });
    expect(parseForm('fields[0]=ID&fields[Name]=lastname')).toEqual({
      fields: { 0: 'ID', Name: 'lastname' },
    });
  });
});

describe('FaultController', () => {
  it('decides random faults from (seed, request number) alone', () => {
    const knobs = { ...defaultKnobs, error503Rate: 0.3, latencyMinMs: 5, latencyMaxMs: 50 };
    const first = Array.from({ length: 50 }, (_, n) => decideRandomFault(knobs, 'seed', n));
    const again = Array.from({ length: 50 }, (_, n) => decideRandomFault(knobs, 'seed', n));
    expect(again).toEqual(first);
    const unavailable = first.filter((d) => d.status === 503).length;
    expect(unavailable).toBeGreaterThan(5);
    expect(unavailable).toBeLessThan(30);
    expect(first.every((d) => d.delayMs >= 5 && d.delayMs <= 50)).toBe(true);
  });

  it('serves scripted faults in order, only to matching requests', () => {
    const faults = new FaultController(1);
    faults.enqueue([{ fault: '503', times: 2, match: 'accounts' }, { fault: 'malformed' }]);
    expect(faults.decide(1, 'POST /demo/api/v1/contacts').label).toBe('malformed');
    expect(faults.decide(2, 'POST /demo/api/v1/accounts').status).toBe(503);
    expect(faults.decide(3, 'POST /demo/api/v1/accounts').status).toBe(503);
    expect(faults.decide(4, 'POST /demo/api/v1/accounts').label).toBeNull();
  });

  it('rejects invalid knobs with INPUT_INVALID', () => {
    const faults = new FaultController(1);
    let caught: unknown;
    try {
      faults.update({ error500Rate: 2, bogus: 1 });
    } catch (error) {
      caught = error;
    }
    expect(isTidemarkError(caught) && caught.code === 'INPUT_INVALID').toBe(true);
  });

  it('limits requests per second with Retry-After', () => {
    let now = 0;
    const faults = new FaultController(1, { maxRequestsPerSecond: 2 }, () => now);
    expect(faults.decide(1, 'GET /').status).toBeNull();
    expect(faults.decide(2, 'GET /').status).toBeNull();
    const limited = faults.decide(3, 'GET /');
    expect(limited.status).toBe(429);
    expect(limited.retryAfterSeconds).toBe(1);
    now = 1000;
    expect(faults.decide(4, 'GET /').status).toBeNull();
  });
});

describe('RequestLog', () => {
  it('keeps the newest entries', () => {
    const log = new RequestLog(2);
    for (let seq = 1; seq <= 3; seq++) {
      log.add({
        seq,
        atMs: 0,
        method: 'GET',
        url: '/',
        status: 200,
        durationMs: 0,
        traceparent: null,
        tracestate: null,
        correlationId: null,
        requestId: null,
        fault: null,
      });
    }
    expect(log.all().map((e) => e.seq)).toEqual([2, 3]);
    expect(log.read(2).map((e) => e.seq)).toEqual([3]);
  });
});

describe('Router', () => {
  it('prefers literal segments and reports allowed methods', () => {
    const router = new Router();
    const a = () => ({ status: 200 });
    const b = () => ({ status: 201 });
    router
      .add('GET', '/:i/api/v1/:entity/:id', a)
      .add('GET', '/:i/api/v1/config', b)
      .add('POST', '/:i/api/v1/:entity', a);
    const config = router.match('GET', '/demo/api/v1/config');
    expect(config.kind === 'found' && config.handler).toBe(b);
    const item = router.match('GET', '/demo/api/v1/accounts/7');
    expect(item.kind === 'found' && item.params).toEqual({
      i: 'demo',
      entity: 'accounts',
      id: '7',
    });
    expect(router.match('DELETE', '/demo/api/v1/accounts')).toEqual({
      kind: 'method-not-allowed',
      allow: ['POST'],
    });
    expect(router.match('GET', '/x')).toEqual({ kind: 'not-found' });
  });
});

describe('TokenRegistry', () => {
  it('expires tokens on the simulated clock', () => {
    let now = 0;
    const tokens = new TokenRegistry<{ user: number }>(() => now);
    const entry = tokens.issue({ user: 1 }, 1000);
    expect(entry.token).toMatch(/^[a-f0-9]{40}$/);
    expect(tokens.lookup(entry.token)?.payload.user).toBe(1);
    now = 1000;
    expect(tokens.lookup(entry.token)).toBeUndefined();
    const other = tokens.issue({ user: 2 }, null);
    expect(tokens.expireAll()).toBe(2);
    expect(tokens.lookup(other.token)).toBeUndefined();
  });
});
