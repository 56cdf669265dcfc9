import { parseArgs } from 'node:util';
import { describeError } from '@tidemark/errors';
import { z } from 'zod';
import { knobsPatchSchema } from '../core/faults.js';
import { defaultMainIo, type MainIo } from '../core/main-io.js';
import { startTsmSimulator, type TsmSimulator, type TsmSimulatorOptions } from './simulator.js';

export const TSM_USAGE = `usage: tidemark sim tsm [options]
  --port N             TCP port (default 0: a free one)
  --host H             interface (default 127.0.0.1)
  --seed S             seed of demo data, ids, faults and workload (default 1)
  --demo-records N     demo customers and tickets on start (default 20)
  --rate-limit N       requests per second and token (default 100; 0 = off)
  --token-ttl N        access-token lifetime in seconds (default 900)
  --knobs JSON         initial fault knobs, e.g. '{"latencyMaxMs":50}'
  --workload JSON      start the workload generator, e.g. '{"ratePerSecond":5}'`;

/**
 * Runs the tSM simulator as a process: prints one line when ready (base URL, module URLs,
 * admin URL and the demo credentials, as JSON after a short label), serves until SIGTERM or
 * SIGINT, closes and resolves with the exit code.
 */
export async function main(argv: readonly string[], io: MainIo = defaultMainIo): Promise<number> {
  let options: TsmSimulatorOptions;
  let workload: unknown;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'demo-records': { type: 'string' },
        'rate-limit': { type: 'string' },
        'token-ttl': { type: 'string' },
        knobs: { type: 'string' },
        workload: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help === true) {
      io.stdout(TSM_USAGE);
      return 0;
    }
    const integer = (text: string | undefined, name: string): number | undefined => {
      if (text === undefined) return undefined;
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0)
        throw new Error(`--${name} must be a non-negative integer`);
      return n;
    };
    const json = (text: string | undefined, name: string): unknown => {
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error(`--${name} must be JSON`);
      }
    };
    const seed =
      values.seed === undefined
        ? undefined
        : /^\d+$/.test(values.seed)
          ? Number(values.seed)
          : values.seed;
    const rawKnobs = json(values.knobs, 'knobs');
    const parsedKnobs = rawKnobs === undefined ? undefined : knobsPatchSchema.safeParse(rawKnobs);
    if (parsedKnobs?.success === false)
      throw new Error(`--knobs: ${z.prettifyError(parsedKnobs.error)}`);
    const rateLimit = integer(values['rate-limit'], 'rate-limit');
    const tokenTtl = integer(values['token-ttl'], 'token-ttl');
    const demoRecords = integer(values['demo-records'], 'demo-records');
    options = {
      port: integer(values.port, 'port') ?? 0,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(seed === undefined ? {} : { seed }),
      ...(demoRecords === undefined ? {} : { demoRecords }),
      ...(rateLimit === undefined
        ? {}
        : { rateLimitPerSecond: rateLimit === 0 ? null : rateLimit }),
      ...(tokenTtl === undefined ? {} : { accessTokenTtlSeconds: tokenTtl }),
      ...(parsedKnobs?.data === undefined ? {} : { knobs: parsedKnobs.data }),
      onError: (error) => io.stderr(`tsm simulator: ${describeError(error)}`),
    };
    workload = json(values.workload, 'workload');
  } catch (error) {
    io.stderr(`${describeError(error)}\n${TSM_USAGE}`);
    return 2;
  }

  let running: TsmSimulator | undefined;
  try {
    running = await startTsmSimulator(options);
    if (workload !== undefined) running.admin.workload.start(workload);
  } catch (error) {
    io.stderr(`tsm simulator failed to start: ${describeError(error)}`);
    await running?.close();
    return 1;
  }
  const sim = running;

  io.stdout(
    `tsm simulator ready ${JSON.stringify({
      baseUrl: sim.baseUrl,
      customers: `${sim.moduleUrl('tsm-customer')}/customers`,
      admin: sim.admin.url,
      credentials: sim.credentials,
    })}`,
  );

  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      io.signals.off('SIGTERM', onTerm);
      io.signals.off('SIGINT', onInt);
      sim
        .close()
        .then(() => {
          io.stderr(`tsm simulator stopped (${signal})`);
          resolve(0);
        })
        .catch((error: unknown) => {
          io.stderr(`tsm simulator: close failed: ${describeError(error)}`);
          resolve(1);
        });
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    io.signals.once('SIGTERM', onTerm);
    io.signals.once('SIGINT', onInt);
  });
}
