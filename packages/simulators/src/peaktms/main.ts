import { parseArgs } from 'node:util';
import { describeError } from '@tidemark/errors';
import { z } from 'zod';
import { knobsPatchSchema } from '../core/faults.js';
import { defaultMainIo, type MainIo } from '../core/main-io.js';
import type { MaintenanceWindowInput } from './maintenance.js';
import {
  startPeaktmsSimulator,
  type PeaktmsSimulator,
  type PeaktmsSimulatorOptions,
} from './simulator.js';

export const PEAKTMS_USAGE = `usage: tidemark sim peaktms [options]
  --port N             TCP port (default 0: a free one)
  --host H             interface (default 127.0.0.1)
  --seed S             seed of demo data, ids, faults and workload (default 1)
  --demo-records N     demo objects on start (default 12)
  --zone Z             time zone of all date-times (default Europe/Berlin)
  --api-token T        a long-lived token of the demo user (repeatable; default: one random)
  --maintenance JSON   maintenance windows, e.g. '[{"start":"…","end":"…","reason":"update"}]'
  --knobs JSON         initial fault knobs, e.g. '{"latencyMaxMs":50}'
  --workload JSON      start the workload generator, e.g. '{"ratePerSecond":5}'`;

/**
 * Runs the PeakTMS simulator as a process: prints one ready line (base URL, API URL, admin URL
 * and the demo credentials with the long-lived tokens, as JSON after a short label), serves
 * until SIGTERM or SIGINT, closes and resolves with the exit code.
 */
export async function main(argv: readonly string[], io: MainIo = defaultMainIo): Promise<number> {
  let options: PeaktmsSimulatorOptions;
  let workload: unknown;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'demo-records': { type: 'string' },
        zone: { type: 'string' },
        'api-token': { type: 'string', multiple: true },
        maintenance: { type: 'string' },
        knobs: { type: 'string' },
        workload: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help === true) {
      io.stdout(PEAKTMS_USAGE);
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
    const maintenance = json(values.maintenance, 'maintenance');
    if (maintenance !== undefined && !Array.isArray(maintenance))
      throw new Error('--maintenance must be a JSON array');
    const demoRecords = integer(values['demo-records'], 'demo-records');
    options = {
      port: integer(values.port, 'port') ?? 0,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(seed === undefined ? {} : { seed }),
      ...(demoRecords === undefined ? {} : { demoRecords }),
      ...(values.zone === undefined ? {} : { zone: values.zone }),
      ...(values['api-token'] === undefined
        ? {}
        : { apiTokens: values['api-token'].map((token) => ({ token })) }),
      ...(maintenance === undefined
        ? {}
        : { maintenanceWindows: maintenance as MaintenanceWindowInput[] }),
      ...(parsedKnobs?.data === undefined ? {} : { knobs: parsedKnobs.data }),
      onError: (error) => io.stderr(`peaktms simulator: ${describeError(error)}`),
    };
    workload = json(values.workload, 'workload');
  } catch (error) {
    io.stderr(`${describeError(error)}\n${PEAKTMS_USAGE}`);
    return 2;
  }

  let running: PeaktmsSimulator | undefined;
  try {
    running = await startPeaktmsSimulator(options);
    if (workload !== undefined) running.admin.workload.start(workload);
  } catch (error) {
    io.stderr(`peaktms simulator failed to start: ${describeError(error)}`);
    await running?.close();
    return 1;
  }
  const sim = running;

  io.stdout(
    `peaktms simulator ready ${JSON.stringify({
      baseUrl: sim.baseUrl,
      api: sim.apiUrl,
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
          io.stderr(`peaktms simulator stopped (${signal})`);
          resolve(0);
        })
        .catch((error: unknown) => {
          io.stderr(`peaktms simulator: close failed: ${describeError(error)}`);
          resolve(1);
        });
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    io.signals.once('SIGTERM', onTerm);
    io.signals.once('SIGINT', onInt);
  });
}
