import { localStack } from '@tidemark/config';
import { describeError } from '@tidemark/errors';
import { checkKafka, checkS3 } from '../checks.js';
import type { Command } from '../command.js';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Checks that the local Kafka broker and S3 server are up and usable; exits 1 if not.',
  usage: 'status',
  options: {},
  async run(_args, { env, out }) {
    const stack = localStack(env);
    let healthy = true;
    for (const check of [checkKafka, checkS3]) {
      try {
        out(await check(stack));
      } catch (error) {
        healthy = false;
        out(`not ready: ${describeError(error)}`);
      }
    }
    return healthy ? 0 : 1;
  },
};
