import { peaktmsMain, tsmMain, zeyosMain } from '@tidemark/simulators';
import { usageError, type Command } from '../command.js';

/** Each system's simulator entry: takes its own arguments, resolves to an exit code. */
const simulators: Record<string, (argv: readonly string[]) => Promise<number>> = {
  zeyos: (argv) => zeyosMain(argv),
  tsm: (argv) => tsmMain(argv),
  peaktms: (argv) => peaktmsMain(argv),
};

export const simCommand: Command = {
  name: 'sim',
  summary:
    'Runs the simulator of a source system (the stand-in for it in tests and the local demo) ' +
    'until Ctrl-C. `tidemark sim <system> --help` lists its options.',
  usage: `sim <${Object.keys(simulators).join('|')}> [--port N] [--seed S] [options]`,
  options: {},
  rawArgs: true,
  async run(args) {
    const [system, ...rest] = args.positionals;
    const start = system === undefined ? undefined : simulators[system];
    if (start === undefined) {
      throw usageError(
        `sim: ${system === undefined ? 'which system?' : `unknown system '${system}'`} (one of: ${Object.keys(simulators).join(', ')})`,
      );
    }
    return start(rest);
  },
};
