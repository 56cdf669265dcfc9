import { verifyArchiveAgainstKafka } from '@tidemark/sink-s3-archive';
import type { CommandContext, ParsedArgs } from '../command.js';
import { archiveTarget, stringOption } from './archive-shared.js';

/**
 * `tidemark archive verify`: reads every archive object and proves, per topic-partition, that
 * the archived offsets run without gap or overlap up to the sink group's committed offset.
 * Offsets that hold no committed record (transaction markers, aborted records) are not gaps:
 * each gap is read back from Kafka with a read_committed consumer and accepted only when it
 * delivers nothing there. Prints one line per partition, any problems, and counts per topic and day. Exit 1 if not clean.
 */
export async function runArchiveVerify(args: ParsedArgs, context: CommandContext): Promise<number> {
  const target = archiveTarget(args, context);
  const groupId =
    stringOption(args, 'group') ??
    context.env['TIDEMARK_ARCHIVE_GROUP_ID'] ??
    'tidemark-sink-s3-archive';
  try {
    const report = await verifyArchiveAgainstKafka(
      { client: target.s3, bucket: target.bucket, prefix: target.prefix },
      target.kafka,
      { groupId, ...(target.topicFilter === undefined ? {} : { topicFilter: target.topicFilter }) },
    );
    if (args.values['json'] === true) {
      const { ids: _ids, ...rest } = report;
      context.out(JSON.stringify(rest, null, 2));
      return report.clean ? 0 : 1;
    }
    context.out(`archive s3://${target.bucket}/${target.prefix}/ against group ${groupId}`);
    for (const p of report.partitions) {
      const range =
        p.firstOffset === undefined ? 'no records' : `offsets ${p.firstOffset}..${p.lastOffset}`;
      context.out(
        `  ${p.problems.length === 0 ? 'ok ' : 'BAD'} ${p.topic}[${p.partition}]: ${p.objects} objects, ${p.records} records (${p.rawRecords} raw), ${range}, committed ${p.committed ?? 'none'}` +
          (p.uncommittedRecords > 0 ? `, ${p.uncommittedRecords} past the commit` : '') +
          (p.skippedOffsets > 0
            ? `, ${p.skippedOffsets} offsets without a committed record (transaction markers, aborted)`
            : ''),
      );
      for (const problem of p.problems) context.out(`      ${JSON.stringify(problem)}`);
    }
    context.out('records per topic and day:');
    for (const [topic, days] of Object.entries(report.countsByDay)) {
      for (const [day, count] of Object.entries(days).sort())
        context.out(`  ${topic}  ${day}  ${count}`);
    }
    context.out(report.clean ? 'clean: no gap, no overlap' : 'NOT clean: see the problems above');
    return report.clean ? 0 : 1;
  } finally {
    target.s3.destroy();
  }
}
