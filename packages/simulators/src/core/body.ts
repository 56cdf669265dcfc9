import type { IncomingMessage } from 'node:http';
import { HttpError } from './router.js';

/**
 * Reads a request body up to `limitBytes`. Beyond the limit it keeps draining (so the client
 * can read the answer instead of seeing a reset) but stops buffering, and rejects with 413
 * once the body ended; a body beyond 64 times the limit gets the connection destroyed.
 */
export function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? Number.NaN);
    let tooLarge = Number.isFinite(declared) && declared > limitBytes;
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (received > limitBytes * 64) request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (tooLarge) {
        reject(new HttpError(413, 'Payload Too Large', { Connection: 'close' }));
        return;
      }
      resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
    request.on('close', () => {
      if (!request.complete) reject(new Error('request aborted'));
    });
  });
}

/** The media type of a Content-Type header without parameters, lowercased ('' when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export type FormValue = string | FormValue[] | { [key: string]: FormValue };

/**
 * Parses application/x-www-form-urlencoded the way PHP fills `$_POST`, which is what the
 * vendor's curl examples rely on: `fields[]=ID&fields[]=name` gives an array,
 * `filter[type]=1` an object, `a[b][c]=1` nests. Later duplicates of a plain key win.
 */
export function parseForm(text: string): Record<string, FormValue> {
  const root: Record<string, FormValue> = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(rawKey);
    if (match === null) {
      root[rawKey] = value;
      continue;
    }
    const path = [match[1] as string];
    for (const part of (match[2] ?? '').matchAll(/\[([^\]]*)\]/g)) path.push(part[1] ?? '');
    assign(root, path, value);
  }
  return root;
}

function assign(target: Record<string, FormValue> | FormValue[], path: string[], value: string) {
  const [head, ...rest] = path as [string, ...string[]];
  const isArray = Array.isArray(target);
  if (rest.length === 0) {
    if (isArray) {
      if (head === '') target.push(value);
      else (target as unknown as Record<string, FormValue>)[head] = value;
    } else {
      target[head === '' ? String(Object.keys(target).length) : head] = value;
    }
    return;
  }
  const nextIsArray = rest[0] === '';
  let child: FormValue | undefined;
  if (isArray) {
    if (head === '') {
      child = nextIsArray ? [] : {};
      target.push(child);
    } else {
      child = (target as unknown as Record<string, FormValue>)[head];
    }
  } else {
    child = target[head];
  }
  if (child === undefined || typeof child === 'string') {
    child = nextIsArray ? [] : {};
    if (isArray) (target as unknown as Record<string, FormValue>)[head] = child;
    else target[head] = child;
  }
  assign(child, rest, value);
}
