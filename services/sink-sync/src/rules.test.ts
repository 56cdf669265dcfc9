import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { System } from '@tidemark/events';
import { loadRules } from '@tidemark/sync-rules';
import { checkTargets } from './sync.js';
import type { SyncTarget } from './targets/target.js';
import { tsmTarget } from './targets/tsm-target.js';
import { zeyosTarget } from './targets/zeyos-target.js';

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
});
