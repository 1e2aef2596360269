/**
 * Turning failed HTTP exchanges into one-line causes and next steps.
 *
 * - `describeHttpError(status, headers, bodyText, request?)`: an HTTP error response, parsed with
 *   Engramia's rule (engramia-api.md §5.5): non-JSON → status + first text line (or HTML title);
 *   `error_code` + `detail` + `error_context`; a bare string `detail` = routing error (404/405);
 *   an array `detail` (FastAPI 422) or main's `issues`; Retry-After on 429/503.
 * - `describeNetworkError(err, target)`: DNS, refused, connect timeout, reset, TLS … in one line.
 *
 * Reused by the Engramia client (src/core/engramia/): do not parse error bodies elsewhere.
 */
import { STATUS_CODES } from 'node:http';
import { parseJsonBounded } from './json';
import { parseRetryAfter } from './retry';

export { parseRetryAfter };
import { formatDuration, oneLine as fitLine } from '../text';

/** A server's or the system's message as one line (every line joined), at most `max` characters. */
const oneLine = (text: string, max = 200) => fitLine(text, max, 'joined');

export type HttpErrorCategory =
  | 'unauthorized'
  | 'forbidden'
  | 'route'
  | 'not-found'
  | 'validation'
  | 'quota'
  | 'rate-limited'
  | 'maintenance'
  | 'needs-database'
  | 'unavailable'
  | 'payload-too-large'
  | 'provider-not-configured'
  | 'conflict'
  | 'server'
  | 'client'
  | 'other';

export interface HttpErrorDescription {
  readonly category: HttpErrorCategory;
  /** One line: `the key's role reader lacks permission learn`. */
  readonly cause: string;
  /** One line: what to do next. */
  readonly next: string;
  /** Engramia's `error_code` when the body has one. */
  readonly code?: string;
  /** The human text from the body (`detail`, joined validation issues, or the first text line). */
  readonly detail?: string;
  /** Seconds from `Retry-After` or `error_context.retry_after`. */
  readonly retryAfterSeconds?: number;
  /** `error_context` as sent (current, limit, retry_after …). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** 403 role messages: the caller's role and the missing permission. */
  readonly role?: string;
  readonly permission?: string;
}

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>> | Headers;

export interface RequestRef {
  readonly method: string;
  /** Path (query allowed; it is ignored) or full URL. */
  readonly path: string;
}

export const SET_KEY_HINT = 'set the API key with "Runbook: Set API Key" or the ENGRAMIA_API_KEY environment variable';

/** Routes the migration guide gets wrong (engramia-api.md §11): method + path suffix → the fix. */
export const KNOWN_ROUTE_MISTAKES: readonly { method: string; path: RegExp; hint: string }[] = [
  { method: 'GET', path: /(^|\/)v1\/recall\/?$/, hint: 'recall is POST /v1/recall with a JSON body {"task": …, "limit": 3}' },
  { method: 'POST', path: /(^|\/)v1\/governance\/delete-scope\/?$/, hint: 'no such route; scoped deletion is DELETE /v1/governance/projects/{id} (it has no dry run)' },
  { method: 'GET', path: /(^|\/)v1\/keys\/me\/?$/, hint: 'there is no whoami; use the role probe (GET /v1/keys, then GET /v1/audit?limit=1)' },
];

const ROLE_MESSAGE = /^Role '(\w+)' does not have permission '([^']+)'\.?$/;

/** The lowest role holding a permission (engramia-api.md §3). */
const PERMISSION_MIN_ROLE: Readonly<Record<string, string>> = (() => {
  const out: Record<string, string> = {};
  const reader = ['health', 'metrics', 'recall', 'feedback:read', 'skills:search', 'jobs:list', 'jobs:read', 'analytics:read'];
  const editor = ['learn', 'evaluate', 'compose', 'evolve', 'analyze_failures', 'skills:register', 'aging', 'feedback:decay', 'jobs:cancel', 'patterns:delete_own', 'analytics:rollup'];
  const admin = ['patterns:delete', 'import', 'export', 'keys:create', 'keys:list', 'keys:revoke', 'keys:rotate', 'governance:read', 'governance:write', 'governance:admin', 'governance:delete', 'audit:read', 'billing:read', 'billing:manage'];
  for (const p of reader) out[p] = 'reader';
  for (const p of editor) out[p] = 'editor';
  for (const p of admin) out[p] = 'admin';
  return out;
})();

