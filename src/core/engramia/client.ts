/**
 * A typed Engramia REST client (undici + zod). Every response is validated; a response of the
 * wrong shape throws SchemaDriftError naming the field, the endpoint and the server version
 * (read once from GET /v1/version and cached). Errors are EngramiaApiError (§5.5) or
 * EngramiaNetworkError. Retries follow the shared policy (src/core/http/retry.ts): only GETs,
 * only after a 429 (or a 503 with Retry-After) whose wait fits the cap and the time left; POST
 * and DELETE (delete-project, delete-pattern) are sent exactly once.
 */
import { getGlobalDispatcher, request, type Dispatcher } from 'undici';
import { abortableSleep, untilAborted } from '../checks/abort';
import { CheckTimeoutError } from '../checks/engine';
import { Phase, trackPhase } from '../http/phase';
import { retryDecision, RETRY_AFTER_CAP_MS } from '../http/retry';
import type * as z from 'zod';
import { EngramiaApiError, EngramiaNetworkError, SchemaDriftError } from './errors';
import { MAX_BODY_BYTES, readCappedBody } from '../http/body';
import { JsonTooDeepError, parseJsonBounded } from '../http/json';
import {
  auditSchema,
  billingStatusSchema,
  deepHealthSchema,
  deletePatternSchema,
  exportSchema,
  healthSchema,
  jobListSchema,
  jobSchema,
  keyListSchema,
  learnResponseSchema,
  metricsSchema,
  recallResponseSchema,
  retentionApplySchema,
  retentionSchema,
  scopedDeleteSchema,
  versionSchema,
} from './schemas';

export interface EngramiaClientOptions {
  /** API root, e.g. https://api.engramia.dev (a trailing /v1 is accepted and dropped). */
  readonly baseUrl: string;
  readonly apiKey?: string;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
  /** Aborts every request of this client (e.g. the check's signal). */
  readonly signal?: AbortSignal;
  /** Retries of a GET after 429 or 503 with Retry-After (default 1). */
  readonly maxRetries?: number;
  /**
   * A GET is retried only when Retry-After is at most this long (default and most: RETRY_AFTER_CAP_MS,
   * 10 s; a larger value is capped): the wait is honoured, never shortened.
   */
  readonly maxRetryWaitMs?: number;
  /** Time left before the caller's deadline (the check's timeout): a longer wait is not started. */
  readonly timeLeftMs?: () => number;
  readonly dispatcher?: Dispatcher;
  /** Called after every exchange, e.g. to stream "GET /v1/metrics → 200 in 12 ms" into a cell. */
  readonly onExchange?: (exchange: Exchange) => void;
}

export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly status: number | 'error';
  readonly durationMs: number;
}

export interface RecallRequest {
  readonly task: string;
  readonly limit?: number;
  readonly offset?: number;
  readonly source?: string;
  readonly classification?: string;
  readonly min_score?: number;
  readonly deduplicate?: boolean;
}

export interface LearnRequest {
  readonly task: string;
  readonly code: string;
  readonly eval_score: number;
  readonly output?: string;
  readonly source?: string;
  readonly run_id?: string;
  readonly classification?: string;
}

interface CallOptions<S extends z.ZodType> {
  readonly schema: S;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly auth?: boolean;
  readonly signal?: AbortSignal;
  /** Overrides the client's per-request timeout for this call. */
  readonly timeoutMs?: number;
}

/** `engramia_sk_` + first 8 characters + `...`: how the server lists a key (never the key itself). */
export function keyPrefix(key: string): string {
  return key.slice(0, 20) + '...';
}

export const KEY_FORMAT = /^engramia_sk_[A-Za-z0-9_-]{43}$/;

export class EngramiaClient {
  readonly baseUrl: string;
  readonly host: string;
  private readonly options: EngramiaClientOptions;
  private versionPromise?: Promise<string>;
  /** Every exchange so far (method, path, status, time), for check details. */
  readonly exchanges: Exchange[] = [];

  constructor(options: EngramiaClientOptions) {
    this.options = options;
    const url = new URL(options.baseUrl);
    this.baseUrl = url.toString().replace(/\/+$/, '').replace(/\/v1$/, '');
    this.host = url.host;
  }

