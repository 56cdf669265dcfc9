/**
 * Turning a failed attempt into a TidemarkError with the facts an operator needs and no
 * secrets: method, path without query, status, the server's answer, ids to find the request.
 */
import type { z } from 'zod';
import { TidemarkError, isTidemarkError } from '@tidemark/errors';
import { describeErrorBody } from './body.js';
import type { Classification } from './classify.js';
import type { RawResponse } from './transport.js';

/** Identifies one logical request in errors and logs. */
export interface RequestFacts {
  method: string;
  path: string;
  requestId: string;
  correlationId: string;
}

/** An attempt that did not produce a usable response. */
export interface Failure {
  error: TidemarkError;
  classification: Classification;
}

const notRetryable: Classification = {
  code: 'INTERNAL',
  retryable: false,
  mayHaveTakenEffect: false,
};

/** A response with a status the caller did not expect. */
export function statusFailure(
  facts: RequestFacts,
  attempts: number,
  response: RawResponse,
  classification: Classification,
): Failure {
  const { retryAfterMs } = classification;
  const error = new TidemarkError(
    classification.code,
    `${facts.method} ${facts.path} failed with status ${response.status}`,
    {
      retryable: classification.retryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      details: {
        ...facts,
        status: response.status,
        attempts,
        ...describeErrorBody(response.bytes),
      },
    },
  );
  return { error, classification };
}

/** An expected response whose body could not be decoded or failed its schema. */
export function invalidBodyFailure(
  facts: RequestFacts,
  attempts: number,
  status: number,
  reason: string,
  issues?: readonly z.core.$ZodIssue[],
): Failure {
  const details = {
    ...facts,
    status,
    attempts,
    reason,
    // Path, code and message only: issues can carry the offending input.
    ...(issues === undefined
      ? {}
      : {
          issues: issues.slice(0, 20).map((issue) => ({
            path: issue.path.map(String).join('.'),
            code: issue.code,
            message: issue.message,
          })),
        }),
  };
  const message = `${facts.method} ${facts.path} answered ${status} with an invalid body: ${reason}`;
  return {
    error: new TidemarkError('HTTP_RESPONSE_INVALID', message, { retryable: false, details }),
    classification: { code: 'HTTP_RESPONSE_INVALID', retryable: false, mayHaveTakenEffect: true },
  };
}

/** A thrown error (network, timeout, abort) already classified. */
export function thrownFailure(
  facts: RequestFacts,
  attempts: number,
  cause: unknown,
  classification: Classification & { reason: string },
  timeoutMs: number,
): Failure {
  if (isTidemarkError(cause)) {
    // Already ours (e.g. a body over maxResponseBytes): keep its code, add where it happened.
    const error = new TidemarkError(cause.code, `${facts.method} ${facts.path}: ${cause.message}`, {
      retryable: cause.retryable,
      cause,
      details: { ...cause.details, ...facts, attempts },
    });
    return {
      error,
      classification: { ...notRetryable, code: cause.code, retryable: cause.retryable },
    };
  }
  const what =
    classification.code === 'HTTP_TIMEOUT'
      ? `timed out after ${timeoutMs} ms`
      : classification.code === 'ABORTED'
        ? 'was aborted'
        : `failed: ${classification.reason}`;
  const error = new TidemarkError(classification.code, `${facts.method} ${facts.path} ${what}`, {
    retryable: classification.retryable,
    cause,
    details: { ...facts, attempts, reason: classification.reason },
  });
  return { error, classification };
}
