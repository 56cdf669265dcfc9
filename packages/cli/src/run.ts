import { archiveCommand } from './commands/archive-command.js';
import { backfillCommand } from './commands/backfill.js';
import { downCommand } from './commands/down.js';
import { simCommand } from './commands/sim.js';
import { statusCommand } from './commands/status.js';
import { tailCommand } from './commands/tail.js';
import { upCommand } from './commands/up.js';
import {
  formatHelp,
  parseCommandArgs,
  usageError,
  type Command,
  type CommandContext,
} from './command.js';

/** Every command of the `tidemark` CLI. Later issues add theirs here. */
export const commands: readonly Command[] = [
  upCommand,
  downCommand,
  statusCommand,
  simCommand,
  archiveCommand,
  tailCommand,
  backfillCommand,
];

export function topLevelHelp(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: tidemark <command> [options]',
    '',
    'Tidemark: change-data-capture from PeakTMS, tSM and ZeyOS into Kafka as CloudEvents.',
    '',
    'Commands:',
    ...commands.map(
      (command) => `  ${command.name.padEnd(width)}  ${command.summary.split('. ')[0] ?? ''}`,
    ),
    '',
    "Run `tidemark <command> --help` for a command's options.",
  ].join('\n');
}

/** Runs one invocation; resolves to the exit code, throws usage errors for bad arguments. */
export async function runCli(argv: readonly string[], context: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.out(topLevelHelp());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    throw usageError(`unknown command '${name}' (try: tidemark --help)`);
  }
  const args = parseCommandArgs(command, rest);
  if (args.values['help'] === true) {
    context.out(formatHelp(command));
    return 0;
  }
  return command.run(args, context);
}
