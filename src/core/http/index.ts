/**
 * The `http` check kind and its helpers. See docs/checks/http.md §2.
 */
export { httpKind, createHttpKind, disposeHttpPools, HTTP_SUBJECTS, DEFAULT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS } from './kind';
export { RETRY_AFTER_CAP_MS, DEFAULT_RATE_LIMIT_WAIT_MS, isRetriableMethod, parseRetryAfter, retryDecision, type RetryDecision, type RetryQuestion } from './retry';
export type { HttpKind, HttpKindOptions, HttpAttributes } from './kind';
export { describeHttpError, describeNetworkError, htmlTitle, firstTextLine, KNOWN_ROUTE_MISTAKES, SET_KEY_HINT } from './errors';
export type { HttpErrorDescription, HttpErrorCategory, NetworkErrorDescription, RequestPhase, RequestRef } from './errors';
export { HttpPools, defaultDispatcherFactory } from './pools';
export { parseJsonBounded, jsonDepth, JsonTooDeepError, MAX_JSON_DEPTH } from './json';
export type { DispatcherFactory, PoolOptions } from './pools';
export { buildRequest, parseRequestTemplate, headerSecrets, maskHeaderValue, SENSITIVE_HEADERS } from './request';
export type { HttpRequestSpec, RawRequest } from './request';
export { parseHttpCheck, httpCheckError, httpChecks, HttpCheckCache, type ParsedHttpCheck, type HttpCheckCacheLimits } from './check';