  /** The server's app_version (GET /v1/version, cached); "unknown" when it cannot be read. */
  serverVersion(): Promise<string> {
    this.versionPromise ??= this.call('GET', '/v1/version', { schema: versionSchema, auth: false })
      .then((v) => v.app_version)
      .catch(() => 'unknown');
    return this.versionPromise;
  }

  async version() {
    const v = await this.call('GET', '/v1/version', { schema: versionSchema, auth: false });
    this.versionPromise ??= Promise.resolve(v.app_version);
    return v;
  }
  health(signal?: AbortSignal) {
    return this.call('GET', '/v1/health', { schema: healthSchema, signal });
  }
  healthDeep(signal?: AbortSignal) {
    return this.call('GET', '/v1/health/deep', { schema: deepHealthSchema, signal });
  }
  metrics(signal?: AbortSignal) {
    return this.call('GET', '/v1/metrics', { schema: metricsSchema, signal });
  }
  recall(req: RecallRequest, signal?: AbortSignal) {
    return this.call('POST', '/v1/recall', { schema: recallResponseSchema, body: req, signal });
  }
  learn(req: LearnRequest, signal?: AbortSignal) {
    return this.call('POST', '/v1/learn', { schema: learnResponseSchema, body: req, signal });
  }
  billingStatus(signal?: AbortSignal) {
    return this.call('GET', '/v1/billing/status', { schema: billingStatusSchema, signal });
  }
  listKeys(signal?: AbortSignal) {
    return this.call('GET', '/v1/keys', { schema: keyListSchema, signal });
  }
  audit(query: { limit?: number; action?: string; since?: string } = {}, signal?: AbortSignal) {
    return this.call('GET', '/v1/audit', { schema: auditSchema, query, signal });
  }
  export(signal?: AbortSignal) {
    return this.call('GET', '/v1/export', { schema: exportSchema, signal });
  }
  jobs(query: { status?: string; limit?: number } = {}, signal?: AbortSignal) {
    return this.call('GET', '/v1/jobs', { schema: jobListSchema, query, signal });
  }
  job(id: string, signal?: AbortSignal) {
    return this.call('GET', `/v1/jobs/${encodeURIComponent(id)}`, { schema: jobSchema, signal });
  }
  retention(signal?: AbortSignal) {
    return this.call('GET', '/v1/governance/retention', { schema: retentionSchema, signal });
  }
  /** The only server-side dry run: POST /v1/governance/retention/apply. */
  retentionApply(opts: { dryRun: boolean }, signal?: AbortSignal) {
    return this.call('POST', '/v1/governance/retention/apply', { schema: retentionApplySchema, body: { dry_run: opts.dryRun }, signal });
  }
  /** Deletes one pattern by its key ("patterns/…", sent as a path: the route is `{pattern_key:path}`). Admin any; editor its own. Never retried. */
  deletePattern(patternKey: string, signal?: AbortSignal) {
    return this.call('DELETE', `/v1/patterns/${patternKey.split('/').map(encodeURIComponent).join('/')}`, { schema: deletePatternSchema, signal });
  }
  /** DESTRUCTIVE: deletes the project's patterns and jobs and revokes every key of the project (the caller's too). Sent once, never retried. */
  deleteProject(projectId: string, signal?: AbortSignal, timeoutMs?: number) {
    return this.call('DELETE', `/v1/governance/projects/${encodeURIComponent(projectId)}`, { schema: scopedDeleteSchema, signal, timeoutMs });
  }

