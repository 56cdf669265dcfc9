import { afterEach, describe, expect, it } from 'vitest';
import { TidemarkError } from '@tidemark/errors';
import { withCorrelationId } from './correlation.js';
import { createLogger, type LoggerOptions } from './logger.js';
import { redact } from './redact.js';
import { createTestTracing } from './test-tracing.js';

function capture(options: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'poller-zeyos',
    sink: (line) => lines.push(line),
    now: () => Date.UTC(2024, 0, 2, 3, 4, 5),
    ...options,
  });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

describe('createLogger', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('writes one JSON object per line with the standard fields', () => {
    const { logger, lines, records } = capture();
    logger.info('polled', { stream: 'contacts', count: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(records()[0]).toEqual({
      time: '2024-01-02T03:04:05.000Z',
      level: 'info',
      service: 'poller-zeyos',
      msg: 'polled',
      stream: 'contacts',
      count: 3,
    });
  });

  it('drops lines below the level', () => {
    const { logger, records } = capture({ level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(records().map((r) => r['level'])).toEqual(['warn', 'error']);
  });

  it('redacts secret-looking keys at any depth', () => {
    const { logger, lines, records } = capture();
    logger.info('config', {
      password: 'hunter2',
      db: {
        user: 'u',
        pass: 'p4ss',
        nested: [{ apiKey: 'k1' }, { 'api-key': 'k2', api_key: 'k3' }],
      },
      headers: { Authorization: 'Bearer abc.def', accept: 'json' },
      clientSecret: 's3cr3t',
      refresh_token: 'rt',
      awsCredentials: { id: 'AKIA', key: 'x' },
      visible: 'ok',
    });
    const line = lines[0] ?? '';
    for (const secret of [
      'hunter2',
      'p4ss',
      'k1',
      'k2',
      'k3',
      'abc.def',
      's3cr3t',
      '"rt"',
      'AKIA',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(records()[0]).toMatchObject({
      password: '[redacted]',
      db: {
        user: 'u',
        pass: '[redacted]',
        nested: [{ apiKey: '[redacted]' }, { 'api-key': '[redacted]' }],
      },
      headers: { Authorization: '[redacted]', accept: 'json' },
      awsCredentials: '[redacted]',
      visible: 'ok',
    });
  });

  it('renders errors with describeError and redacts their details', () => {
    const { logger, lines, records } = capture();
    const error = new TidemarkError('HTTP_SERVER_ERROR', 'upstream 500', {
      retryable: true,
      cause: new Error('socket hang up'),
      details: { status: 500, token: 'tok-123' },
    });
    logger.error('request failed', { err: error });
    expect(records()[0]?.['err']).toEqual({
      type: 'TidemarkError',
      message: 'HTTP_SERVER_ERROR: upstream 500 <- socket hang up',
      code: 'HTTP_SERVER_ERROR',
      retryable: true,
      details: { status: 500, token: '[redacted]' },
    });
    expect(lines[0]).not.toContain('tok-123');
  });

  it('adds trace_id and span_id of the active span', () => {
    const tracing = createTestTracing();
    cleanup = () => tracing.shutdown();
    const { logger, records } = capture();
    const ids = tracing.tracer.startActiveSpan('work', (span) => {
      logger.info('inside');
      span.end();
      return span.spanContext();
    });
    logger.info('outside');
    const [inside, outside] = records();
    expect(inside).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
    expect(inside?.['trace_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(outside).not.toHaveProperty('trace_id');
  });

  it('adds correlation_id from the context', () => {
    const { logger, records } = capture();
    withCorrelationId('corr-42', () => logger.warn('slow'));
    expect(records()[0]).toMatchObject({ correlation_id: 'corr-42' });
  });

  it('binds fields in children and keeps its own fields from being overwritten', () => {
    const { logger, records } = capture();
    logger.child({ component: 'cursor', secretKey: 'x' }).info('moved', { level: 'fake', to: 5 });
    expect(records()[0]).toEqual({
      time: '2024-01-02T03:04:05.000Z',
      level: 'info',
      service: 'poller-zeyos',
      msg: 'moved',
      component: 'cursor',
      secretKey: '[redacted]',
      _level: 'fake',
      to: 5,
    });
  });

  it('survives cycles, bigints, binary data and dates', () => {
    const { logger, records } = capture();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop['self'] = loop;
    logger.info('odd values', {
      loop,
      big: 10n,
      bytes: Buffer.from('abc'),
      at: new Date(0),
      fn: () => 1,
      set: new Set([1]),
      map: new Map<string, unknown>([
        ['token', 't'],
        ['n', 1],
      ]),
    });
    expect(records()[0]).toMatchObject({
      loop: { name: 'loop', self: '[circular]' },
      big: '10',
      bytes: '[3 bytes]',
      at: '1970-01-01T00:00:00.000Z',
      set: [1],
      map: { token: '[redacted]', n: 1 },
    });
  });
});

describe('redact and objects that print themselves', () => {
  it('uses toJSON, so a config Secret under an innocent key stays hidden', () => {
    const secretLike = { value: 'hunter2', toJSON: () => '[redacted]' };
    expect(redact({ upstream: secretLike })).toEqual({ upstream: '[redacted]' });
  });
});
