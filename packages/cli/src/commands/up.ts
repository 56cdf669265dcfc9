import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { localStack, localStackServiceEnv } from '@tidemark/config';
import { describeError } from '@tidemark/errors';
import { checkKafka, checkS3 } from '../checks.js';
import type { Command } from '../command.js';
import { infraDir, runInfra, type InfraPart } from '../infra.js';
import { startChild, type ManagedChild } from '@tidemark/ops';

const parts: readonly InfraPart[] = ['kafka', 's3'];

/** The local simulators' fixed demo credentials (not secrets: they only open the simulators). */
const zeyosSimulator = {
  TIDEMARK_ZEYOS_BASE_URL: 'http://127.0.0.1:18081',
  TIDEMARK_ZEYOS_INSTANCE: 'demo',
  TIDEMARK_ZEYOS_USERNAME: 'demo',
  TIDEMARK_ZEYOS_PASSWORD: 'demo',
  TIDEMARK_ZEYOS_CLIENT_ID: 'tidemark',
  TIDEMARK_ZEYOS_CLIENT_SECRET: 'deaad98a22a0e80b43655f5d90bc201d72998bf1',
};
/**
 * ZeyOS keeps one OAuth token set per user and client, so two services signing in alike take
 * turns revoking each other's token. The sink signs in with the legacy login under its own
 * device identifier instead: a token of its own, same user.
 */
const zeyosOwnSession = {
  TIDEMARK_ZEYOS_AUTH_MODE: 'legacy',
  TIDEMARK_ZEYOS_CLIENT_ID: 'tidemark-sink-sync',
};
const tsmSimulator = {
  TIDEMARK_TSM_BASE_URL: 'http://127.0.0.1:18082',
  TIDEMARK_TSM_INSTANCE: 'demo',
  TIDEMARK_TSM_CLIENT_ID: 'tidemark',
  TIDEMARK_TSM_CLIENT_SECRET: '93be3e93b2eca78c1c60bcdd750e76563bf32d83',
};

/**
 * What `tidemark up` runs beside Kafka and S3, each from its build under plain node. The
 * simulators listen on fixed ports and run a gentle workload, so the stack has changes to
 * carry from the first minute.
 */
const stackServices: readonly {
  name: string;
  main: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** Variables holding paths relative to the repository root, passed on as absolute paths. */
  rootPaths?: Readonly<Record<string, string>>;
}[] = [
  {
    name: 'sim-zeyos',
    main: 'packages/cli/bin/tidemark.js',
    args: ['sim', 'zeyos', '--port', '18081', '--workload', '{"ratePerSecond":2}'],
  },
  {
    name: 'sim-tsm',
    main: 'packages/cli/bin/tidemark.js',
    args: ['sim', 'tsm', '--port', '18082', '--workload', '{"ratePerSecond":2}'],
  },
  {
    name: 'sim-peaktms',
    main: 'packages/cli/bin/tidemark.js',
    args: ['sim', 'peaktms', '--port', '18083', '--workload', '{"ratePerSecond":2}'],
  },
  { name: 'sink-s3-archive', main: 'services/sink-s3-archive/dist/main.js', args: [] },
  {
    // The simulator above, with its demo user and OAuth client (the simulator's fixed local
    // credentials: the secret is sha1('tidemark-simulator-client'), not a secret).
    name: 'poller-zeyos',
    main: 'services/poller-zeyos/dist/main.js',
    args: [],
    env: {
      ...zeyosSimulator,
      TIDEMARK_ZEYOS_ENTITIES: 'accounts,contacts',
      TIDEMARK_POLL_START_MODE: 'snapshot',
      TIDEMARK_POLL_INTERVAL_MS: '1000',
      // A fixed operational port, so `tidemark backfill ... --poller http://127.0.0.1:18091`.
      TIDEMARK_HTTP_PORT: '18091',
    },
  },
  {
    // The tSM simulator's demo user and client (sha1('tidemark-tsm-simulator'), not a secret).
    name: 'poller-tsm',
    main: 'services/poller-tsm/dist/main.js',
    args: [],
    env: {
      ...tsmSimulator,
      TIDEMARK_TSM_ENTITIES: 'customers,tickets',
      TIDEMARK_POLL_START_MODE: 'snapshot',
      TIDEMARK_POLL_INTERVAL_MS: '1000',
      TIDEMARK_HTTP_PORT: '18092',
    },
  },
  {
    name: 'poller-peaktms',
    main: 'services/poller-peaktms/dist/main.js',
    args: [],
    env: {
      TIDEMARK_PEAKTMS_BASE_URL: 'http://127.0.0.1:18083',
      TIDEMARK_PEAKTMS_INSTANCE: 'demo',
      TIDEMARK_PEAKTMS_USER: 'demo',
      TIDEMARK_PEAKTMS_PASSWORD: 'demo',
      TIDEMARK_POLL_START_MODE: 'snapshot',
      TIDEMARK_POLL_INTERVAL_MS: '1000',
      TIDEMARK_HTTP_PORT: '18093',
    },
  },
  {
    // The example rules: ZeyOS accounts <-> tSM customers. Edit an account in one simulator
    // and watch it appear in the other.
    name: 'sink-sync',
    main: 'services/sink-sync/dist/main.js',
    args: [],
    env: {
      ...zeyosSimulator,
      ...zeyosOwnSession,
      ...tsmSimulator,
      TIDEMARK_HTTP_PORT: '18094',
    },
    rootPaths: {
      TIDEMARK_SYNC_RULES: 'services/sink-sync/rules/zeyos-accounts-tsm-customers.yaml',
    },
  },
];

