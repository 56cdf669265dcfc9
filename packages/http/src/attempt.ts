/**
 * One attempt of a request: a CLIENT span, the trace headers of that span, the exchange, and
 * the verdict on what came back.
 */
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  injectHttpHeaders,
  recordSpanError,
  withSpan,
  type Tracer,
} from '@tidemark/telemetry';
import { decodeBody } from './body.js';
import { classifyNetworkError, classifyResponse } from './classify.js';
import {
  invalidBodyFailure,
  statusFailure,
  thrownFailure,
  type Failure,
  type RequestFacts,
} from './failures.js';
import type { RawResponse, Transport } from './transport.js';
import type { HttpMethod, RequestOptions, ResponseHeaders } from './types.js';

export type AttemptResult =
  { ok: true; status: number; headers: ResponseHeaders; body: unknown } | ({ ok: false } & Failure);

export interface AttemptInput {
  transport: Transport;
  tracer: Tracer;
  facts: RequestFacts & { method: HttpMethod };
  url: URL;
  /** Headers of the logical request; trace headers and the token are added per attempt. */
  headers: Readonly<Record<string, string>>;
  body: string | Uint8Array | undefined;
  token: string | undefined;
  /** 1 for the first send of the logical request; a retry after a 401 counts too. */
  sendNumber: number;
  timeoutMs: number;
  nowMs: () => number;
  options: Pick<RequestOptions, 'expect' | 'schema' | 'signal' | 'responseType'>;
}

const callerAbort = { code: 'ABORTED', retryable: false, mayHaveTakenEffect: true } as const;

function isExpected(status: number, expect: readonly number[] | undefined): boolean {
  return expect === undefined ? status >= 200 && status <= 299 : expect.includes(status);
}

function verdict(input: AttemptInput, response: RawResponse): AttemptResult {
  const { facts, sendNumber: attempts, options } = input;
  if (!isExpected(response.status, options.expect)) {
    const classification = classifyResponse(response.status, response.headers, input.nowMs());
    return { ok: false, ...statusFailure(facts, attempts, response, classification) };
  }
  const decoded = decodeBody(response.bytes, options.responseType ?? 'json');
  if (!decoded.ok) {
    return { ok: false, ...invalidBodyFailure(facts, attempts, response.status, decoded.reason) };
  }
  let body = decoded.value;
  if (options.schema !== undefined) {
    const parsed = options.schema.safeParse(body);
    if (!parsed.success) {
      const reason = 'body does not match the schema';
      return {
        ok: false,
        ...invalidBodyFailure(facts, attempts, response.status, reason, parsed.error.issues),
      };
    }
    body = parsed.data;
  }
  return { ok: true, status: response.status, headers: response.headers, body };
}

/** Runs one attempt. Never throws for HTTP or network failures: they come back as results. */
export function runAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { facts, url } = input;
  const attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: facts.method,
    [ATTR_URL_PATH]: facts.path,
    [ATTR_SERVER_ADDRESS]: url.hostname,
    [ATTR_SERVER_PORT]: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    ...(input.sendNumber > 1 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: input.sendNumber - 1 } : {}),
  };
  return withSpan(input.tracer, facts.method, { kind: 'client', attributes }, async (span) => {
    const headers: Record<string, string> = { ...input.headers };
    if (input.token !== undefined) headers['authorization'] = `Bearer ${input.token}`;
    // The active context is now this attempt's span: the server's span becomes its child.
    injectHttpHeaders(headers);

    const timeout = AbortSignal.timeout(input.timeoutMs);
    const callerSignal = input.options.signal;
    const signal = callerSignal === undefined ? timeout : AbortSignal.any([callerSignal, timeout]);
    try {
      const response = await input.transport.send({
        method: facts.method,
        url,
        headers,
        body: input.body,
        timeoutMs: input.timeoutMs,
        signal,
      });
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
      const result = verdict(input, response);
      if (!result.ok) {
        recordSpanError(span, result.error);
        // Semantic conventions: an unexpected status is its own error.type.
        if (result.error.code !== 'HTTP_RESPONSE_INVALID') {
          span.setAttribute(ATTR_ERROR_TYPE, String(response.status));
        }
      }
      return result;
    } catch (error: unknown) {
      // A caller's abort is final whatever undici made of it; a timeout is ours to retry.
      const classification =
        callerSignal?.aborted === true
          ? { ...callerAbort, reason: 'aborted by caller' }
          : classifyNetworkError(error);
      const failure = thrownFailure(
        facts,
        input.sendNumber,
        error,
        classification,
        input.timeoutMs,
      );
      recordSpanError(span, failure.error);
      return { ok: false, ...failure };
    }
  });
}
