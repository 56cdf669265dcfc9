/**
 * The one place that talks to the network: one HTTP exchange through undici, with the body
 * always read to the end or the connection destroyed, so no socket is left dangling.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { TidemarkError } from '@tidemark/errors';
import type { HttpMethod } from './types.js';

export interface Exchange {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Idle limit for response headers and between body chunks. */
  timeoutMs: number;
  /** Ends the exchange; its reason is what the returned promise rejects with. */
  signal: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[]>;
  bytes: Uint8Array;
}

export interface Transport {
  send(exchange: Exchange): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Connections per origin when the transport owns its Agent. */
  connections: number;
  maxResponseBytes: number;
  /** Use this dispatcher and leave closing it to its owner. */
  dispatcher?: Dispatcher;
}

function normalizeHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

async function readAll(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      // Destroying closes the connection instead of draining an unbounded body into memory.
      body.destroy();
      throw new TidemarkError(
        'HTTP_RESPONSE_INVALID',
        `response body larger than ${maxBytes} bytes`,
        {
          details: { maxResponseBytes: maxBytes },
        },
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** Creates the undici transport. Redirects are not followed (undici's default). */
export function createTransport(options: TransportOptions): Transport {
  let owned: Agent | undefined;
  let dispatcher: Dispatcher;
  if (options.dispatcher === undefined) {
    owned = new Agent({ connections: options.connections });
    dispatcher = owned;
  } else {
    dispatcher = options.dispatcher;
  }

  return {
    async send(exchange: Exchange): Promise<RawResponse> {
      const response = await request(exchange.url, {
        dispatcher,
        method: exchange.method,
        headers: exchange.headers,
        body: exchange.body ?? null,
        signal: exchange.signal,
        headersTimeout: exchange.timeoutMs,
        bodyTimeout: exchange.timeoutMs,
      });
      try {
        const bytes = await readAll(response.body, options.maxResponseBytes);
        return { status: response.statusCode, headers: normalizeHeaders(response.headers), bytes };
      } catch (error: unknown) {
        // Whatever stopped the read, release the socket rather than leave the body half-read.
        response.body.destroy();
        throw error;
      }
    },
    async close(): Promise<void> {
      await owned?.close();
    },
  };
}
