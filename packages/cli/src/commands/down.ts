import type { Command } from '../command.js';
import { runInfra } from '../infra.js';

export const downCommand: Command = {
  name: 'down',
  summary:
    'Stops a local stack left running (by `tidemark up --keep`, a crash, or the test setup).',
  usage: 'down',
  options: {},
  async run(_args, { env, out }) {
    await Promise.all([
      runInfra('kafka', 'stop', { env, onLine: out }),
      runInfra('s3', 'stop', { env, onLine: out }),
    ]);
    out('local stack stopped');
    return 0;
  },
};