function header(headers: HeaderBag | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : bag[key];
  return Array.isArray(v) ? v[0] : (v as string | undefined);
}


/** How much of a body the display helpers below read (a title or first line is near the start). */
const SCAN_CHARS = 64 * 1024;

/** `<title>` of an HTML page, whitespace collapsed. Linear: plain index searches, no backtracking. */
export function htmlTitle(text: string): string | undefined {
  const lower = text.slice(0, SCAN_CHARS).toLowerCase();
  let from = 0;
  for (;;) {
    const open = lower.indexOf('<title', from);
    if (open < 0) return undefined;
    const after = lower[open + 6];
    if (after === '>' || after === ' ' || after === '\t' || after === '\n' || after === '\r' || after === '/') {
      const gt = lower.indexOf('>', open);
      if (gt < 0) return undefined;
      const close = lower.indexOf('</title>', gt);
      if (close < 0) return undefined;
      const t = decodeEntities(text.slice(gt + 1, close)).replace(/\s+/g, ' ').trim();
      return t || undefined;
    }
    from = open + 6;
  }
}

export function looksLikeHtml(text: string, contentType?: string): boolean {
  return /html/i.test(contentType ?? '') || /^\s*(<!doctype html|<html|<head|<body)/i.test(text.slice(0, SCAN_CHARS));
}

