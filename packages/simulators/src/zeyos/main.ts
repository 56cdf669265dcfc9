import { parseArgs } from 'node:util';
import { describeError } from '@tidemark/errors';
import { z } from 'zod';
import { knobsPatchSchema } from '../core/faults.js';
import { defaultMainIo as defaultIo, type MainIo } from '../core/main-io.js';
import {
  startZeyosSimulator,
  type ZeyosSimulator,
  type ZeyosSimulatorOptions,
} from './simulator.js';

export type { MainIo };

export const ZEYOS_USAGE = `usage: tidemark sim zeyos [options]
  --port N             TCP port (default 0: a free one)
  --host H             interface (default 127.0.0.1)
  --seed S             seed of demo data, faults and workload (default 1)
  --instances a,b      served instances (default demo)
  --persist FILE       load the snapshot at start, save it on exit
  --demo-records N     demo records per entity on a fresh start (default 20)
  --knobs JSON         initial fault knobs, e.g. '{"latencyMaxMs":50}'
  --workload JSON      start the workload generator, e.g. '{"ratePerSecond":5}'`;

/**
 * Runs the ZeyOS simulator as a process: prints one line when ready (base URL, admin URL and
 * the demo credentials, as JSON after a short label), then serves until SIGTERM or SIGINT,
 * closes (saving the snapshot when persisting) and resolves with the exit code.
 */
export async function main(argv: readonly string[], io: MainIo = defaultIo): Promise<number> {
  let options: ZeyosSimulatorOptions;
  let workload: unknown;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        instances: { type: 'string' },
        persist: { type: 'string' },
        'demo-records': { type: 'string' },
        knobs: { type: 'string' },
        workload: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help === true) {
      io.stdout(ZEYOS_USAGE);
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
    const knobs = parsedKnobs?.data;
    options = {
      port: integer(values.port, 'port') ?? 0,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(seed === undefined ? {} : { seed }),
      ...(values.instances === undefined
        ? {}
        : { instances: values.instances.split(',').map((s) => s.trim()) }),
      ...(values.persist === undefined ? {} : { persistPath: values.persist }),
      ...(values['demo-records'] === undefined
        ? {}
        : { demoRecords: integer(values['demo-records'], 'demo-records') }),
      ...(knobs === undefined ? {} : { knobs }),
      onError: (error) => io.stderr(`zeyos simulator: ${describeError(error)}`),
    };
    workload = json(values.workload, 'workload');
  } catch (error) {
    io.stderr(`${describeError(error)}\n${ZEYOS_USAGE}`);
    return 2;
  }

  let running: ZeyosSimulator | undefined;
  try {
    running = await startZeyosSimulator(options);
    if (workload !== undefined) running.admin.workload.start(workload);
  } catch (error) {
    io.stderr(`zeyos simulator failed to start: ${describeError(error)}`);
    await running?.close();
    return 1;
  }
  const sim = running;

  io.stdout(
    `zeyos simulator ready ${JSON.stringify({
      baseUrl: sim.baseUrl,
      api: sim.urls().api,
      admin: sim.admin.url,
      instances: sim.instances,
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
          io.stderr(`zeyos simulator stopped (${signal})`);
          resolve(0);
        })
        .catch((error: unknown) => {
          io.stderr(`zeyos simulator: close failed: ${describeError(error)}`);
          resolve(1);
        });
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    io.signals.once('SIGTERM', onTerm);
    io.signals.once('SIGINT', onInt);
  });
}
