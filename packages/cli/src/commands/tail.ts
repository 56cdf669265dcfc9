import { localStack } from '@tidemark/config';
import { usageError, type Command } from '../command.js';
import {
  createConsumer,
  createKafkaClient,
  messageToEvent,
  type ConsumedMessage,
} from '@tidemark/kafka';

/**
 * One line per event: time, type, subject, op, changed fields (where the source tells; a
 * state-polled source like ZeyOS does not, and shows the field count of the record instead).
 */
export function formatEventLine(message: ConsumedMessage): string {
  const received = messageToEvent(message);
  if (!received.ok) {
    return `${new Date(Number(message.timestamp)).toISOString()}  (not a Tidemark event: ${received.error.code}) key=${message.key?.toString() ?? '-'}`;
  }
  const { event } = received;
  const change = event.data;
  const fields =
    change.changedFields !== undefined
      ? `changed: ${change.changedFields.join(', ')}`
      : change.after === null
        ? ''
        : `${Object.keys(change.after).length} fields`;
  return [event.time, event.type, `${change.entityType}/${event.subject}`, change.op, fields]
    .filter((part) => part !== '')
    .join('  ');
}

export const tailCommand: Command = {
  name: 'tail',
  summary:
    'Shows the events of a topic as they arrive, one line each (time, type, subject, op, changed fields). ' +
    'Reads committed events only; --from-beginning shows the history first.',
  usage: 'tail <topic> [--from-beginning]',
  options: { 'from-beginning': { type: 'boolean' } },
  maxPositionals: 1,
  async run(args, { env, out, signal }) {
    const topic = args.positionals[0];
    if (topic === undefined) throw usageError('tail needs a topic, e.g. tidemark.zeyos.accounts');
    const stack = localStack(env);
    const brokers = env['TIDEMARK_KAFKA_BROKERS']?.split(',') ?? stack.kafkaBrokers;
    const client = createKafkaClient({ brokers, clientId: 'tidemark-tail' });
    const consumer = await createConsumer(client, {
      groupId: `tidemark-tail-${process.pid}-${Date.now()}`,
      topics: [topic],
      fromBeginning: args.values['from-beginning'] === true,
      fetch: { maxWaitTimeInMs: 500 },
    });
    await consumer.runEachBatch(async (batch) => {
      for (const message of batch.messages) out(formatEventLine(message));
    });
    out(`tailing ${topic} (Ctrl-C stops)`);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await consumer.close();
    return 0;
  },
};
