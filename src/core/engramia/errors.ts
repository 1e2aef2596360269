/**
 * Errors of the Engramia client: API errors parsed per engramia-api.md §5.5, network faults,
 * and schema drift. Each has a one-line `describe()` and a one-line `next()` for check results.
 * Nothing here ever includes the API key (the client never puts it into a message).
 */
import { describeHttpError, describeNetworkError, type HttpErrorCategory, type NetworkErrorDescription, type NetworkErrorKind, type RequestPhase } from '../http/errors';

/** An HTTP error answer of the Engramia API, parsed by the shared rule in src/core/http/errors.ts (§5.5). */
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
  readonly category: HttpErrorCategory;
  readonly method: string;
  readonly path: string;
  private readonly cause1: string;
  private readonly next1: string;

  constructor(init: { status: number; method: string; path: string; bodyText: string; retryAfterHeader?: string | null }) {
    const d = describeHttpError(init.status, init.retryAfterHeader != null ? { 'retry-after': init.retryAfterHeader } : {}, init.bodyText, { method: init.method, path: init.path });
    super('');
    this.name = 'EngramiaApiError';
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.errorCode = d.code;
    this.detail = d.detail ?? '';
    this.context = d.context;
    this.retryAfter = d.retryAfterSeconds;
    this.role = d.role;
    this.permission = d.permission;
    this.category = d.category;
    this.cause1 = d.cause;
    this.next1 = d.next;
    this.message = this.describe();
  }

  /** True for routing errors (bare `{"detail": …}` 404/405 without error_code). */
  get isRouting(): boolean {
    return this.category === 'route' || ((this.status === 404 || this.status === 405) && this.errorCode === undefined);
  }

  /** One line: the endpoint and the cause (`POST /v1/learn: the key's role reader lacks permission learn`). */
  describe(): string {
    return this.category === 'route' ? this.cause1 : `${this.method} ${this.path}: ${this.cause1}`;
  }

  next(): string {
    return this.next1;
  }
}

/** Where a failed exchange stood when it failed, for the shared network-error text. */
export interface NetworkFailure {
  /** Which part of the exchange it reached (connect, headers, body). */
  readonly phase: RequestPhase;
  /** The per-request timeout, and whether it fired. */
  readonly timeoutMs?: number;
  readonly timedOut?: boolean;
  /** A code of the client's own (TOO_LARGE) when no system or undici code applies. */
  readonly code?: string;
}

/**
 * A request that got no complete answer. Worded by the same describer as the http kind
 * (src/core/http/errors.ts `describeNetworkError`): the same phrase and next step, with the
 * method and path in front once the request was on its way (DNS, refused, unreachable and TLS
 * faults happen before any request and name only the host, exactly as the http kind does).
 */
export class EngramiaNetworkError extends Error {
  /** The shared describer's kind: dns, refused, connect-timeout, headers-timeout, body-timeout, reset, tls, unreachable, cancelled, other. */
  readonly kind: NetworkErrorKind;
  /** The system or undici code (ECONNRESET, UND_ERR_CONNECT_TIMEOUT …); TIMEOUT when the client's own timeout fired. */
  readonly code: string;
  private readonly description: NetworkErrorDescription;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly host: string,
    override readonly cause?: unknown,
    failure: NetworkFailure = { phase: 'connect' },
  ) {
    super('');
    this.name = 'EngramiaNetworkError';
    const hostname = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    this.description = describeNetworkError(cause, { host: hostname, hostPort: host, ...failure });
    this.kind = this.description.kind;
    this.code = failure.code ?? this.description.code ?? (failure.timedOut ? 'TIMEOUT' : 'NETWORK');
    this.message = this.describe();
  }

  describe(): string {
    return HOST_ONLY.has(this.kind) ? this.description.cause : `${this.method} ${this.path}: ${this.description.cause}`;
  }

  next(): string {
    return this.description.next;
  }
}

/** Faults met before any request is sent: named by host only, as the http kind names them. */
const HOST_ONLY: ReadonlySet<NetworkErrorKind> = new Set(['dns', 'refused', 'unreachable', 'tls']);

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
