import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isTidemarkError } from '@tidemark/errors';
import {
  envBool,
  envHostPorts,
  envInt,
  envSecret,
  envString,
  envUrl,
  kafkaEnvShape,
  kafkaSettingsFromEnv,
  loadConfig,
  Secret,
} from './index.js';

const schema = z.object({
  NAME: envString(),
  PORT: envInt({ min: 1, max: 65535 }).default(8080),
  DEBUG: envBool().default(false),
  ENDPOINT: envUrl().optional(),
  BROKERS: envHostPorts(),
  API_PASSWORD: envSecret(),
});

function configError(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isTidemarkError(error)) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('parses and applies defaults', () => {
    const config = loadConfig(schema, {
      NAME: 'poller',
      BROKERS: 'a:1, b:2',
      API_PASSWORD: 'hunter2',
    });
    expect(config).toMatchObject({
      NAME: 'poller',
      PORT: 8080,
      DEBUG: false,
      BROKERS: ['a:1', 'b:2'],
    });
    expect(config.API_PASSWORD.reveal()).toBe('hunter2');
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig(schema, { NAME: 'x', BROKERS: 'a:1', API_PASSWORD: 's', PORT: '' });
    expect(config.PORT).toBe(8080);
  });

  it('lists every problem at once, by name, without values', () => {
    const error = configError(() =>
      loadConfig(schema, {
        PORT: '70000',
        DEBUG: 'maybe',
        ENDPOINT: 'not a url',
        BROKERS: 'nohost',
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    const problems = error.details['problems'] as string[];
    expect(problems.map((line) => line.split(' ')[0]).sort()).toEqual(
      ['API_PASSWORD', 'BROKERS', 'DEBUG', 'ENDPOINT', 'NAME', 'PORT'].sort(),
    );
    expect(problems).toContain('NAME is required');
    expect(error.message).not.toContain('not a url');
    expect(error.message).not.toContain('70000');
  });

  it('never prints a secret that landed in the wrong variable', () => {
    const error = configError(() =>
      loadConfig(schema, { NAME: 'x', BROKERS: 'a:1', API_PASSWORD: 's', PORT: 'sk-live-123' }),
    );
    expect(error.message).not.toContain('sk-live-123');
    expect(JSON.stringify(error.details)).not.toContain('sk-live-123');
  });
});

describe('Secret', () => {
  it('hides the value in every printed form', () => {
    const secret = new Secret('hunter2');
    expect(String(secret)).toBe('[redacted]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(inspect({ secret })).not.toContain('hunter2');
    expect(`${secret.toString()}`).not.toContain('hunter2');
  });
});

describe('kafka settings', () => {
  it('defaults to the local broker', () => {
    const env = loadConfig(z.object(kafkaEnvShape), {});
    expect(kafkaSettingsFromEnv(env)).toMatchObject({
      brokers: ['127.0.0.1:19092'],
      sasl: undefined,
      topicDefaults: { partitions: 3, replicationFactor: 1 },
    });
  });
});
