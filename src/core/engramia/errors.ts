/**
 * Errors of the Engramia client: API errors parsed per engramia-api.md §5.5, network faults,
 * and schema drift. Each has a one-line `describe()` and a one-line `next()` for check results.
 * Nothing here ever includes the API key (the client never puts it into a message).
 */
const ROLE_MESSAGE = /^Role '(\w+)' does not have permission '([^']+)'\.$/;

/** Known wrong routes from the migration guide (engramia-api.md §7.0, §11). */
const GUIDE_ROUTES: Record<string, string> = {
  'GET /v1/recall': 'recall is POST /v1/recall with a JSON body',
  'POST /v1/governance/delete-scope': 'scoped deletion is DELETE /v1/governance/projects/{project_id} (no dry run)',
  'GET /v1/keys/me': 'there is no whoami for API keys: use GET /v1/keys (admin) or the role probe',
};

export interface ParsedErrorBody {
  readonly errorCode?: string;
  readonly detail: string;
  readonly context?: Readonly<Record<string, unknown>>;
}

/** §5.5: error_code + detail; string detail (routing); array detail (pre-main 422); `issues` (main 422); non-JSON first line. */
export function parseErrorBody(status: number, text: string): ParsedErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const first = text.split(/\r?\n/).find((l) => l.trim())?.trim() ?? '';
    return { detail: first.replace(/<[^>]+>/g, '').slice(0, 200) || `HTTP ${status}` };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { detail: String(json).slice(0, 200) };
  const o = json as Record<string, unknown>;
  const context = o.error_context && typeof o.error_context === 'object' ? (o.error_context as Record<string, unknown>) : undefined;
  const issues = Array.isArray(o.issues) ? joinIssues(o.issues) : undefined;
  if (typeof o.error_code === 'string') {
    const detail = typeof o.detail === 'string' ? o.detail : Array.isArray(o.detail) ? joinIssues(o.detail) : '';
    return { errorCode: o.error_code, detail: issues ? `${detail} ${issues}`.trim() : detail, context };
  }
  if (typeof o.detail === 'string') return { detail: o.detail, context };
  if (Array.isArray(o.detail)) return { detail: joinIssues(o.detail) };
  return { detail: text.slice(0, 200) };
}

function joinIssues(items: unknown[]): string {
  return items
    .map((i) => {
      const it = (i ?? {}) as { loc?: unknown; msg?: unknown };
      const loc = Array.isArray(it.loc) ? it.loc.join('.') : '';
      return `${loc ? loc + ': ' : ''}${String(it.msg ?? '')}`;
    })
    .join('; ');
}

export class EngramiaApiError extends Error {
  readonly status: number;
  readonly errorCode?: string;
  readonly detail: string;
  readonly context?: Readonly<Record<string, unknown>>;
  /** Seconds, from the Retry-After header or error_context.retry_after. */
  readonly retryAfter?: number;
  /** From a 403 "Role 'X' does not have permission 'Y'." message. */
  readonly role?: string;
  readonly permission?: string;
  readonly method: string;
  readonly path: string;

  constructor(init: { status: number; method: string; path: string; bodyText: string; retryAfterHeader?: string | null }) {
    const parsed = parseErrorBody(init.status, init.bodyText);
    super('');
    this.name = 'EngramiaApiError';
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.errorCode = parsed.errorCode;
    this.detail = parsed.detail;
    this.context = parsed.context;
    const header = init.retryAfterHeader != null ? Number(init.retryAfterHeader) : NaN;
    const ctx = parsed.context?.retry_after;
    this.retryAfter = Number.isFinite(header) ? header : typeof ctx === 'number' ? ctx : undefined;
    const m = ROLE_MESSAGE.exec(parsed.detail);
    if (m) {
      this.role = m[1];
      this.permission = m[2];
    }
    this.message = this.describe();
  }

  /** True for routing errors (bare `{"detail": …}` 404/405 without error_code). */
  get isRouting(): boolean {
    return (this.status === 404 || this.status === 405) && this.errorCode === undefined;
  }

