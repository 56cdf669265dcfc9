import { z } from 'zod';
import { TidemarkError } from '@tidemark/errors';
import { usageError, type Command } from '../command.js';

/** What a poller's `POST /backfill` answers (validated: it comes over the network). */
const BackfillAnswerSchema = z.union([
  z.object({ stream: z.string(), backfill: z.enum(['started', 'running']) }),
  z.object({ error: z.string(), streams: z.array(z.string()).optional() }),
]);

export const backfillCommand: Command = {
  name: 'backfill',
  summary:
    'Asks a running poller to emit every record of a stream once more as snapshot events, ' +
    'beside its live changes (which win). Returns once the poller has committed the start, ' +
    'so the backfill survives a restart of the poller.',
  usage:
    'backfill <stream> --poller <url>   e.g. backfill zeyos.demo.accounts --poller http://127.0.0.1:18091',
  options: { poller: { type: 'string' } },
  maxPositionals: 1,
  async run(args, { out, signal }) {
    const stream = args.positionals[0];
    const poller = args.values['poller'];
    if (stream === undefined) throw usageError('name the stream, e.g. zeyos.demo.accounts');
    if (typeof poller !== 'string')
      throw usageError('--poller <url of its operational port> is required');
    let url: URL;
    try {
      url = new URL('/backfill', poller);
    } catch {
      throw usageError(`--poller is not a URL: ${poller}`);
    }
    url.searchParams.set('stream', stream);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]),
      });
    } catch (error) {
      throw new TidemarkError('HTTP_NETWORK', `poller at ${url.origin} did not answer`, {
        retryable: true,
        cause: error,
      });
    }
    const parsed = BackfillAnswerSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new TidemarkError(
        'HTTP_RESPONSE_INVALID',
        `poller answered ${response.status} with an unexpected body`,
      );
    }
    const answer = parsed.data;
    if ('backfill' in answer) {
      out(
        answer.backfill === 'started'
          ? `backfill of ${stream} started`
          : `a backfill of ${stream} is running already`,
      );
      return 0;
    }
    const known =
      answer.streams === undefined
        ? ''
        : ` (streams there: ${answer.streams.join(', ') || 'none'})`;
    out(`backfill of ${stream} refused: ${answer.error}${known}`);
    return 1;
  },
};
