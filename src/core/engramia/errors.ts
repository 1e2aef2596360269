/**
 * Errors of the Engramia client: API errors parsed per engramia-api.md §5.5, network faults,
 * and schema drift. Each has a one-line `describe()` and a one-line `next()` for check results.
 * Nothing here ever includes the API key (the client never puts it into a message).
 */
import { describeHttpError, describeNetworkError, type HttpErrorCategory, type NetworkErrorDescription } from '../http/errors';

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

  /** DNS, refused, unreachable, TLS and other faults: the same text as the http kind's. */
  private shared(): NetworkErrorDescription | undefined {
    if (['TIMEOUT', 'ABORTED', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(this.code)) return undefined;
    const hostname = this.host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    return describeNetworkError({ code: this.code, message: this.code, cause: this.cause }, { host: hostname, hostPort: this.host, phase: 'connect' });
  }

  describe(): string {
    switch (this.code) {
      case 'ECONNRESET':
      case 'UND_ERR_SOCKET':
        return `connection to ${this.host} was reset during ${this.method} ${this.path}`;
      case 'TIMEOUT':
        return `no answer from ${this.host} for ${this.method} ${this.path} within the timeout`;
      case 'ABORTED':
        return `${this.method} ${this.path} was cancelled`;
      default: {
        const d = this.shared();
        return d && d.kind !== 'other' ? d.cause : `${this.method} ${this.path} to ${this.host} failed (${this.code})`;
      }
    }
  }

  next(): string {
    const d = this.shared();
    if (d && d.kind !== 'other') return d.next;
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