  /** Sends one request (plus GET retries by the shared policy) and validates the answer. */
  async call<S extends z.ZodType>(method: 'GET' | 'POST' | 'DELETE', path: string, opts: CallOptions<S>): Promise<z.infer<S>> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.send(method, path, opts);
      if (res.status >= 200 && res.status < 300) return this.validate(method, path, res.text, opts.schema);
      const err = new EngramiaApiError({ status: res.status, method, path, bodyText: res.text, retryAfterHeader: res.retryAfter });
      const decision = retryDecision({
        method,
        destructive: method === 'DELETE',
        status: res.status,
        retryAfter: res.retryAfter,
        bodyRetryAfterSeconds: typeof err.context?.['retry_after'] === 'number' ? err.context['retry_after'] : undefined,
        quota: err.category === 'quota',
        retriesSoFar: attempt,
        maxRetries: this.options.maxRetries ?? 1,
        capMs: this.options.maxRetryWaitMs ?? RETRY_AFTER_CAP_MS,
        ...(this.options.timeLeftMs ? { timeLeftMs: this.options.timeLeftMs() } : {}),
      });
      if (!decision.retry) throw err;
      await abortableSleep(decision.waitMs, this.signals(opts.signal));
    }
  }

  private signals(extra?: AbortSignal): AbortSignal | undefined {
    const list = [this.options.signal, extra].filter((s): s is AbortSignal => !!s);
    return list.length === 0 ? undefined : list.length === 1 ? list[0] : AbortSignal.any(list);
  }

  private async send(method: string, path: string, opts: CallOptions<z.ZodType>): Promise<{ status: number; text: string; retryAfter: string | null }> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'runbook-notebooks' };
    if (opts.auth !== false && this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const outer = this.signals(opts.signal);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    const started = Date.now();
    const record = (status: number | 'error') => {
      const ex = { method, path, status, durationMs: Date.now() - started };
      this.exchanges.push(ex);
      this.options.onExchange?.(ex);
    };
    const phase = new Phase();
    try {
      // undici honours an abort only once the request has a socket: race it, so that a connect
      // that hangs still ends at the timeout or on cancel (as the http kind does).
      const res = await untilAborted(
        request(url, {
          method: method as Dispatcher.HttpMethod,
          headers,
          body,
          signal,
          dispatcher: trackPhase(this.options.dispatcher ?? getGlobalDispatcher(), phase),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        }),
        signal,
        (late) => late.body.destroy(),
      );
      phase.value = 'body';
      const { bytes, truncated } = await readCappedBody(res.body, MAX_BODY_BYTES);
      if (truncated) {
        record('error');
        throw new EngramiaResponseTooLargeError(method, path, this.host);
      }
      const text = bytes.toString('utf8');
      record(res.statusCode);
      const ra = res.headers['retry-after'];
      return { status: res.statusCode, text, retryAfter: Array.isArray(ra) ? (ra[0] ?? null) : (ra ?? null) };
    } catch (err) {
      if (err instanceof EngramiaResponseTooLargeError) throw err;
      record('error');
      // Cancelled by the user: the caller reports it (a check is "cancelled", as for the http kind).
      if (outer?.aborted && !(outer.reason instanceof CheckTimeoutError)) throw outer.reason ?? err;
      // The per-request timeout or the check's timeout fired, or a network fault: one text (../http/errors.ts).
      const timedOut = timeout.aborted || !!outer?.aborted;
      const deadline = timeout.aborted || !outer?.aborted ? timeoutMs : (outer.reason as CheckTimeoutError).ms;
      throw new EngramiaNetworkError(method, path, this.host, err, { phase: phase.value, timeoutMs: deadline, timedOut });
    }
  }

  private async validate<S extends z.ZodType>(method: string, path: string, text: string, schema: S): Promise<z.infer<S>> {
    const endpoint = `${method} ${path.replace(/\/governance\/projects\/[^/]+$/, '/governance/projects/{id}').replace(/\/jobs\/[^/]+$/, '/jobs/{id}').replace(/\/v1\/patterns\/.+$/, '/v1/patterns/{key}')}`;
    let json: unknown;
    try {
      json = parseJsonBounded(text);
    } catch (err) {
      if (err instanceof JsonTooDeepError) throw new SchemaDriftError(endpoint, '(body)', `is nested too deeply (${err.message})`, 'unknown');
      throw new SchemaDriftError(endpoint, '(body)', 'is not JSON', path === '/v1/version' ? 'unknown' : await this.serverVersion());
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[') || '(body)';
    const actual = valueAt(json, issue.path);
    const problem = actual === undefined ? 'is missing' : `is invalid (${issue.message})`;
    throw new SchemaDriftError(endpoint, field, problem, path === '/v1/version' ? 'unknown' : await this.serverVersion());
  }
}

/** The server sent more than MAX_BODY_BYTES: nothing of it is used. */
export class EngramiaResponseTooLargeError extends EngramiaNetworkError {
  constructor(method: string, path: string, host: string) {
    super(method, path, host, undefined, { phase: 'body', code: 'TOO_LARGE' });
    this.name = 'EngramiaResponseTooLargeError';
  }

  override describe(): string {
    return `response too large: ${this.method} ${this.path} from ${this.host} sent more than ${MAX_BODY_BYTES / (1024 * 1024)} MiB`;
  }
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = doc;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}
