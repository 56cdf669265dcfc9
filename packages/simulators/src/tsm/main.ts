import { defaultMainIo, type MainIo } from '../core/main-io.js';
import { integerFlag, runSimulatorProcess, type SimulatorProcess } from '../core/run-main.js';
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

const tsmProcess: SimulatorProcess<TsmSimulatorOptions, TsmSimulator> = {
  name: 'tsm',
  usage: TSM_USAGE,
  options: {
    'demo-records': { type: 'string' },
    'rate-limit': { type: 'string' },
    'token-ttl': { type: 'string' },
  },
  toOptions(values, common) {
    const demoRecords = integerFlag(values['demo-records'], 'demo-records');
    const rateLimit = integerFlag(values['rate-limit'], 'rate-limit');
    const tokenTtl = integerFlag(values['token-ttl'], 'token-ttl');
    return {
      ...common,
      ...(demoRecords === undefined ? {} : { demoRecords }),
      ...(rateLimit === undefined
        ? {}
        : { rateLimitPerSecond: rateLimit === 0 ? null : rateLimit }),
      ...(tokenTtl === undefined ? {} : { accessTokenTtlSeconds: tokenTtl }),
    };
  },
  start: startTsmSimulator,
  readyInfo: (sim) => ({
    baseUrl: sim.baseUrl,
    customers: `${sim.moduleUrl('tsm-customer')}/customers`,
    admin: sim.admin.url,
    credentials: sim.credentials,
  }),
};

/**
 * Runs the tSM simulator as a process: prints one line when ready (base URL, module URLs,
 * admin URL and the demo credentials, as JSON after a short label), serves until SIGTERM or
 * SIGINT, closes and resolves with the exit code.
 */
export function main(argv: readonly string[], io: MainIo = defaultMainIo): Promise<number> {
  return runSimulatorProcess(tsmProcess, argv, io);
}
