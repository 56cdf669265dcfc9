import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { describeError } from '@tidemark/errors';
import { z } from 'zod';
import { knobsPatchSchema, type KnobsPatch } from './faults.js';
import type { MainIo } from './main-io.js';
import type { Seed } from './prng.js';

/** Parsed command-line values, as node:util's parseArgs returns them. */
export type ArgValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What every simulator process accepts: `--port --host --seed --knobs --workload --help`. */
export interface CommonOptions {
  port: number;
  host?: string;
  seed?: Seed;
  knobs?: KnobsPatch;
  onError: (error: unknown) => void;
}

/** A started simulator as the process runner needs it. */
export interface RunningSimulator {
  close(): Promise<void>;
  admin: { workload: { start(settings: unknown): unknown } };
}

/** One system's process: its usage text, extra flags, option mapping and ready line. */
export interface SimulatorProcess<O, S extends RunningSimulator> {
  /** The system's name in messages: `tsm simulator ready ...`. */
  name: string;
  usage: string;
  /** Flags beyond the common ones. */
  options: ParseArgsOptionsConfig;
  /** The simulator's options from the parsed values; throws an Error naming a bad flag. */
  toOptions(values: ArgValues, common: CommonOptions): O;
  start(options: O): Promise<S>;
  /** What the ready line tells, besides the label: URLs and demo credentials. */
  readyInfo(sim: S): Record<string, unknown>;
}

/** A non-negative integer flag, or undefined when absent. */
export function integerFlag(value: ArgValues[string], name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 0) {
    throw new Error(`--${name} must be a non-negative integer`);
  }
  return n;
}

/** A JSON flag, or undefined when absent. */
export function jsonFlag(value: ArgValues[string], name: string): unknown {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(`--${name} must be JSON`);
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new Error(`--${name} must be JSON`);
  }
}

/** A string flag, or undefined when absent. */
export function stringFlag(value: ArgValues[string]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Runs a simulator as a process: parses the flags (exit 2 with the usage on a bad one), starts
 * it (exit 1 when that fails), prints one ready line (`<name> simulator ready {json}`), serves
 * until SIGTERM or SIGINT, closes and resolves with the exit code. One runner for all systems,
 * so their command lines behave alike.
 */
export async function runSimulatorProcess<O, S extends RunningSimulator>(
  spec: SimulatorProcess<O, S>,
  argv: readonly string[],
  io: MainIo,
): Promise<number> {
  const label = `${spec.name} simulator`;
  let options: O;
  let workload: unknown;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        knobs: { type: 'string' },
        workload: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...spec.options,
      },
      strict: true,
      allowPositionals: false,
    });
    const all = values as ArgValues;
    if (all['help'] === true) {
      io.stdout(spec.usage);
      return 0;
    }
    const seedText = stringFlag(all['seed']);
    const rawKnobs = jsonFlag(all['knobs'], 'knobs');
    const knobs = rawKnobs === undefined ? undefined : knobsPatchSchema.safeParse(rawKnobs);
    if (knobs?.success === false) throw new Error(`--knobs: ${z.prettifyError(knobs.error)}`);
    const host = stringFlag(all['host']);
    const common: CommonOptions = {
      port: integerFlag(all['port'], 'port') ?? 0,
      ...(host === undefined ? {} : { host }),
      ...(seedText === undefined
        ? {}
        : { seed: /^\d+$/.test(seedText) ? Number(seedText) : seedText }),
      ...(knobs?.data === undefined ? {} : { knobs: knobs.data }),
      onError: (error) => io.stderr(`${label}: ${describeError(error)}`),
    };
    options = spec.toOptions(all, common);
    workload = jsonFlag(all['workload'], 'workload');
  } catch (error) {
    io.stderr(`${describeError(error)}\n${spec.usage}`);
    return 2;
  }

  let running: S | undefined;
  try {
    running = await spec.start(options);
    if (workload !== undefined) running.admin.workload.start(workload);
  } catch (error) {
    io.stderr(`${label} failed to start: ${describeError(error)}`);
    await running?.close();
    return 1;
  }
  const sim = running;
  io.stdout(`${label} ready ${JSON.stringify(spec.readyInfo(sim))}`);

  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      io.signals.off('SIGTERM', onTerm);
      io.signals.off('SIGINT', onInt);
      sim
        .close()
        .then(() => {
          io.stderr(`${label} stopped (${signal})`);
          resolve(0);
        })
        .catch((error: unknown) => {
          io.stderr(`${label}: close failed: ${describeError(error)}`);
          resolve(1);
        });
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    io.signals.once('SIGTERM', onTerm);
    io.signals.once('SIGINT', onInt);
  });
}
