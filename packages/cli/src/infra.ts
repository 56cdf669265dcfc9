import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TidemarkError } from '@tidemark/errors';

export type InfraPart = 'kafka' | 's3';
export type InfraAction = 'start' | 'stop' | 'fetch' | 'reset';

/** The repository's infra/ folder, found by walking up from this module (src or dist). */
export function infraDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(dir, 'infra');
    if (existsSync(join(candidate, 'kafka', 'start'))) return candidate;
    dir = dirname(dir);
  }
  throw new TidemarkError(
    'CONFIG_INVALID',
    'cannot find the infra/ folder: run tidemark from a Tidemark checkout',
  );
}

/**
 * Runs one infra script, passing each of its output lines to `onLine` with the part's
 * name in front, so parallel starts stay readable.
 */
export function runInfra(
  part: InfraPart,
  action: InfraAction,
  options: { env: Readonly<Record<string, string | undefined>>; onLine: (line: string) => void },
): Promise<void> {
  const script = join(infraDir(), part, action);
  return new Promise((resolve, reject) => {
    const child = spawn(script, [], { env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') options.onLine(`[${part}] ${line}`);
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.once('error', (error) =>
      reject(new TidemarkError('INTERNAL', `${part} ${action}: ${error.message}`)),
    );
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new TidemarkError('INTERNAL', `${part} ${action} failed (exit ${code ?? 'signal'})`),
        );
    });
  });
}
