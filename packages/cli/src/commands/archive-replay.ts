import { createProducer } from '@tidemark/kafka';
import { replayArchive } from '@tidemark/sink-s3-archive';
import { usageError, type CommandContext, type ParsedArgs } from '../command.js';
import { archiveTarget, stringOption } from './archive-shared.js';

function time(args: ParsedArgs, name: 'from' | 'to'): number {
  const text = stringOption(args, name);
  const value = text === undefined ? Number.NaN : Date.parse(text);
  if (Number.isNaN(value)) throw usageError(`archive replay: --${name} needs an ISO-8601 time`);
  return value;
}

/**
 * `tidemark archive replay`: publishes the archived events of [--from, --to) (event time, else
 * Kafka time) of the topics matching --topic to --target, with their original key, value and
 * headers: the CloudEvents id is unchanged, so consumers deduplicate.
 */
export async function runArchiveReplay(args: ParsedArgs, context: CommandContext): Promise<number> {
  const fromMs = time(args, 'from');
  const toMs = time(args, 'to');
  const targetTopic = stringOption(args, 'target');
  if (targetTopic === undefined) throw usageError('archive replay: --target <topic> is required');
  const target = archiveTarget(args, context);
  const producer = await createProducer(target.kafka);
  try {
    const result = await replayArchive(
      { client: target.s3, bucket: target.bucket, prefix: target.prefix },
      producer,
      {
        fromMs,
        toMs,
        targetTopic,
        includeRaw: args.values['include-raw'] === true,
        ...(target.topicFilter === undefined ? {} : { topicFilter: target.topicFilter }),
      },
    );
    context.out(
      `replayed ${result.published} records from ${result.objects} objects to ${targetTopic}` +
        (result.skippedRaw > 0
          ? ` (${result.skippedRaw} raw records left out; --include-raw adds them)`
          : ''),
    );
    return 0;
  } finally {
    await producer.close();
    target.s3.destroy();
  }
}