  describe(): string {
    const route = `${this.method} ${this.path}`;
    if (this.isRouting) {
      const hint = GUIDE_ROUTES[route];
      return `route ${route} does not exist (${this.status} ${this.detail})${hint ? `: ${hint}` : ''}`;
    }
    if (this.status === 403 && this.role && this.permission) {
      return `403 on ${route}: the key's role ${this.role} lacks permission ${this.permission}`;
    }
    const code = this.errorCode ? ` ${this.errorCode}` : '';
    let extra = '';
    if (this.status === 429 && this.errorCode === 'QUOTA_EXCEEDED' && this.context) {
      extra = ` (current ${String(this.context.current)}, limit ${String(this.context.limit)})`;
    } else if (this.retryAfter !== undefined && (this.status === 429 || this.status === 503)) {
      extra = ` (retry after ${this.retryAfter} s)`;
    }
    return `${this.status}${code} on ${route}: ${this.detail}${extra}`;
  }

  next(): string {
    switch (true) {
      case this.status === 401:
        return /Missing or malformed/.test(this.detail)
          ? 'set the API key (runbook input apiKey or ENGRAMIA_API_KEY); every endpoint except /v1/version needs it'
          : 'the key is unknown, revoked or expired: set a valid engramia_sk_… key';
      case this.status === 403 && !!this.permission:
        return `use a key whose role has "${this.permission}" (roles nest reader ⊂ editor ⊂ admin ⊂ owner)`;
      case this.status === 403:
        return 'use a key with a higher role, or one of the project concerned';
      case this.isRouting:
        return GUIDE_ROUTES[`${this.method} ${this.path}`] ?? 'check the URL: baseUrl must be the API root without /v1';
      case this.status === 429 && this.errorCode === 'QUOTA_EXCEEDED':
        return 'the project is at its pattern cap: delete old patterns or raise the plan';
      case this.status === 429:
        return `rate limited: wait ${this.retryAfter ?? 60} s before running again`;
      case this.status === 503 && /maintenance/i.test(this.detail):
        return `the server is in maintenance: try again in ${Math.round((this.retryAfter ?? 3600) / 60)} min`;
      case this.status === 503:
        return 'the server lacks a backing service for this call (database or storage); check its deployment';
      case this.status === 422:
        return 'the request was rejected as invalid: check the check body';
      case this.status >= 500:
        return 'server error: look at the Engramia server logs';
      default:
        return 'check the request and the key';
    }
  }
}

export class EngramiaNetworkError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly host: string,
    readonly code: string,
    override readonly cause?: unknown,
  ) {
    super('');
    this.name = 'EngramiaNetworkError';
    this.message = this.describe();
  }

  describe(): string {
    switch (this.code) {
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `cannot resolve host ${this.host}`;
      case 'ECONNREFUSED':
        return `connection refused by ${this.host}`;
      case 'ECONNRESET':
      case 'UND_ERR_SOCKET':
        return `connection to ${this.host} was reset during ${this.method} ${this.path}`;
      case 'TIMEOUT':
        return `no answer from ${this.host} for ${this.method} ${this.path} within the timeout`;
      case 'ABORTED':
        return `${this.method} ${this.path} was cancelled`;
      default:
        return `${this.method} ${this.path} to ${this.host} failed (${this.code})`;
    }
  }

  next(): string {
    if (this.code === 'ENOTFOUND' || this.code === 'EAI_AGAIN' || this.code === 'ECONNREFUSED') return 'check baseUrl and that the server is running';
    if (this.code === 'TIMEOUT') return 'the server is slow or unreachable: raise the timeout attribute or check the network';
    return 'check the network path to the server';
  }
}

export class SchemaDriftError extends Error {
  constructor(
    readonly endpoint: string,
    readonly field: string,
    readonly problem: string,
    readonly serverVersion: string,
  ) {
    super(`schema drift on ${endpoint}: field "${field}" ${problem} (server version ${serverVersion})`);
    this.name = 'SchemaDriftError';
  }

  describe(): string {
    return this.message;
  }

  next(): string {
    return `the server answers in a shape this runbook does not know (version ${this.serverVersion}); compare with the API contract and report it`;
  }
}

/** One-line cause and next step for any error a probe may meet. */
export function describeError(err: unknown): { cause: string; next: string } {
  if (err instanceof EngramiaApiError || err instanceof EngramiaNetworkError || err instanceof SchemaDriftError) {
    return { cause: err.describe(), next: err.next() };
  }
  return { cause: err instanceof Error ? err.message : String(err), next: 'check the target and run again' };
}