const BLOCK_END = new Set(['p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'tr', 'title']);
const SKIPPED = new Set(['script', 'style', 'head']);

/**
 * Tags stripped (scripts, styles and the head dropped; line breaks at <br> and block ends),
 * or undefined when there is no tag. One forward pass of index searches: linear in the length.
 */
function stripTags(src: string): string | undefined {
  const lower = src.toLowerCase();
  const parts: string[] = [];
  let sawTag = false;
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    if (lt < 0) {
      parts.push(src.slice(i));
      break;
    }
    parts.push(src.slice(i, lt));
    const m = /^<(\/?)([a-z][a-z0-9]*|!)/.exec(lower.slice(lt, lt + 12));
    const gt = m ? src.indexOf('>', lt) : -1;
    if (!m || gt < 0) {
      // Not a tag, or a tag that never closes: the rest is text.
      parts.push(m ? src.slice(lt) : '<');
      if (m) break;
      i = lt + 1;
      continue;
    }
    sawTag = true;
    const name = m[2]!;
    if (!m[1] && SKIPPED.has(name)) {
      const close = lower.indexOf(`</${name}`, gt);
      const end = close < 0 ? -1 : src.indexOf('>', close);
      parts.push('\n');
      if (end < 0) break;
      i = end + 1;
      continue;
    }
    parts.push(name === 'br' || (m[1] && BLOCK_END.has(name)) ? '\n' : ' ');
    i = gt + 1;
  }
  return sawTag ? decodeEntities(parts.join('')) : undefined;
}

/** First non-empty line of text; HTML tags, scripts and styles stripped. */
export function firstTextLine(text: string, max = 160): string {
  const head = text.slice(0, SCAN_CHARS);
  const t = stripTags(head) ?? head;
  return fitLine(t.replace(/[^\S\r\n]+/g, ' '), max);
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'HTTP error'}`;
}

function pathOf(ref: RequestRef): string {
  let p = ref.path;
  try {
    if (/^https?:\/\//i.test(p)) p = new URL(p).pathname;
  } catch {
    /* keep as is */
  }
  return p.split('?')[0]!.split('#')[0]!;
}

/** `body.task: Field required; body.limit: Input should be less than or equal to 50`. */
function joinIssues(items: readonly unknown[]): string {
  return items
    .map((it) => {
      if (!it || typeof it !== 'object') return String(it);
      const o = it as { loc?: unknown; msg?: unknown };
      const loc = Array.isArray(o.loc) ? o.loc.join('.') : '';
      const msg = typeof o.msg === 'string' ? o.msg : JSON.stringify(it);
      return loc ? `${loc}: ${msg}` : msg;
    })
    .join('; ');
}


export function describeHttpError(status: number, headers: HeaderBag | undefined, bodyText: string, request?: RequestRef): HttpErrorDescription {
  let json: unknown;
  try {
    json = bodyText.trim() ? parseJsonBounded(bodyText) : undefined;
  } catch {
    json = undefined;
  }
  const headerRetry = parseRetryAfter(header(headers, 'retry-after'));
  const method = request?.method.toUpperCase();
  const path = request ? pathOf(request) : undefined;
  const where = request ? `${method} ${path}` : undefined;

  // Redirects are not followed: say where the server points.
  if (status >= 300 && status < 400) {
    const location = header(headers, 'location');
    return {
      category: 'other',
      cause: `${statusLine(status)}${location ? `: redirects to ${oneLine(location, 160)}` : ''}`,
      next: 'redirects are not followed: use the final URL (scheme, host, path, trailing slash)',
    };
  }

  // 1. Not JSON: status + page title / first text line.
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    const contentType = header(headers, 'content-type');
    const line = (looksLikeHtml(bodyText, contentType) ? htmlTitle(bodyText) : undefined) ?? firstTextLine(bodyText);
    const known = routeMistake(status, method, path);
    if (known) return { category: 'route', cause: `${where} does not exist (${statusLine(status)}): ${known}`, next: known, detail: line || undefined };
    const cause = line && line.toLowerCase() !== (STATUS_CODES[status] ?? '').toLowerCase() ? `${statusLine(status)}: ${line}` : statusLine(status);
    return {
      ...byStatusFallback(status, where),
      cause: oneLine(cause),
      ...(line ? { detail: line } : {}),
      ...(headerRetry !== undefined ? { retryAfterSeconds: headerRetry } : {}),
    };
  }

  const body = json as { error_code?: unknown; detail?: unknown; message?: unknown; issues?: unknown; error_context?: unknown };
  const code = typeof body.error_code === 'string' ? body.error_code : undefined;
  const context = body.error_context && typeof body.error_context === 'object' && !Array.isArray(body.error_context) ? (body.error_context as Record<string, unknown>) : undefined;
  let detail: string | undefined;
  if (Array.isArray(body.issues) && body.issues.length) detail = joinIssues(body.issues);
  else if (Array.isArray(body.detail)) detail = joinIssues(body.detail);
  else if (typeof body.detail === 'string') detail = body.detail;
  else if (typeof body.message === 'string') detail = body.message;
  if (detail !== undefined) detail = oneLine(detail);
  const ctxRetry = typeof context?.retry_after === 'number' ? context.retry_after : undefined;
  const retryAfterSeconds = headerRetry ?? ctxRetry;
  const base = {
    ...(code ? { code } : {}),
    ...(detail !== undefined ? { detail } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(context ? { context } : {}),
  };
  const withDetail = (prefix: string) => (detail ? `${prefix}: ${detail}` : prefix);

  // Routing errors: bare {"detail": "Not Found" | "Method Not Allowed"}, no error_code.
  if ((status === 404 || status === 405) && !code && typeof body.detail === 'string') {
    const known = routeMistake(status, method, path);
    if (known) return { ...base, category: 'route', cause: `${where} does not exist (${statusLine(status)}): ${known}`, next: known };
    if (status === 405) {
      return { ...base, category: 'route', cause: `${where ? `method ${method} is not allowed on ${path}` : 'method not allowed'} (405 ${body.detail})`, next: 'use the method the API defines for this route (see the API reference)' };
    }
    return { ...base, category: 'route', cause: `${where ? `route ${where} does not exist` : 'route does not exist'} (404 ${body.detail})`, next: 'check the path and the base URL (does it need /v1?) against the API reference' };
  }

  switch (status) {
    case 401:
      return {
        ...base,
        category: 'unauthorized',
        cause: withDetail('401 Unauthorized'),
        next: /missing or malformed/i.test(detail ?? '') ? `no valid Bearer key was sent: ${SET_KEY_HINT}` : `the key is invalid, revoked or expired: ${SET_KEY_HINT}`,
      };
    case 403: {
      const m = ROLE_MESSAGE.exec(detail ?? '');
      if (m) {
        const [, role, permission] = m as unknown as [string, string, string];
        const min = PERMISSION_MIN_ROLE[permission];
        return {
          ...base,
          category: 'forbidden',
          role,
          permission,
          cause: `the key's role ${role} lacks permission ${permission}`,
          next: `use a key whose role has "${permission}"${min ? ` (${min} or higher)` : ''}`,
        };
      }
      return { ...base, category: 'forbidden', cause: withDetail('403 Forbidden'), next: 'use a key with a higher role, or one of the right project' };
    }
    case 404:
      return { ...base, category: 'not-found', cause: withDetail('404 Not Found'), next: 'check the id or name in the URL' };
    case 409:
      return { ...base, category: 'conflict', cause: withDetail('409 Conflict'), next: 'the resource is already in that state; check it before retrying' };
    case 413:
      return {
        ...base,
        category: 'payload-too-large',
        cause: withDetail(`413 Payload Too Large${typeof context?.max_bytes === 'number' ? ` (max ${context.max_bytes} bytes)` : ''}`),
        next: 'send a smaller body (split the batch)',
      };
    case 422:
      return { ...base, category: 'validation', cause: `422 validation failed${detail ? `: ${detail}` : ''}`, next: 'fix the request body: field names, types and limits (see the API reference)' };
    case 429: {
      const isQuota = code === 'QUOTA_EXCEEDED' || (code !== 'RATE_LIMITED' && context !== undefined && 'limit' in context);
      if (isQuota) {
        const cur = context?.current ?? context?.current_count;
        const counts = cur !== undefined || context?.limit !== undefined ? ` (${cur ?? '?'} of ${context?.limit ?? '?'})` : '';
        return { ...base, category: 'quota', cause: `429 quota exceeded${counts}${detail ? `: ${detail}` : ''}`, next: 'delete old patterns or raise the project/plan quota; retrying will not help' };
      }
      const wait = retryAfterSeconds !== undefined ? `; retry after ${retryAfterSeconds} s` : '';
      return { ...base, category: 'rate-limited', cause: `429 rate limited${detail ? `: ${detail}` : ''}${wait}`, next: `wait${retryAfterSeconds !== undefined ? ` ${retryAfterSeconds} s` : ' a minute'} and run again; keep under 60 requests/min per path` };
    }
    case 501:
      return { ...base, category: 'provider-not-configured', cause: withDetail('501 Not Implemented'), next: 'this route needs an LLM or embedding provider configured on the server' };
    case 503: {
      const text = detail ?? '';
      if (/maintenance/i.test(text) || (code === 'SERVICE_UNAVAILABLE' && (retryAfterSeconds ?? 0) >= 600)) {
        return {
          ...base,
          category: 'maintenance',
          cause: `503 maintenance${detail ? `: ${detail}` : ''}${retryAfterSeconds !== undefined ? ` (retry after ${retryAfterSeconds} s)` : ''}`,
          next: 'the server is in maintenance mode (ENGRAMIA_MAINTENANCE); wait for it to end or ask its operator',
        };
      }
      if (/DB auth|DATABASE_URL|DB-backed|database/i.test(text)) {
        return {
          ...base,
          category: 'needs-database',
          cause: `503 needs a database: ${detail}`,
          next: 'this deployment has no SQL database (env keys); configure ENGRAMIA_DATABASE_URL, or use the env-mode probe instead',
        };
      }
      return { ...base, category: 'unavailable', cause: withDetail(`503 ${code === 'STORAGE_ERROR' ? 'storage error' : 'Service Unavailable'}`), next: 'the server or its storage is unavailable; check the server logs and its database' };
    }
  }
  if (status >= 500) return { ...base, category: 'server', cause: withDetail(code ? `${status} ${code}` : statusLine(status)), next: 'server error: check the server logs' };
  return { ...base, category: status >= 400 ? 'client' : 'other', cause: withDetail(code ? `${status} ${code}` : statusLine(status)), next: 'check the request against the API reference' };
}

