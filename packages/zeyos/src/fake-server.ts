/**
 * A loopback node:http server for this package's unit tests: records each request and answers
 * with a handler. Not exported from the package.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  /** Sent as text/plain when a string and `json` is not set. */
  headers?: Record<string, string>;
  json?: boolean;
}

export interface FakeServer {
  origin: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

export async function startFakeServer(
  handle: (request: FakeRequest) => FakeAnswer | Promise<FakeAnswer>,
): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      void Promise.resolve(handle(request)).then((answer) => {
        const asJson = answer.json ?? typeof answer.body !== 'string';
        const text =
          answer.body === undefined
            ? ''
            : typeof answer.body === 'string' && !asJson
              ? answer.body
              : JSON.stringify(answer.body);
        res.writeHead(answer.status, {
          'content-type': asJson ? 'application/json' : 'text/plain; charset=utf-8',
          ...answer.headers,
        });
        res.end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Parses a form-encoded body into a plain object. */
export function formOf(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}
