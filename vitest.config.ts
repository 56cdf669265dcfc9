import { defineConfig } from 'vitest/config';

// Tests import workspace packages from source through this export condition, so a
// test run never depends on a stale dist/. Plain `node` ignores it and loads dist/.
const sourceConditions = ['@tidemark/source', 'node', 'import', 'default'];

const resolve = { conditions: sourceConditions };

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: sourceConditions, externalConditions: ['@tidemark/source'] } },
  test: {
    projects: [
      {
        resolve,
        ssr: { resolve: { conditions: sourceConditions } },
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        resolve,
        ssr: { resolve: { conditions: sourceConditions } },
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/infra.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // One broker and one S3 server on two cores: keep parallel files modest.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'smoke',
          sequence: { groupOrder: 2 },
          include: ['test/smoke/**/*.test.ts'],
          globalSetup: ['test/setup/infra.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
