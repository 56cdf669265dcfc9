/** Where a simulator's `main()` writes and which signals stop it; injectable for tests. */
export interface MainIo {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Emits SIGTERM/SIGINT. Default: process. */
  signals: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
}

export const defaultMainIo: MainIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  signals: process,
};
