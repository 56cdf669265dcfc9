import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { JsonValue, System } from '@tidemark/events';
import { loadRules } from '@tidemark/sync-rules';
import { checkTargets } from './sync.js';
import type { SyncTarget } from './targets/target.js';
import { tsmTarget } from './targets/tsm-target.js';
import { zeyosTarget } from './targets/zeyos-target.js';

/** A value as a value map's key, the way sync-rules looks it up. */
const asKey = (value: JsonValue | undefined) =>
  typeof value === 'object' ? JSON.stringify(value) : String(value);

const folder = fileURLToPath(new URL('../rules/', import.meta.url));

// The adapters' static facts only: no request is made.
const targets = new Map<System, SyncTarget>([
  ['zeyos', zeyosTarget({} as never)],
  ['tsm', tsmTarget({} as never)],
]);

describe('the rule sets shipped in rules/', () => {
  const files = readdirSync(folder).filter((name) => name.endsWith('.yaml'));

  it('exist', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s loads and every rule has a capable target', (file) => {
    const rules = loadRules(readFileSync(`${folder}${file}`, 'utf8'), file);
    expect(rules.rules.length).toBeGreaterThan(0);
    expect(checkTargets(rules, targets)).toEqual([]);
  });

  // Two rules mapping a field both ways through value maps: every value one map makes must be
  // one the other maps back, and the round trip must end where one trip ends. Maps need not be
  // inverses (ZeyOS has more ticket states than tSM), but values must settle after one round;
  // otherwise the two directions rewrite each other for ever.
  it.each(files)('%s: two-way value maps settle after one round trip', (file) => {
    const { rules } = loadRules(readFileSync(`${folder}${file}`, 'utf8'), file);
    for (const { rule: there } of rules) {
      for (const { rule: back } of rules) {
        if (there.to.system !== back.from.system || there.to.entity !== back.from.entity) continue;
        if (back.to.system !== there.from.system || back.to.entity !== there.from.entity) continue;
        for (const [field, forward] of Object.entries(there.fields)) {
          const reverse = forward.from === undefined ? undefined : back.fields[forward.from];
          if (forward.values === undefined || reverse?.values === undefined) continue;
          if (reverse.from !== field) continue;
          for (const [value, made] of Object.entries(forward.values)) {
            const returned = reverse.values[asKey(made)];
            const trip = `${there.name} ${field}: ${value} -> ${asKey(made)} -> ${asKey(returned)}`;
            expect(returned, trip).toBeDefined();
            expect(forward.values[asKey(returned)], trip).toEqual(made);
          }
        }
      }
    }
  });
});
