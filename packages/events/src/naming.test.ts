import { describe, expect, it } from 'vitest';
import { isTidemarkError } from '@tidemark/errors';
import {
  EVENT_TOPIC_PATTERN,
  eventTypeFor,
  isEventTopic,
  parseEventType,
  parseTopic,
  sourceFor,
  topicFor,
} from './naming.js';
import { type ChangeOp, type System, changeOps, systems } from './vocabulary.js';

describe('eventTypeFor', () => {
  it.each<[System, string, ChangeOp, string]>([
    ['zeyos', 'contacts', 'create', 'com.tidemark.zeyos.contacts.created.v1'],
    ['zeyos', 'contacts', 'update', 'com.tidemark.zeyos.contacts.updated.v1'],
    ['tsm', 'customers', 'delete', 'com.tidemark.tsm.customers.deleted.v1'],
    ['peaktms', 'activities', 'snapshot', 'com.tidemark.peaktms.activities.snapshot.v1'],
    ['peaktms', 'order_lines-2', 'update', 'com.tidemark.peaktms.order_lines-2.updated.v1'],
  ])('%s %s %s → %s', (system, entityType, op, type) => {
    expect(eventTypeFor(system, entityType, op)).toBe(type);
    expect(parseEventType(type)).toStrictEqual({ system, entityType, op });
  });

  it('round-trips every system and op', () => {
    for (const system of systems) {
      for (const op of changeOps) {
        expect(parseEventType(eventTypeFor(system, 'contacts', op))).toStrictEqual({
          system,
          entityType: 'contacts',
          op,
        });
      }
    }
  });

  it.each(['Contacts', 'a.b', '', 'x'.repeat(101)])('rejects entity type %j', (entityType) => {
    const thrown = (() => {
      try {
        eventTypeFor('zeyos', entityType, 'update');
      } catch (error: unknown) {
        return error;
      }
      return undefined;
    })();
    expect(isTidemarkError(thrown) && thrown.code).toBe('INPUT_INVALID');
  });

  it.each([
    'com.tidemark.zeyos.contacts.updated.v2',
    'com.tidemark.sap.contacts.updated.v1',
    'com.tidemark.zeyos.contacts.upserted.v1',
    'com.tidemark.zeyos.contacts.update.v1',
    'com.example.zeyos.contacts.updated.v1',
    'com.tidemark.zeyos.Contacts.updated.v1',
    '',
  ])('parseEventType(%j) is undefined', (type) => {
    expect(parseEventType(type)).toBeUndefined();
  });
});

describe('sourceFor', () => {
  it('names system, instance and entity type', () => {
    expect(sourceFor('tsm', 'acme-eu', 'customers')).toBe('/tidemark/tsm/acme-eu/customers');
  });

  it.each(['', 'Acme', 'a/b', '-x', 'a b'])('rejects instance %j', (instance) => {
    expect(() => sourceFor('tsm', instance, 'customers')).toThrow();
  });
});

describe('topics', () => {
  it.each<[System, string, string]>([
    ['zeyos', 'contacts', 'tidemark.zeyos.contacts'],
    ['tsm', 'customers', 'tidemark.tsm.customers'],
    ['peaktms', 'activities', 'tidemark.peaktms.activities'],
    ['peaktms', 'tour_stops-v2', 'tidemark.peaktms.tour_stops-v2'],
  ])('%s %s ⇄ %s', (system, entityType, topic) => {
    expect(topicFor(system, entityType)).toBe(topic);
    expect(parseTopic(topic)).toStrictEqual({ system, entityType });
    expect(isEventTopic(topic)).toBe(true);
    expect(EVENT_TOPIC_PATTERN.test(topic)).toBe(true);
  });

  it.each([
    'tidemark.sap.contacts',
    'tidemark.zeyos',
    'tidemark.zeyos.',
    'tidemark.zeyos.contacts.dlq',
    'tidemark.zeyos.Contacts',
    'tidemark-checkpoints',
    'tidemark.internal.checkpoints',
    'x.tidemark.zeyos.contacts',
    'orders',
    '',
  ])('%j is not an event topic', (topic) => {
    expect(parseTopic(topic)).toBeUndefined();
    expect(isEventTopic(topic)).toBe(false);
  });

  it('rejects a malformed entity type', () => {
    expect(() => topicFor('zeyos', 'con tacts')).toThrow();
  });
});