export const upCommand: Command = {
  name: 'up',
  summary:
    'Starts the local stack in the foreground. Kafka and S3 (fetched from Maven Central on ' +
    'first use) are checked, then the simulators and services start; Ctrl-C stops everything.',
  usage: 'up [--keep]',
  options: { keep: { type: 'boolean' } },
  async run(args, { env, out, signal }) {
    const stack = localStack(env);
    out('starting Kafka and S3 ...');
    await Promise.all(parts.map((part) => runInfra(part, 'start', { env, onLine: out })));
    out(await checkKafka(stack));
    out(await checkS3(stack));
    out('local stack is ready');
    if (args.values['keep'] === true) {
      out('--keep: leaving it running; stop it with `tidemark down`');
      return 0;
    }
    // The services of the stack, as child processes under plain node with the stack's env.
    const root = dirname(infraDir());
    const services: ManagedChild[] = [];
    for (const service of stackServices) {
      const main = join(root, service.main);
      if (!existsSync(main)) {
        out(
          `[${service.name}] not built (${main} missing): run npm run build; starting without it`,
        );
        continue;
      }
      const child = startChild({
        name: service.name,
        command: process.execPath,
        args: [main, ...service.args],
        env: {
          ...env,
          ...localStackServiceEnv(stack),
          ...service.env,
          ...Object.fromEntries(
            Object.entries(service.rootPaths ?? {}).map(([name, path]) => [name, join(root, path)]),
          ),
        },
        onLine: out,
      });
      child.exited.then(
        (code) => out(`[${service.name}] exited (${code ?? 'signal'})`),
        (error: unknown) => out(`[${service.name}] ${describeError(error)}`),
      );
      services.push(child);
    }
    out('press Ctrl-C to stop');
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    out('stopping ...');
    // Services first, so they drain while Kafka and S3 are still there.
    await Promise.all(services.map((child) => child.stop()));
    const stopped = await Promise.allSettled(
      parts.map((part) => runInfra(part, 'stop', { env, onLine: out })),
    );
    const failures = stopped.filter((result) => result.status === 'rejected');
    for (const failure of failures) out(`stop failed: ${describeError(failure.reason)}`);
    out(failures.length === 0 ? 'stopped' : 'some parts did not stop cleanly');
    return failures.length === 0 ? 0 : 1;
  },
};
