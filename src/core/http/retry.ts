/**
 * The one retry policy of every request the product sends: the `http` check kind and the Engramia
 * client (and through it the `engramia` kind) ask `retryDecision` after each answer.
 *
 *   - Only reads are retried: GET and HEAD. POST, PUT, PATCH, DELETE, and any call marked
 *     destructive (a DELETE, `destructive=true`, `confirm=…`, Engramia's delete-project), never.
 *   - Only "come back later" answers: 429 (but not a quota, which waiting does not clear) and 503
 *     with a Retry-After (a 503 without one is an outage, not a request to wait).
 *   - The wait is the server's Retry-After — delta-seconds or an HTTP-date, read strictly (anything
 *     else is ignored) — else the body's `error_context.retry_after`, else, for a 429, 1 s.
 *     It is honoured, never shortened: a wait that does not fit is not retried at all.
 *   - It must fit both the time left before the check's timeout (the timeout always fires) and
 *     RETRY_AFTER_CAP_MS.
 */
import { formatDuration } from '../text';

/**
 * Longest Retry-After honoured: 10 s. A check is watched by an operator mid-cutover, so a longer
 * silent wait reads as a hang; 10 s is also the default check timeout, so with default settings a
 * longer wait could never be honoured anyway; and a limiter asking for more (Engramia's per-minute
 * limit says 60 s) is better reported ("429 rate limited … retry after 60 s") than waited out. It
 * also bounds how long a hostile server can park a check: at most 10 s per retry (5 retries at most).
 */
export const RETRY_AFTER_CAP_MS = 10_000;

/** The wait before retrying a 429 that says nothing about when (no Retry-After, no retry_after). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/** True for a method whose request may be sent again (it only reads). */
export function isRetriableMethod(method: string): boolean {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD';
}

const IMF_FIXDATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * `Retry-After` as seconds: delta-seconds (`120`) or an HTTP-date (RFC 9110: IMF-fixdate, RFC 850
 * or asctime, all GMT; a date in the past is 0). Undefined when absent or anything else (`soon`,
 * `1.5`, `-5`, an ISO date), never a guess.
 */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (v.length > 64) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  let t = NaN;
  if (IMF_FIXDATE.test(v) || RFC850_DATE.test(v)) t = Date.parse(v);
  else if (ASCTIME_DATE.test(v)) t = Date.parse(`${v} GMT`);
  return Number.isNaN(t) ? undefined : Math.max(0, Math.ceil((t - now) / 1000));
}

export interface RetryQuestion {
  readonly method: string;
  /** A destructive call (DELETE, destructive=true, confirm=…, delete-project): never retried. */
  readonly destructive?: boolean;
  readonly status: number;
  /** The `Retry-After` header as sent. */
  readonly retryAfter?: string | null;
  /** `error_context.retry_after` of the body, in seconds (Engramia §5.5). */
  readonly bodyRetryAfterSeconds?: number;
  /** The 429 is a quota (QUOTA_EXCEEDED): waiting does not clear it. */
  readonly quota?: boolean;
  /** Retries already made for this request. */
  readonly retriesSoFar: number;
  readonly maxRetries: number;
  /** Time left before the check's timeout; a wait longer than this is not started. */
  readonly timeLeftMs?: number;
  /** A lower cap than RETRY_AFTER_CAP_MS (a client option); never a higher one. */
  readonly capMs?: number;
  readonly now?: number;
}

export type RetryDecision =
  | { readonly retry: true; readonly waitMs: number; readonly note: string }
  | { readonly retry: false; readonly note?: string };

/** Whether to send the request again after this answer, and after how long; `note` says why for the check's details. */
export function retryDecision(q: RetryQuestion): RetryDecision {
  const { status } = q;
  if (status !== 429 && status !== 503) return { retry: false };
  if (q.destructive || !isRetriableMethod(q.method) || q.retriesSoFar >= q.maxRetries) return { retry: false };
  if (status === 429 && q.quota) return { retry: false };
  const header = parseRetryAfter(q.retryAfter, q.now);
  const body = typeof q.bodyRetryAfterSeconds === 'number' && Number.isFinite(q.bodyRetryAfterSeconds) && q.bodyRetryAfterSeconds >= 0 ? q.bodyRetryAfterSeconds : undefined;
  const seconds = header ?? body;
  if (seconds === undefined && status === 503) return { retry: false, note: '503 not retried: the server gave no Retry-After' };
  const waitMs = seconds === undefined ? DEFAULT_RATE_LIMIT_WAIT_MS : seconds * 1000;
  const shown = `Retry-After ${waitMs > 86_400_000 ? 'of more than a day' : formatDuration(waitMs)}`;
  if (q.timeLeftMs !== undefined && waitMs > q.timeLeftMs) return { retry: false, note: `${status} not retried: ${shown} is longer than the time left before the timeout` };
  const cap = Math.min(q.capMs ?? RETRY_AFTER_CAP_MS, RETRY_AFTER_CAP_MS);
  if (waitMs > cap) return { retry: false, note: `${status} not retried: ${shown} is longer than the ${formatDuration(cap)} cap` };
  return { retry: true, waitMs, note: `${status} received; retried after ${formatDuration(waitMs)} (${seconds === undefined ? 'no Retry-After: 1 s' : 'Retry-After'})` };
}
