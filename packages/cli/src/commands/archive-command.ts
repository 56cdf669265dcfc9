import { usageError, type Command } from '../command.js';
import { runArchiveReplay } from './archive-replay.js';
import { archiveTargetOptions } from './archive-shared.js';
import { runArchiveVerify } from './archive-verify.js';

export const archiveCommand: Command = {
  name: 'archive',
  summary:
    'Works with the S3 audit archive. `verify` proves per topic-partition that archived offsets ' +
    'have no gap or overlap up to the committed offset and prints counts per topic and day (exit 1 if not). ' +
    '`replay` publishes archived events of a time range to a topic with their original ids. ' +
    'Reads the sink’s variables (TIDEMARK_KAFKA_*, TIDEMARK_S3_*, AWS chain), or the local stack with --local.',
  usage:
    'archive verify [--group <id>] [--topic <regex>] [--prefix <p>] [--local] [--json]\n' +
    '       tidemark archive replay --from <iso> --to <iso> --target <topic> [--topic <regex>] [--include-raw] [--prefix <p>] [--local]',
  options: {
    ...archiveTargetOptions,
    group: { type: 'string' },
    json: { type: 'boolean' },
    from: { type: 'string' },
    to: { type: 'string' },
    target: { type: 'string' },
    'include-raw': { type: 'boolean' },
  },
  maxPositionals: 1,
  async run(args, context) {
    const [action] = args.positionals;
    if (action === 'verify') return runArchiveVerify(args, context);
    if (action === 'replay') return runArchiveReplay(args, context);
    throw usageError(`archive: expected 'verify' or 'replay', got '${action ?? ''}'`);
  },
};
