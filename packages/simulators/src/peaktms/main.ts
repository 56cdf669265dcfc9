import { defaultMainIo, type MainIo } from '../core/main-io.js';
import {
  integerFlag,
  jsonFlag,
  runSimulatorProcess,
  stringFlag,
  type SimulatorProcess,
} from '../core/run-main.js';
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

const peaktmsProcess: SimulatorProcess<PeaktmsSimulatorOptions, PeaktmsSimulator> = {
  name: 'peaktms',
  usage: PEAKTMS_USAGE,
  options: {
    'demo-records': { type: 'string' },
    zone: { type: 'string' },
    'api-token': { type: 'string', multiple: true },
    maintenance: { type: 'string' },
  },
  toOptions(values, common) {
    const maintenance = jsonFlag(values['maintenance'], 'maintenance');
    if (maintenance !== undefined && !Array.isArray(maintenance))
      throw new Error('--maintenance must be a JSON array');
    const demoRecords = integerFlag(values['demo-records'], 'demo-records');
    const zone = stringFlag(values['zone']);
    const tokens = values['api-token'];
    return {
      ...common,
      ...(demoRecords === undefined ? {} : { demoRecords }),
      ...(zone === undefined ? {} : { zone }),
      ...(Array.isArray(tokens)
        ? { apiTokens: tokens.map((token) => ({ token: String(token) })) }
        : {}),
      ...(maintenance === undefined
        ? {}
        : { maintenanceWindows: maintenance as MaintenanceWindowInput[] }),
    };
  },
  start: startPeaktmsSimulator,
  readyInfo: (sim) => ({
    baseUrl: sim.baseUrl,
    api: sim.apiUrl,
    admin: sim.admin.url,
    credentials: sim.credentials,
  }),
};

/**
 * Runs the PeakTMS simulator as a process: prints one ready line (base URL, API URL, admin URL
 * and the demo credentials with the long-lived tokens, as JSON after a short label), serves
 * until SIGTERM or SIGINT, closes and resolves with the exit code.
 */
export function main(argv: readonly string[], io: MainIo = defaultMainIo): Promise<number> {
  return runSimulatorProcess(peaktmsProcess, argv, io);
}