function routeMistake(status: number, method: string | undefined, path: string | undefined): string | undefined {
  if (!method || !path || (status !== 404 && status !== 405)) return undefined;
  return KNOWN_ROUTE_MISTAKES.find((k) => k.method === method && k.path.test(path))?.hint;
}

function byStatusFallback(status: number, where: string | undefined): { category: HttpErrorCategory; next: string } {
  if (status === 401) return { category: 'unauthorized', next: SET_KEY_HINT };
  if (status === 403) return { category: 'forbidden', next: 'use a key with a higher role' };
  if (status === 404) return { category: 'route', next: `check the path${where ? ` (${where})` : ''} and the base URL` };
  if (status === 405) return { category: 'route', next: 'use the method the API defines for this route' };
  if (status === 429) return { category: 'rate-limited', next: 'wait and run again' };
  if (status === 503) return { category: 'unavailable', next: 'the server is unavailable; check it is up and its logs' };
  if (status >= 500) return { category: 'server', next: 'server error: check the server logs' };
  return { category: status >= 400 ? 'client' : 'other', next: 'check the request against the API reference' };
}

// ---------------------------------------------------------------------------------------------
// Network faults

export type RequestPhase = 'connect' | 'headers' | 'body';

export interface NetworkTarget {
  readonly host: string;
  /** `host:port`. */
  readonly hostPort: string;
  readonly phase: RequestPhase;
  readonly connectTimeoutMs?: number;
  /** The request's deadline (the check's timeout, or a client's per-request timeout): named in timeout texts. */
  readonly timeoutMs?: number;
  /** True when that deadline fired and aborted the request: the phase says which timeout it was. */
  readonly timedOut?: boolean;
  /** The attribute that sets the connect timeout (`connectTimeout` on http checks); otherwise `timeout` is named. */
  readonly connectTimeoutAttribute?: string;
}

