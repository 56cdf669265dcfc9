/**
 * A built service under plain node, as the tests spawn it: the broker of the test stack, the
 * service's own variables, and the start-up lines of its JSON log watched for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

export type SpawnedService = ChildProcess & {
  /**
   * Settles once the service is at work: its `readyMessage` log line (`polling` for a poller,
   * `syncing` for the sync sink).
   */
  ready: Promise<void>;
  /** Settles with the port of its operational endpoints. */
  opsPort: Promise<number>;
};

/** Spawns `services/<name>/dist/main.js` with `env` beside PATH and the test broker. */
export function spawnService(
  name: string,
  env: Record<string, string>,
  readyMessage = 'polling',
): SpawnedService {
  const main = fileURLToPath(new URL(`../../services/${name}/dist/main.js`, import.meta.url));
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      TIDEMARK_KAFKA_BROKERS: inject('stack').kafkaBrokers.join(','),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The JSON log on stdout is only searched for the start-up lines; warnings and errors and
  // anything on stderr reach the test's output.
  let opsPortFound: (port: number) => void = () => undefined;
  const opsPort = new Promise<number>((resolve) => (opsPortFound = resolve));
  const ready = new Promise<void>((resolve) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes(`"msg":"${readyMessage}"`)) resolve();
        const port = /"msg":"operational endpoints listening".*"port":(\d+)/.exec(line)?.[1];
        if (port !== undefined) opsPortFound(Number(port));
        if (line.includes('"level":"error"') || line.includes('"level":"warn"'))
          process.stderr.write(`[${name}] ${line}\n`);
      }
    });
  });
  child.stderr?.on('data', (chunk: Buffer) =>
    process.stderr.write(`[${name}] ${chunk.toString()}`),
  );
  return Object.assign(child, { ready, opsPort });
}

/** SIGKILL, resolved once the process is gone (at once when it is gone already). */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
