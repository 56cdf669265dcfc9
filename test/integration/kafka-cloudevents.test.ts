import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChangeEvent, topicFor, type Change } from '@tidemark/events';
import {
  createTransactionalProducer,
  ensureTopics,
  eventToMessage,
  headerValue,
  messageToEvent,
} from '@tidemark/kafka';
import {
  createTestTracing,
  injectKafkaHeaders,
  traceIdsOf,
  withSpan,
  type TestTracing,
} from '@tidemark/telemetry';
import { readTopic, testKafka, topicJanitor, uniqueName } from '../support/kafka.js';

const client = testKafka();
const topics = topicJanitor(client);
let tracing: TestTracing;

beforeAll(() => {
  tracing = createTestTracing();
});
afterAll(async () => {
  await tracing.shutdown();
  await topics.cleanup();
});

function change(entityId: string): Change {
  return {
    op: 'update',
    system: 'zeyos',
    instance: 'demo',
    entityType: 'contacts',
    entityId,
    after: {
      ID: Number(entityId),
      lastname: 'Müller',
      city: 'Zürich',
      tags: ['vip', 'ß'],
      extdata: { tier: null },
    },
    before: {
      ID: Number(entityId),
      lastname: 'Muller',
      city: 'Zürich',
      tags: ['vip'],
      extdata: { tier: null },
    },
    changedFields: ['lastname', 'tags'],
    changedBy: 'admin',
    changedAt: '2026-11-23T10:15:30+01:00',
    version: `1795400000-${entityId}`,
  };
}

describe('CloudEvents over the real broker', () => {
  it('arrive with the trace id, correlation id and data they were produced with', async () => {
    // Event topics are named tidemark.<system>.<entity>; a unique entity keeps tests apart.
    const entityType = uniqueName('contacts').replace(/[^a-z0-9_-]/g, '');
    const topic = topicFor('zeyos', entityType);
    await ensureTopics(client, [{ name: topic, partitions: 2 }]);
    const producer = await createTransactionalProducer(client, {
      transactionalId: uniqueName('ce'),
    });

    let pollTraceId = '';
    const sent = await withSpan(
      tracing.tracer,
      'poll zeyos contacts',
      { kind: 'internal' },
      async (span) => {
        pollTraceId = span.spanContext().traceId;
        const traceparent = String(injectKafkaHeaders({})['traceparent']);
        const events = ['101', '102', '103'].map((id) =>
          buildChangeEvent(
            { ...change(id), entityType },
            { correlationId: `corr-${id}`, traceparent },
          ),
        );
        await producer.transaction(async (tx) => {
          await tx.send(
            topic,
            events.map((event) => eventToMessage(event)),
          );
        });
        return events;
      },
    );
    await producer.close();

    const received = await readTopic(client, topic, { count: sent.length });
    expect(received).toHaveLength(sent.length);
    for (const message of received) {
      const decoded = messageToEvent(message);
      if (!decoded.ok) throw decoded.error;
      const original = sent.find((event) => event.id === decoded.event.id);
      expect(decoded.event).toEqual(original);
      expect(message.key?.toString()).toBe(original?.subject);
      expect(headerValue(message.headers, 'x-correlation-id')).toBe(original?.correlationid);
      // The consumer's parent context continues the poll's trace.
      expect(traceIdsOf(decoded.traceContext)?.traceId).toBe(pollTraceId);
      expect(decoded.event.traceparent?.split('-')[1]).toBe(pollTraceId);
    }
    // Per-record order: one key, one partition.
    const byKey = new Map(received.map((message) => [message.key?.toString(), message.partition]));
    expect(byKey.size).toBe(3);
  });

  it('reports a message that is not a CloudEvent as a typed error', () => {
    const decoded = messageToEvent({
      topic: 't',
      partition: 0,
      offset: '0',
      timestamp: '0',
      key: Buffer.from('k'),
      value: Buffer.from('{"not":"an event"}'),
      headers: {},
    });
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error.code).toBe('EVENT_DECODE_FAILED');
  });
});
