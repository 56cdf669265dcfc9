import { defaultMainIo, type MainIo } from '../core/main-io.js';
import {
  integerFlag,
  runSimulatorProcess,
  stringFlag,
  type SimulatorProcess,
} from '../core/run-main.js';
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

const zeyosProcess: SimulatorProcess<ZeyosSimulatorOptions, ZeyosSimulator> = {
  name: 'zeyos',
  usage: ZEYOS_USAGE,
  options: {
    instances: { type: 'string' },
    persist: { type: 'string' },
    'demo-records': { type: 'string' },
  },
  toOptions(values, common) {
    const instances = stringFlag(values['instances']);
    const persistPath = stringFlag(values['persist']);
    const demoRecords = integerFlag(values['demo-records'], 'demo-records');
    return {
      ...common,
      ...(instances === undefined
        ? {}
        : { instances: instances.split(',').map((name) => name.trim()) }),
      ...(persistPath === undefined ? {} : { persistPath }),
      ...(demoRecords === undefined ? {} : { demoRecords }),
    };
  },
  start: startZeyosSimulator,
  readyInfo: (sim) => ({
    baseUrl: sim.baseUrl,
    api: sim.urls().api,
    admin: sim.admin.url,
    instances: sim.instances,
    credentials: sim.credentials,
  }),
};

/**
 * Runs the ZeyOS simulator as a process: prints one line when ready (base URL, admin URL and
 * the demo credentials, as JSON after a short label), then serves until SIGTERM or SIGINT,
 * closes (saving the snapshot when persisting) and resolves with the exit code.
 */
export function main(argv: readonly string[], io: MainIo = defaultMainIo): Promise<number> {
  return runSimulatorProcess(zeyosProcess, argv, io);
}
