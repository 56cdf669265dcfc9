import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import { loadPollerPeaktmsConfig, streamNames } from './config.js';

const base = {
  TIDEMARK_PEAKTMS_BASE_URL: 'http://127.0.0.1:18083',
  TIDEMARK_PEAKTMS_INSTANCE: 'acme',
  TIDEMARK_PEAKTMS_USER: 'integration',
  TIDEMARK_PEAKTMS_PASSWORD: 'hunter2',
};

function problems(env: Record<string, string>): string {
  try {
    loadPollerPeaktmsConfig(env);
  } catch (error) {
    if (isTidemarkError(error) && error.code === 'CONFIG_INVALID') return error.message;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('loadPollerPeaktmsConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadPollerPeaktmsConfig(base);
    expect(config).toMatchObject({
      kinds: ['activities', 'activityseries', 'projects', 'resources'],
      pageSize: 500,
      pollIntervalMs: 5_000,
      startMode: { mode: 'now' },
      lookbackMs: 5_000,
      maintenanceRefreshMs: 60_000,
      maintenanceMarginMs: 5_000,
      topicPrefix: 'tidemark',
      peaktms: { baseUrl: base.TIDEMARK_PEAKTMS_BASE_URL, basePath: '/tms_rest', instance: 'acme' },
    });
    expect(config.peaktms.auth).toMatchObject({ mode: 'login', user: 'integration' });
  });

  it('reads token mode, kinds and a start instant', () => {
    const config = loadPollerPeaktmsConfig({
      TIDEMARK_PEAKTMS_BASE_URL: base.TIDEMARK_PEAKTMS_BASE_URL,
      TIDEMARK_PEAKTMS_INSTANCE: 'acme',
      TIDEMARK_PEAKTMS_AUTH_MODE: 'token',
      TIDEMARK_PEAKTMS_TOKEN: 'secret-token',
      TIDEMARK_PEAKTMS_KINDS: 'projects,resources',
      TIDEMARK_POLL_START_MODE: 'timestamp',
      TIDEMARK_POLL_START_AT: '2026-11-23T10:00:00Z',
    });
    expect(config.kinds).toEqual(['projects', 'resources']);
    expect(config.startMode).toEqual({
      mode: 'timestamp',
      atMs: Date.parse('2026-11-23T10:00:00Z'),
    });
    expect(config.peaktms.auth.mode).toBe('token');
  });

  it('lists every problem at once and never a secret', () => {
    const message = problems({
      TIDEMARK_PEAKTMS_BASE_URL: 'not a url',
      TIDEMARK_PEAKTMS_INSTANCE: 'Acme Corp',
      TIDEMARK_PEAKTMS_PASSWORD: 'hunter2',
      TIDEMARK_PEAKTMS_KINDS: 'activities,tickets,activities',
      TIDEMARK_POLL_START_MODE: 'timestamp',
    });
    for (const name of [
      'TIDEMARK_PEAKTMS_BASE_URL',
      'TIDEMARK_PEAKTMS_INSTANCE',
      'TIDEMARK_PEAKTMS_USER',
      'TIDEMARK_PEAKTMS_KINDS',
      'TIDEMARK_POLL_START_AT',
    ])
      expect(message).toContain(name);
    expect(message).not.toContain('hunter2');
  });

  it('names topics, stream and transactional id per kind', () => {
    expect(streamNames('tidemark', 'acme', 'projects')).toEqual({
      streamId: 'peaktms.acme.projects',
      transactionalId: 'tidemark.poller.peaktms.acme.projects',
      events: 'tidemark.peaktms.projects',
      deadLetters: 'tidemark.dlq.poller-peaktms',
      heartbeats: 'tidemark.heartbeats',
      checkpoints: 'tidemark.checkpoints',
    });
  });
});