export type NetworkErrorKind = 'dns' | 'refused' | 'connect-timeout' | 'headers-timeout' | 'body-timeout' | 'reset' | 'tls' | 'unreachable' | 'cancelled' | 'other';

export interface NetworkErrorDescription {
  readonly kind: NetworkErrorKind;
  readonly cause: string;
  readonly next: string;
  readonly code?: string;
}

function errorCodes(err: unknown): { codes: string[]; messages: string[]; names: string[] } {
  const codes: string[] = [];
  const messages: string[] = [];
  const names: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    const e = cur as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
    if (typeof e.code === 'string') codes.push(e.code);
    if (typeof e.message === 'string' && e.message) messages.push(e.message);
    if (typeof e.name === 'string') names.push(e.name);
    if (Array.isArray(e.errors)) for (const sub of e.errors) if (sub && typeof sub.code === 'string') codes.push(sub.code);
    cur = e.cause;
  }
  return { codes, messages, names };
}

/** The phrase and next step of each timeout, whichever clock fired (ours or undici's). */
function timeoutDescription(kind: 'connect-timeout' | 'headers-timeout' | 'body-timeout', target: NetworkTarget, code: string | undefined, ms: number | undefined, raise: string): NetworkErrorDescription {
  const hp = target.hostPort;
  const within = ms ? ` within ${formatDuration(ms)}` : ' in time';
  const withCode = code ? { code } : {};
  if (kind === 'connect-timeout') {
    return { kind, ...withCode, cause: `connect timeout to ${hp}${ms ? ` after ${formatDuration(ms)}` : ''}`, next: `check that the host is reachable (firewall, VPN, security group) or raise ${raise}=…` };
  }
  if (kind === 'headers-timeout') {
    return { kind, ...withCode, cause: `no response headers from ${hp}${within}`, next: `the server accepted the connection but did not answer in time; check its load and logs, or raise ${raise}=…` };
  }
  return { kind, ...withCode, cause: `response body from ${hp} not complete${within}`, next: `the server stopped sending mid-response; check its logs, or raise ${raise}=…` };
}

