import { spawn, type ChildProcess } from 'node:child_process';
import { TidemarkError } from '@tidemark/errors';

export interface ChildOptions {
  /** Shown in front of every output line, e.g. `sink-s3-archive`. */
  name: string;
  command: string;
  args?: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /** Receives each line of stdout and stderr, prefixed with `[name] `. */
  onLine: (line: string) => void;
  /** Time between SIGTERM and SIGKILL in `stop()`. Default 10 000 ms. */
  stopGraceMs?: number;
}

export interface ManagedChild {
  readonly name: string;
  readonly pid: number | undefined;
  /** Resolves with the exit code (null when ended by a signal) once the child is gone. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after the grace period; resolves when the child is gone. */
  stop(): Promise<void>;
}

/**
 * Starts a long-running child process (a service of the local stack) and forwards its output
 * line by line with its name in front, so several children stay readable in one terminal.
 * Partial lines are held until their newline (or the end of the stream).
 */
export function startChild(options: ChildOptions): ManagedChild {
  const child: ChildProcess = spawn(options.command, [...(options.args ?? [])], {
    env: { ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${options.name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') options.onLine(prefix + line);
    });
    stream?.on('end', () => {
      if (pending.trim() !== '') options.onLine(prefix + pending);
      pending = '';
    });
  }
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) =>
      reject(
        new TidemarkError('INTERNAL', `${options.name}: cannot start: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    child.once('exit', (code) => resolve(code));
  });
  // A failed spawn rejects `exited`; callers that only call stop() must not crash on it.
  exited.catch(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    name: options.name,
    pid: child.pid,
    exited,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), options.stopGraceMs ?? 10_000);
        await exited.catch(() => undefined);
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
