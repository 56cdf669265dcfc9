import { afterEach, describe, expect, it } from 'vitest';
import { onShutdownSignal } from './shutdown.js';

let remove: (() => void) | undefined;
afterEach(() => remove?.());

function exitRecorder() {
  const codes: number[] = [];
  let resolve: (code: number) => void = () => undefined;
  const first = new Promise<number>((done) => (resolve = done));
  return {
    codes,
    first,
    exit: (code: number) => {
      codes.push(code);
      resolve(code);
    },
  };
}

describe('onShutdownSignal', () => {
  it('drains on SIGTERM, then exits 0', async () => {
    const recorder = exitRecorder();
    const drained: string[] = [];
    remove = onShutdownSignal(
      async (signal) => {
        drained.push(signal);
      },
      { exit: recorder.exit, signals: ['SIGTERM'] },
    );
    process.emit('SIGTERM', 'SIGTERM');
    expect(await recorder.first).toBe(0);
    expect(drained).toEqual(['SIGTERM']);
  });

  it('exits 1 when draining fails', async () => {
    const recorder = exitRecorder();
    remove = onShutdownSignal(() => Promise.reject(new Error('flush failed')), {
      exit: recorder.exit,
      signals: ['SIGTERM'],
    });
    process.emit('SIGTERM', 'SIGTERM');
    expect(await recorder.first).toBe(1);
  });

  it('exits 1 when draining outlives the grace period', async () => {
    const recorder = exitRecorder();
    remove = onShutdownSignal(() => new Promise<void>(() => undefined), {
      exit: recorder.exit,
      signals: ['SIGTERM'],
      graceMs: 20,
    });
    process.emit('SIGTERM', 'SIGTERM');
    expect(await recorder.first).toBe(1);
  });

  it('exits at once with 130 on a second signal', async () => {
    const recorder = exitRecorder();
    remove = onShutdownSignal(() => new Promise<void>(() => undefined), {
      exit: recorder.exit,
      signals: ['SIGTERM'],
      graceMs: 60_000,
    });
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGTERM', 'SIGTERM');
    expect(await recorder.first).toBe(130);
  });
});
