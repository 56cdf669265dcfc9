export {
  TidemarkError,
  isTidemarkError,
  errorCodes,
  toError,
  describeError,
} from './tidemark-error.js';
export type { ErrorCode, TidemarkErrorOptions } from './tidemark-error.js';
export { backoffDelayMs, sleep } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
