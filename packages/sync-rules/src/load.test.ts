import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { loadRules, type RuleProblem } from './load.js';

const good = `
version: 1
rules:
  - name: zeyos-accounts-to-tsm-customers
    from: { system: zeyos, entity: accounts, ops: [create, update, delete] }
    when: visibility = 0
    to: { system: tsm, entity: customers }
    match: { targetField: extRef }
    fields:
      name: { from: lastname }
      code: { from: customernum }
      kind: { const: COMPANY }
      label: { expr: "firstname & ' ' & lastname" }
    onDelete: archive
`;

function problemsOf(text: string): RuleProblem[] {
  try {
    loadRules(text, 'rules.yaml');
  } catch (error) {
    if (isTidemarkError(error) && error.code === 'CONFIG_INVALID') {
      return error.details['problems'] as RuleProblem[];
    }
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('loadRules', () => {
  it('reads a valid file with defaults filled in and expressions compiled', () => {
    const set = loadRules(good, 'rules.yaml');
    expect(set.rules).toHaveLength(1);
    const [compiled] = set.rules;
    expect(compiled?.rule.conflict).toBe('last-writer-wins');
    expect(compiled?.rule.onDelete).toBe('archive');
    expect(compiled?.when).toBeDefined();
    expect(compiled?.fields.map((f) => f.target)).toEqual(['name', 'code', 'kind', 'label']);
    expect(compiled?.fields.find((f) => f.target === 'label')?.expression).toBeDefined();
  });

  it('reads JSON too', () => {
    const json = JSON.stringify({
      version: 1,
      rules: [
        {
          name: 'a',
          from: { system: 'tsm', entity: 'tickets' },
          to: { system: 'zeyos', entity: 'tickets' },
          fields: { name: { from: 'name' } },
        },
      ],
    });
    expect(loadRules(json, 'rules.json').rules[0]?.rule.name).toBe('a');
  });

  it('names each bad rule by line, column and path, all problems at once', () => {
    const text = `version: 1
rules:
  - name: ok-rule
    from: { system: zeyos, entity: accounts }
    to: { system: tsm, entity: customers }
    fields:
      name: { from: lastname }
  - name: Bad Name
    from: { system: sap, entity: accounts }
    to: { system: tsm, entity: customers }
    fields:
      when: { from: creationdate, convert: to-date }
`;
    const problems = problemsOf(text);
    const byPath = new Map(problems.map((p) => [p.path, p]));
    expect(byPath.get('rules[1].name')).toMatchObject({ line: 8, column: 11 });
    expect(byPath.get('rules[1].from.system')).toMatchObject({ line: 9 });
    expect(byPath.get('rules[1].fields.when.convert')).toMatchObject({ line: 12 });
    expect(byPath.get('rules[1].fields.when.convert')?.message).toMatch(/unix-seconds-to-iso/);
    expect(problems.length).toBe(3);
  });

  it('refuses duplicate rule names and a rule that writes into its own source', () => {
    const text = `version: 1
rules:
  - name: twice
    from: { system: zeyos, entity: accounts }
    to: { system: tsm, entity: customers }
    fields: { name: { from: lastname } }
  - name: twice
    from: { system: zeyos, entity: accounts }
    to: { system: zeyos, entity: accounts }
    fields: { name: { from: lastname } }
`;
    const messages = problemsOf(text).map((p) => `${p.path}@${p.line}: ${p.message}`);
    expect(messages).toEqual([
      'rules[1].name@7: duplicate rule name (also rules[0])',
      'rules[1].to@9: a rule may not write into the entity it reads from',
    ]);
  });

  it('reports a JSONata syntax error at its expression', () => {
    const problems = problemsOf(good.replace('visibility = 0', 'visibility = ('));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'rules[0].when', line: 6 });
    expect(problems[0]?.message).toMatch(/^JSONata: /);
  });

  it('reports YAML syntax errors with their line and a duplicate key', () => {
    expect(problemsOf('version: 1\nrules: [\n')[0]?.line).toBeGreaterThan(0);
    expect(problemsOf('version: 1\nversion: 1\nrules: []\n')[0]?.line).toBe(2);
  });

  it('explains a field mapping that says too little or too much', () => {
    const both = problemsOf(good.replace('{ const: COMPANY }', '{ const: COMPANY, from: kind }'));
    expect(both).toEqual([
      expect.objectContaining({
        path: 'rules[0].fields.kind',
        line: 12,
        message: 'use one of from, const, expr (not from and const)',
      }),
    ]);
    const none = problemsOf(good.replace('{ const: COMPANY }', '{}'));
    expect(none[0]?.message).toBe('say how to make the field: from, const or expr');
    const stray = problemsOf(good.replace('{ const: COMPANY }', '{ const: COMPANY, default: 1 }'));
    expect(stray[0]).toMatchObject({
      path: 'rules[0].fields.kind.default',
      message: 'default only goes with from',
    });
  });

  it('says what is missing: no rules, an unknown key, no fields', () => {
    expect(problemsOf('version: 1\nrules: []\n').map((p) => p.path)).toEqual(['rules']);
    const unknown = problemsOf(
      good.replace('onDelete: archive', 'onDelete: archive\n    extra: 1'),
    );
    expect(unknown[0]?.message).toMatch(/extra/);
    const empty = problemsOf(
      'version: 1\nrules:\n  - name: e\n    from: { system: zeyos, entity: accounts }\n    to: { system: tsm, entity: customers }\n    fields: {}\n',
    );
    expect(empty[0]).toMatchObject({ path: 'rules[0].fields', message: 'map at least one field' });
  });

  it('puts every problem into the error message, one per line, with the file name', () => {
    try {
      loadRules('version: 2\nrules: []\n', 'team/rules.yaml');
      expect.unreachable();
    } catch (error) {
      expect(isTidemarkError(error) && error.message).toMatch(
        /^rule file team\/rules.yaml has 2 problems:\n {2}team\/rules.yaml:1:10 version: /,
      );
    }
  });
});
