/**
 * Runs the BUILT `tidemark` command under plain `node`, outside vitest's module loader.
 * This is where a named import from a CommonJS package such as kafkajs would crash
 * (vitest's interop hides it), so the command exercises Kafka and S3 for real.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../packages/cli/bin/tidemark.js', import.meta.url));
const built = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

describe('tidemark under plain node', () => {
  it('is built', () => {
    expect(existsSync(built), 'run `npm run build` first').toBe(true);
  });

  it('checks the real broker and S3 server with `tidemark status`', async () => {
    const { stdout } = await run(process.execPath, [bin, 'status'], {
      env: process.env,
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^Kafka ready at 127\.0\.0\.1:\d+$/m);
    expect(stdout).toMatch(/^S3 ready at http:\/\/127\.0\.0\.1:\d+ \(bucket [\w-]+\)$/m);
  });

  it('answers a bad argument with one line on stderr and exit code 2', async () => {
    const outcome = await run(process.execPath, [bin, 'up', '--nope']).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(outcome?.code).toBe(2);
    expect(outcome?.stderr.trim().split('\n')).toHaveLength(1);
    expect(outcome?.stderr).toMatch(/^tidemark: INPUT_INVALID: up: /);
  });
});
