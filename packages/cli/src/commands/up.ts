import { localStack } from '@tidemark/config';
import { describeError } from '@tidemark/errors';
import { checkKafka, checkS3 } from '../checks.js';
import type { Command } from '../command.js';
import { runInfra, type InfraPart } from '../infra.js';

const parts: readonly InfraPart[] = ['kafka', 's3'];

export const upCommand: Command = {
  name: 'up',
  summary:
    'Starts the local stack in the foreground: Kafka and S3 (fetched from Maven Central on first use), ' +
    'checks that each works, and stops everything on Ctrl-C.',
  usage: 'up [--keep]',
  options: { keep: { type: 'boolean' } },
  async run(args, { env, out, signal }) {
    const stack = localStack(env);
    out('starting Kafka and S3 ...');
    await Promise.all(parts.map((part) => runInfra(part, 'start', { env, onLine: out })));
    out(await checkKafka(stack));
    out(await checkS3(stack));
    out('local stack is ready');
    if (args.values['keep'] === true) {
      out('--keep: leaving it running; stop it with `tidemark down`');
      return 0;
    }
    out('press Ctrl-C to stop');
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    out('stopping ...');
    const stopped = await Promise.allSettled(
      parts.map((part) => runInfra(part, 'stop', { env, onLine: out })),
    );
    const failures = stopped.filter((result) => result.status === 'rejected');
    for (const failure of failures) out(`stop failed: ${describeError(failure.reason)}`);
    out(failures.length === 0 ? 'stopped' : 'some parts did not stop cleanly');
    return failures.length === 0 ? 0 : 1;
  },
};
