import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TidemarkError } from '@tidemark/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  env: Readonly<Record<string, string | undefined>>;
  /** Progress and results for people. */
  out: (line: string) => void;
  /** Fires on Ctrl-C / SIGTERM; long-running commands stop when it aborts. */
  signal: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage text shown by --help, after "Usage: tidemark ". */
  usage: string;
  options: Options;
  /** Allowed positional arguments. Default 0. */
  maxPositionals?: number;
  /**
   * Hands every argument after the command name to `run` as positionals, unparsed, for
   * commands that delegate to another parser (`sim <system> ...`). `--help` alone still works.
   */
  rawArgs?: boolean;
  run(args: ParsedArgs, context: CommandContext): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export const helpOption = { help: { type: 'boolean', short: 'h' } } as const satisfies Options;

/** Parses a command's arguments strictly: an unknown flag is a usage error, not ignored. */
export function parseCommandArgs(command: Command, argv: readonly string[]): ParsedArgs {
  if (command.rawArgs === true) {
    const help =
      argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h'));
    return { values: { help: help || undefined }, positionals: [...argv] };
  }
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: { ...command.options, ...helpOption },
      allowPositionals: true,
      strict: true,
    });
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values['help'] !== true && parsed.positionals.length > (command.maxPositionals ?? 0)) {
      throw new Error(
        `unexpected argument '${parsed.positionals[command.maxPositionals ?? 0] ?? ''}'`,
      );
    }
    return { values, positionals: parsed.positionals };
  } catch (error) {
    throw usageError(`${command.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function usageError(message: string): TidemarkError {
  return new TidemarkError('INPUT_INVALID', message, { details: { usage: true } });
}

export function formatHelp(command: Command): string {
  const lines = [`Usage: tidemark ${command.usage}`, '', command.summary];
  const entries = Object.entries({ ...command.options, ...helpOption });
  if (entries.length > 0) {
    lines.push('', 'Options:');
    for (const [name, option] of entries as [
      string,
      { type: 'string' | 'boolean'; short?: string },
    ][]) {
      const short = 'short' in option && option.short !== undefined ? `-${option.short}, ` : '    ';
      const value = option.type === 'string' ? ` <${name}>` : '';
      lines.push(`  ${short}--${name}${value}`);
    }
  }
  return lines.join('\n');
}
