#!/usr/bin/env node
import { describeError, isTidemarkError } from '@tidemark/errors';
import { runCli } from './run.js';

// The entry point under plain `node`: wire the process to the command runner.
const controller = new AbortController();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort();
  });
}

runCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  signal: controller.signal,
})
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    process.stderr.write(`tidemark: ${describeError(error)}\n`);
    process.exitCode = isTidemarkError(error) && error.details['usage'] === true ? 2 : 1;
  })
  .finally(() => {
    // Idle sockets of clients used by a command must not hold the process open.
    setTimeout(() => process.exit(), 100).unref();
  });
