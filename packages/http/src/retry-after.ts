/**
 * Retry-After (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
 */

const DELAY_SECONDS = /^\d+$/;

/**
 * The wait in milliseconds a Retry-After value asks for, or undefined when absent or
 * unparseable. A date in the past means 0.
 * @param nowMs the current time, for HTTP-date values.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  const trimmed = value?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  if (DELAY_SECONDS.test(trimmed)) return Number(trimmed) * 1000;
  // Only accept something that looks like a date: Date.parse also takes bare numbers like "-1".
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
