/** The built `tidemark` command under plain node, as an operator runs it. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../packages/cli/bin/tidemark.js', import.meta.url));

/** `tidemark <args>`: exit code and everything it printed. */
export function runTidemark(
  args: readonly string[],
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

/** `tidemark backfill <stream> --poller http://127.0.0.1:<opsPort>`. */
export function askBackfill(
  stream: string,
  opsPort: number,
): Promise<{ code: number | null; out: string }> {
  return runTidemark(['backfill', stream, '--poller', `http://127.0.0.1:${opsPort}`]);
}