/**
 * One line (cause + next step) for a request that got no complete response: the only place that
 * words network faults, for the http kind and the Engramia client alike.
 */
export function describeNetworkError(err: unknown, target: NetworkTarget): NetworkErrorDescription {
  const { codes, messages, names } = errorCodes(err);
  const has = (...c: string[]) => codes.some((x) => c.includes(x));
  const msg = messages[0] ?? String(err);
  // Our own deadline fired (the check's timeout or the client's per-request timeout): say which
  // part of the exchange it cut off.
  if (target.timedOut || names.includes('TimeoutError')) {
    const kind = target.phase === 'connect' ? 'connect-timeout' : target.phase === 'headers' ? 'headers-timeout' : 'body-timeout';
    return timeoutDescription(kind, target, undefined, target.timeoutMs, 'timeout');
  }
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL')) {
    return { kind: 'dns', code: codes[0], cause: `cannot resolve host ${target.host}`, next: 'check the host name in the URL (the baseUrl input), DNS and VPN' };
  }
  if (has('ECONNREFUSED')) {
    return { kind: 'refused', code: 'ECONNREFUSED', cause: `connection refused by ${target.hostPort}`, next: 'start the server, or fix the port/host in the URL (the baseUrl input)' };
  }
  if (has('UND_ERR_CONNECT_TIMEOUT') || (has('ETIMEDOUT') && target.phase === 'connect')) {
    return timeoutDescription('connect-timeout', target, codes[0], target.connectTimeoutMs, target.connectTimeoutAttribute ?? 'timeout');
  }
  if (has('UND_ERR_HEADERS_TIMEOUT')) return timeoutDescription('headers-timeout', target, 'UND_ERR_HEADERS_TIMEOUT', target.timeoutMs, 'timeout');
  if (has('UND_ERR_BODY_TIMEOUT')) return timeoutDescription('body-timeout', target, 'UND_ERR_BODY_TIMEOUT', target.timeoutMs, 'timeout');
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN')) {
    return { kind: 'unreachable', code: codes[0], cause: `host ${target.hostPort} is unreachable (${codes[0]})`, next: 'check the network route (VPN, firewall) to the host' };
  }
  if (codes.some((c) => /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(c))) {
    return { kind: 'tls', code: codes[0], cause: `TLS problem with ${target.hostPort}: ${oneLine(msg, 120)}`, next: 'check the server certificate (expired, self-signed, wrong host name) or use the right https/http scheme' };
  }
  // Aborted, not by a deadline: the user cancelled.
  if (has('ABORT_ERR', 'UND_ERR_ABORTED') || names.includes('AbortError')) {
    return { kind: 'cancelled', code: codes[0], cause: `request to ${target.hostPort} cancelled`, next: 'run the check again when ready' };
  }
  if (has('ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED') || /other side closed|socket hang up|terminated/i.test(msg)) {
    const when = target.phase === 'body' ? 'while reading the response body' : target.phase === 'headers' ? 'before the response headers arrived' : 'while connecting';
    return { kind: 'reset', code: codes[0], cause: `connection to ${target.hostPort} reset ${when}`, next: 'the server or a proxy dropped the connection; check the server logs and any load balancer in between, then run again' };
  }
  return { kind: 'other', code: codes[0], cause: `request to ${target.hostPort} failed: ${oneLine(msg, 160)}`, next: 'check the URL and that the server is reachable' };
}
