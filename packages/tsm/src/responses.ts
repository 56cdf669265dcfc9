/**
 * Pure readers of tSM answers whose shape the guide leaves open: `/page` (Spring Data's page in
 * either of its serialisations, or a bare array), `/search` (array or page), and bulk answers
 * (per-item results, plain records, or a wrapper object).
 */
import { z } from 'zod';
import { tsmFieldErrors, type TsmFieldError } from './errors.js';
import { tsmErrorBodySchema, tsmPageBodySchema, type TsmErrorBody } from './schemas.js';

/** One page of a `/page` or `/log` listing. */
export interface TsmPage<R> {
  content: R[];
  /** Zero-based page number. */
  page: number;
  /** Page size the server applied (may be smaller than asked: servers cap it). */
  size: number;
  /** Matching items in all pages, when the server said. */
  totalElements: number | undefined;
  totalPages: number | undefined;
}

/** The reason a body could not be read: a short text and zod's issues. */
export interface ReadFailure {
  reason: string;
  error?: z.ZodError;
}

export type Read<T> = { ok: true; value: T } | { ok: false; failure: ReadFailure };

function fail(reason: string, error?: z.ZodError): { ok: false; failure: ReadFailure } {
  return { ok: false, failure: { reason, ...(error === undefined ? {} : { error }) } };
}

function parseAll<R>(schema: z.ZodType<R>, items: readonly unknown[]): Read<R[]> {
  const parsed = z.array(schema).safeParse(items);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : fail('an item does not match the schema', parsed.error);
}

function numberAt(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'number' && Number.isFinite(field) ? field : undefined;
}

/**
 * Reads a page. The guide names `content`, `page`, `size`, `totalPages`, `totalElements`;
 * Spring Data also writes `number` for the page, or nests the numbers under `page` (its
 * "VIA_DTO" form). A bare array is taken as the whole answer.
 */
export function readPage<R>(
  body: unknown,
  schema: z.ZodType<R>,
  asked: { page: number; size: number | undefined },
): Read<TsmPage<R>> {
  if (Array.isArray(body)) {
    const content = parseAll(schema, body);
    if (!content.ok) return content;
    return {
      ok: true,
      value: {
        content: content.value,
        page: asked.page,
        size: asked.size ?? body.length,
        totalElements: undefined,
        totalPages: undefined,
      },
    };
  }
  const parsed = tsmPageBodySchema.safeParse(body);
  if (!parsed.success) return fail('not a page (no content array)', parsed.error);
  const page = parsed.data;
  const nested = typeof page.page === 'object' ? page.page : undefined;
  const content = parseAll(schema, page.content);
  if (!content.ok) return content;
  return {
    ok: true,
    value: {
      content: content.value,
      page:
        (typeof page.page === 'number' ? page.page : undefined) ??
        page.number ??
        numberAt(nested, 'number') ??
        asked.page,
      size: page.size ?? numberAt(nested, 'size') ?? asked.size ?? page.content.length,
      totalElements: page.totalElements ?? numberAt(nested, 'totalElements'),
      totalPages: page.totalPages ?? numberAt(nested, 'totalPages'),
    },
  };
}

/** Reads a `/search` answer: an array of items, or a page whose `content` is used. */
export function readItems<R>(body: unknown, schema: z.ZodType<R>): Read<R[]> {
  if (Array.isArray(body)) return parseAll(schema, body);
  const parsed = tsmPageBodySchema.safeParse(body);
  if (!parsed.success) return fail('neither an array nor a page', parsed.error);
  return parseAll(schema, parsed.data.content);
}

/** The outcome of one item of a bulk request. */
export type TsmBulkItem<R> =
  | {
      ok: true;
      /** Position in the request. */
      index: number;
      /** The id or code the item addressed, when known. */
      idOrCode: string | undefined;
      /** The item's own status, when the server reports one. */
      status: number | undefined;
      /** The record as the server returned it (absent for deletes and bare acknowledgements). */
      record: R | undefined;
    }
  | {
      ok: false;
      index: number;
      idOrCode: string | undefined;
      status: number | undefined;
      /** The item's error in the guide's error shape. */
      error: TsmErrorBody;
      fieldErrors: TsmFieldError[];
    };

const RESULT_KEYS = ['data', 'record', 'entity', 'result', 'error', 'errors', 'idOrCode', 'index'];

function stringAt(value: Record<string, unknown>, key: string): string | undefined {
  const field = value[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/**
 * Reads a bulk answer. The guide only says modules "may fail the whole bulk or return partial
 * failures", so each element may be a result wrapper (`{index?, idOrCode?, status?, data? |
 * error?}`), or the record itself (success). A failing element has an `error`/`errors` member or
 * a numeric `status` of 400 and above. An object answer is unwrapped from `results`, `items` or
 * `content`. An empty answer (204) means every item succeeded without details.
 */
export function readBulk<R>(
  body: unknown,
  schema: z.ZodType<R>,
  requested: readonly (string | undefined)[],
): Read<TsmBulkItem<R>[]> {
  if (body === undefined || body === null || body === '') {
    return {
      ok: true,
      value: requested.map((idOrCode, index) => ({
        ok: true,
        index,
        idOrCode,
        status: undefined,
        record: undefined,
      })),
    };
  }
  let elements: unknown[];
  if (Array.isArray(body)) elements = body;
  else if (typeof body === 'object') {
    const wrapper = body as Record<string, unknown>;
    const inner = [wrapper['results'], wrapper['items'], wrapper['content']].find(Array.isArray);
    if (inner === undefined) return fail('a bulk answer is an array of results');
    elements = inner as unknown[];
  } else return fail('a bulk answer is an array of results');

  const out: TsmBulkItem<R>[] = [];
  for (const [position, element] of elements.entries()) {
    if (typeof element !== 'object' || element === null || Array.isArray(element))
      return fail(`bulk result ${position} is not an object`);
    const item = element as Record<string, unknown>;
    const isWrapper = typeof item['status'] === 'number' || RESULT_KEYS.some((key) => key in item);
    const index = numberAt(item, 'index') ?? position;
    const idOrCode =
      stringAt(item, 'idOrCode') ??
      requested[index] ??
      stringAt(item, 'id') ??
      stringAt(item, 'code');
    const status = numberAt(item, 'status');
    const failed =
      isWrapper &&
      ((item['error'] !== undefined && item['error'] !== null) ||
        Array.isArray(item['errors']) ||
        (status !== undefined && status >= 400));
    if (failed) {
      const raw = item['error'];
      const candidate =
        typeof raw === 'object' && raw !== null
          ? raw
          : {
              ...(typeof raw === 'string' ? { message: raw } : {}),
              ...(Array.isArray(item['errors']) ? { errors: item['errors'] } : {}),
              ...(typeof item['message'] === 'string' ? { message: item['message'] } : {}),
            };
      const parsed = tsmErrorBodySchema.safeParse(candidate);
      const error: TsmErrorBody = parsed.success ? parsed.data : {};
      out.push({
        ok: false,
        index,
        idOrCode,
        status: status ?? error.status,
        error,
        fieldErrors: tsmFieldErrors(error),
      });
      continue;
    }
    const candidate = isWrapper
      ? (item['data'] ?? item['record'] ?? item['entity'] ?? item['result'])
      : item;
    let record: R | undefined;
    if (candidate !== undefined && candidate !== null) {
      const parsed = schema.safeParse(candidate);
      if (!parsed.success)
        return fail(`bulk result ${position} does not match the schema`, parsed.error);
      record = parsed.data;
    }
    out.push({ ok: true, index, idOrCode, status, record });
  }
  return { ok: true, value: out };
}
