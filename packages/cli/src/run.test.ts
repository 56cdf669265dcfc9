import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { commands, runCli } from './run.js';

function context() {
  const lines: string[] = [];
  return {
    lines,
    ctx: { env: {}, out: (line: string) => lines.push(line), signal: new AbortController().signal },
  };
}

async function usageFailure(argv: string[]) {
  const { ctx } = context();
  const outcome = await runCli(argv, ctx).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!isTidemarkError(outcome)) throw new Error('expected a usage error');
  return outcome;
}

describe('tidemark CLI', () => {
  it('prints the command list for --help and exits 0', async () => {
    const { lines, ctx } = context();
    expect(await runCli(['--help'], ctx)).toBe(0);
    const text = lines.join('\n');
    for (const command of commands) expect(text).toContain(command.name);
  });

  it('prints help and exits 2 without a command', async () => {
    const { ctx } = context();
    expect(await runCli([], ctx)).toBe(2);
  });

  it.each(commands.map((command) => command.name))(
    '%s --help shows its usage without running',
    async (name) => {
      const { lines, ctx } = context();
      expect(await runCli([name, '--help'], ctx)).toBe(0);
      expect(lines.join('\n')).toContain(`Usage: tidemark ${name}`);
    },
  );

  it.each([
    [['launch'], /unknown command 'launch'/],
    [['up', '--bogus'], /up: .*bogus/],
    [['down', 'extra'], /down: unexpected argument 'extra'/],
    [['sim', 'sap'], /sim: unknown system 'sap'/],
  ])('%j is a one-line usage error', async (argv, pattern) => {
    const error = await usageFailure(argv);
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.details['usage']).toBe(true);
    expect(error.message).toMatch(pattern);
    expect(error.message).not.toContain('\n');
  });
});
