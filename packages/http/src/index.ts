export { createHttpClient, IDEMPOTENT_METHODS, REQUEST_ID_HEADER } from './client.js';
export type {
  HttpClient,
  HttpClientDeps,
  HttpMethod,
  HttpResponse,
  RequestOptions,
  ResponseHeaders,
  ResponseType,
} from './types.js';
export { HttpClientSettingsSchema, resolveHttpClientSettings } from './settings.js';
export type { HttpClientSettings, ResolvedHttpClientSettings } from './settings.js';
export { classifyNetworkError, classifyResponse } from './classify.js';
export type { Classification, NetworkClassification } from './classify.js';
export { parseRetryAfterMs } from './retry-after.js';
export { planRetry } from './retry-policy.js';
export type { RetryDecision, RetryInput, RetryPolicy } from './retry-policy.js';
export { createTokenCache } from './token-cache.js';
export type {
  AccessToken,
  TokenCacheOptions,
  TokenFetchReason,
  TokenProvider,
} from './token-cache.js';
export { buildTarget } from './url.js';
export type { Query, QueryValue, RequestTarget } from './url.js';
export { RESPONSE_TEXT_LIMIT_BYTES } from './body.js';
export {
  answeredFailure,
  describeFailure,
  fieldProblems,
  serverErrorText,
} from './server-answer.js';
export type { FieldProblem } from './server-answer.js';
