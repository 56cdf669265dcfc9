import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { loadPollerTsmConfig, streamNames } from './config.js';

const base = {
  TIDEMARK_KAFKA_BROKERS: '127.0.0.1:19092',
  TIDEMARK_TSM_BASE_URL: 'https://tsm.example.com',
  TIDEMARK_TSM_INSTANCE: 'acme',
  TIDEMARK_TSM_CLIENT_SECRET: 'client-secret-value',
};

function problems(env: Record<string, string>): string {
  try {
    loadPollerTsmConfig(env);
  } catch (error) {
    if (isTidemarkError(error) && error.code === 'CONFIG_INVALID') return JSON.stringify(error);
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('poller-tsm configuration', () => {
  it('defaults: four entities, deletes from /log, client credentials, start now', () => {
    const config = loadPollerTsmConfig(base);
    expect(config.entities).toEqual(['customers', 'tickets', 'users', 'register-values']);
    expect(config).toMatchObject({
      deletes: 'log',
      pageSize: 500,
      pollIntervalMs: 5_000,
      lookbackMs: 5_000,
      safetyLagMs: 1_000,
      startMode: { mode: 'now' },
      tsm: { instance: 'acme', auth: { mode: 'oauth2', grant: 'client_credentials' } },
    });
  });

  it('start mode timestamp carries the instant', () => {
    const config = loadPollerTsmConfig({
      ...base,
      TIDEMARK_POLL_START_MODE: 'timestamp',
      TIDEMARK_POLL_START_AT: '2025-09-26T12:00:00Z',
    });
    expect(config.startMode).toEqual({
      mode: 'timestamp',
      atMs: Date.parse('2025-09-26T12:00:00Z'),
    });
  });

  it('lists every problem at once and never a secret', () => {
    const text = problems({
      ...base,
      TIDEMARK_TSM_INSTANCE: 'Acme!',
      TIDEMARK_TSM_ENTITIES: 'customers,widgets',
      TIDEMARK_TSM_GRANT: 'password',
      TIDEMARK_POLL_START_MODE: 'timestamp',
      TIDEMARK_POLL_PAGE_SIZE: '5000',
    });
    for (const name of [
      'TIDEMARK_TSM_INSTANCE',
      'TIDEMARK_TSM_ENTITIES',
      'TIDEMARK_TSM_USERNAME',
      'TIDEMARK_TSM_PASSWORD',
      'TIDEMARK_POLL_START_AT',
      'TIDEMARK_POLL_PAGE_SIZE',
    ])
      expect(text).toContain(name);
    expect(text).not.toContain('client-secret-value');
  });

  it('token and API key modes need their secret', () => {
    expect(problems({ ...base, TIDEMARK_TSM_AUTH_MODE: 'token' })).toContain('TIDEMARK_TSM_TOKEN');
    expect(problems({ ...base, TIDEMARK_TSM_AUTH_MODE: 'apiKey' })).toContain(
      'TIDEMARK_TSM_API_KEY',
    );
  });

  it('names topics and the transactional id per instance and entity', () => {
    expect(streamNames('tidemark', 'acme', 'register-values')).toEqual({
      streamId: 'tsm.acme.register-values',
      transactionalId: 'tidemark.poller.tsm.acme.register-values',
      events: 'tidemark.tsm.register-values',
      deadLetters: 'tidemark.dlq.poller-tsm',
      heartbeats: 'tidemark.heartbeats',
      checkpoints: 'tidemark.checkpoints',
    });
  });
});
