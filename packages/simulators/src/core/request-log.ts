/**
 * A bounded log of the requests a simulator answered, with the tracing headers they carried,
 * so tests can check that a trace and a correlation id travelled from Tidemark to the source.
 */
export interface RequestLogEntry {
  /** 1-based, increasing; admin requests are numbered too but not logged. */
  seq: number;
  /** Real time the request arrived (Unix ms). */
  atMs: number;
  method: string;
  /** Path and query as received. */
  url: string;
  status: number;
  durationMs: number;
  /** W3C trace context (`traceparent`, `tracestate`), if sent. */
  traceparent: string | null;
  tracestate: string | null;
  /** `x-correlation-id`, if sent. */
  correlationId: string | null;
  /** `x-request-id`, if sent. */
  requestId: string | null;
  /** The injected fault, if any (`500`, `503`, `429`, `malformed`, `truncate`, `delay`). */
  fault: string | null;
}

export class RequestLog {
  private readonly ring: (RequestLogEntry | undefined)[];
  private next = 0;
  private count = 0;

  /** `capacity`: entries kept; older ones are overwritten. */
  constructor(readonly capacity = 1000) {
    this.ring = new Array<RequestLogEntry | undefined>(capacity);
  }

  add(entry: RequestLogEntry): void {
    if (this.capacity === 0) return;
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Entries held, oldest first. */
  all(): RequestLogEntry[] {
    const out: RequestLogEntry[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const entry = this.ring[(start + i) % this.capacity];
      if (entry !== undefined) out.push(entry);
    }
    return out;
  }

  /** Up to `limit` entries with `seq > after`, oldest first. */
  read(after = 0, limit = 100): RequestLogEntry[] {
    return this.all()
      .filter((entry) => entry.seq > after)
      .slice(0, limit);
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
    this.count = 0;
  }
}
