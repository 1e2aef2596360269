/**
 * The `http` check kind: one HTTP request written like a `.http` file, judged by `??` conditions
 * (no conditions → pass on 2xx). Every fault becomes a failed check with a one-line cause and a
 * next step; cancellation aborts the request in flight. See docs/checks/http.md §2.
 */
import * as z from 'zod';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { CheckTimeoutError } from '../checks/engine';
import { booleanAttribute, durationAttribute } from '../checks/registry';
import { MissingInputError } from '../checks/template';
import type { CheckContext, CheckKind, CheckResult } from '../checks/types';
import { evaluateConditions, jsonPathsOf, parseConditions, summarizeConditions, type ConditionOutcome } from '../checks/conditions';
import { Masker } from '../secrets/mask';
import { renderDetails, renderRequestText, statusText, type ResponseView } from './details';
import { formatDuration } from '../text';
import { describeHttpError, describeNetworkError, firstTextLine, htmlTitle, looksLikeHtml } from './errors';
import { Phase, trackPhase } from './phase';
import { retryDecision } from './retry';
import { HttpPools, type DispatcherFactory } from './pools';
import { headerSecrets, instantiateRequest, type HttpRequestSpec } from './request';
import { HTTP_SUBJECTS, httpCheckError, httpChecks, type HttpCheckCache } from './check';
import { abortableSleep, untilAborted } from '../checks/abort';
import { JsonTooDeepError, parseJsonBounded } from './json';
import { isDestructiveHttp, isReadOnlyHttp } from './method';
import { MAX_BODY_BYTES, readCappedBody } from './body';

export { HTTP_SUBJECTS };
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Bodies larger than this are cut (the check only needs the start). */
export { MAX_BODY_BYTES };

const attributes = z.strictObject({
  retries: z.coerce.number().int().min(0).max(5).optional(),
  connectTimeout: durationAttribute.optional(),
  /** Accepted for readability (`expect=200`): the status that passes when there are no conditions. */
  expect: z.coerce.number().int().min(100).max(599).optional(),
  /** Reserved: `insecure=true` is refused with a clear message rather than silently ignored. */
  insecure: booleanAttribute.optional(),
  /**
   * Ask the operator to type this word before the request is sent. DELETE requests and
   * `destructive=true` checks always ask (default word: the last path segment, e.g. the project id).
   */
  confirm: z.string().min(1).optional(),
  /** Destructive: asks a typed confirmation; run-all and parallel groups leave it out (src/core/kinds.ts). */
  destructive: booleanAttribute.optional(),
  /** Never run in a parallel group (read by the run planner, src/core/plan/execute.ts). */
  serial: booleanAttribute.optional(),
});
export type HttpAttributes = z.infer<typeof attributes>;

export interface HttpKindOptions {
  /** Makes the per-origin dispatcher (tests inject a misbehaving connector). */
  readonly dispatcherFactory?: DispatcherFactory;
  /** Share pools with another kind instance. */
  readonly pools?: HttpPools;
  /** Where parsed bodies are kept (default: the shared `httpChecks`; tests count parses). */
  readonly checks?: HttpCheckCache;
}

export interface HttpKind extends CheckKind<HttpAttributes> {
  /** Closes the keep-alive pools. */
  dispose(): Promise<void>;
  readonly pools: HttpPools;
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** A response that arrives after the abort: release its body. */
const destroyBody = (r: unknown) => (r as { body?: { destroy(): void } })?.body?.destroy();

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return untilAborted(p, signal, destroyBody);
}

async function sendOnce(req: HttpRequestSpec, dispatcher: Dispatcher, signal: AbortSignal, phase: Phase, now: () => number): Promise<ResponseView> {
  const headers: Record<string, string> = {};
  for (const [n, v] of req.headers) {
    const k = n.toLowerCase();
    headers[k] = headers[k] !== undefined ? `${headers[k]}, ${v}` : v;
  }
  if (req.body !== undefined && headers['content-type'] === undefined && /^\s*[[{]/.test(req.body)) headers['content-type'] = 'application/json';
  headers['user-agent'] ??= 'runbook-notebooks';
  const started = now();
  phase.value = 'connect';
  // undici only honours an abort once the request has a socket; race it so that a connect that
  // hangs (no connect timeout fired yet) still ends at the check's timeout or on cancel.
  const res = await raceAbort(
    undiciRequest(req.url, {
      dispatcher: trackPhase(dispatcher, phase),
      method: req.method,
      headers,
      body: req.body,
      signal,
    }),
    signal,
  );
  phase.value = 'body';
  const { bytes, truncated } = await readCappedBody(res.body, MAX_BODY_BYTES);
  return {
    status: res.statusCode,
    headers: flattenHeaders(res.headers as Record<string, string | string[] | undefined>),
    bodyText: bytes.toString('utf8'),
    truncated,
    durationMs: Math.max(0, now() - started),
  };
}

function serverVersion(headers: Readonly<Record<string, string>>): string | undefined {
  return headers['x-engramia-version'] ?? headers['x-app-version'] ?? headers['x-api-version'] ?? headers['x-version'];
}

function withPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

export function createHttpKind(options: HttpKindOptions = {}): HttpKind {
  const pools = options.pools ?? new HttpPools(options.dispatcherFactory);
  const checks = options.checks ?? httpChecks;

  async function run(inv: { attributes: HttpAttributes; body: string; label?: string }, ctx: CheckContext): Promise<CheckResult> {
    const attrs = inv.attributes;
    if (attrs.insecure) return { verdict: 'error', reason: 'insecure=true is not supported: certificates are always verified', next: 'remove the insecure attribute, or fix the server certificate' };

    // 1. Conditions and request, from the body parsed once (validation parsed it already); inputs
    // are applied to the parsed request, and only conditions that hold {{inputs}} are read again
    // with their values.
    const parsedCheck = checks.get(inv.body);
    const invalid = httpCheckError(parsedCheck);
    if (invalid || !parsedCheck.request.ok) return { verdict: 'error', reason: invalid ?? 'invalid request', next: 'fix the check body' };
    const template = parsedCheck.request.value;
    const parsed = parsedCheck.conditions.conditions.some((c) => c.unresolved)
      ? parseConditions(inv.body, { subjects: HTTP_SUBJECTS, inputs: ctx.inputs })
      : parsedCheck.conditions;
    if (parsed.errors.length) {
      const missing = parsed.errors.find((e) => /missing input/.test(e));
      return {
        verdict: 'error',
        reason: `invalid condition: ${parsed.errors[0]}`,
        next: missing ? 'set the missing input (front matter inputs, or when asked)' : 'fix the ?? line (see docs/checks/http.md)',
        details: parsed.errors.map((e) => `- ${e}`).join('\n'),
      };
    }
    let req: HttpRequestSpec;
    try {
      req = instantiateRequest(template, ctx.inputs);
    } catch (err) {
      if (err instanceof MissingInputError) return { verdict: 'error', reason: err.message, next: `set the input${err.names.length > 1 ? 's' : ''} ${err.names.join(', ')} before running` };
      return { verdict: 'error', reason: err instanceof Error ? err.message : String(err), next: 'fix the request line or headers of this check' };
    }

    // Credentials in headers are masked even when they are not declared secret.
    const masker = new Masker([...ctx.secrets, ...headerSecrets(req.headers)]);
    const conditions = parsed.conditions;
    const jsonPaths = jsonPathsOf(conditions);
    const connectTimeoutMs = Math.min(attrs.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS, ctx.timeoutMs);
    const dispatcher = pools.get(req.url.origin, { connectTimeoutMs });
    const data: Record<string, unknown> = { targetHost: req.url.host, method: req.method };
    const finish = (r: CheckResult): CheckResult => masker.maskDeep({ ...r, data: { ...data, ...(r.data ?? {}) } });

    // 2. Destructive requests: preview + typed confirmation before anything is sent (never retried).
    const destructive = attrs.confirm !== undefined || !!attrs.destructive || req.method === 'DELETE';
    if (destructive) {
      const lastSegment = req.url.pathname.split('/').filter(Boolean).pop();
      const expected = attrs.confirm ?? (lastSegment ? decodeURIComponent(lastSegment) : req.method);
      const preview = masker.mask(`${inv.label ? `${inv.label}\n\n` : ''}${renderRequestText(req)}`);
      let ok: boolean;
      try {
        ok = await raceAbort(ctx.ui.typedConfirmation(preview, expected), ctx.signal);
      } catch (err) {
        if (ctx.signal.aborted && ctx.signal.reason instanceof CheckTimeoutError) {
          return finish({ verdict: 'fail', reason: `not confirmed within the check's timeout (${formatDuration(ctx.timeoutMs)}), so nothing was sent`, next: 'raise timeout=… on this check: the confirmation time counts against it' });
        }
        throw err;
      }
      if (!ok) return finish({ verdict: 'fail', reason: `not confirmed (type "${expected}" to go ahead), so nothing was sent`, next: 'run the check again and confirm when ready' });
    }

    // 3. Send; a read is sent again after a 429 (or a 503 with Retry-After) by the shared policy
    // (./retry.ts): never a write or a destructive call, and only when the wait fits the cap and
    // the time left.
    const maxRetries = attrs.retries ?? 1;
    const started = ctx.now();
    const notes: string[] = [];
    const phase = new Phase();
    let res: ResponseView;
    let attempts = 0;
    try {
      for (;;) {
        attempts++;
        res = await sendOnce(req, dispatcher, ctx.signal, phase, ctx.now);
        if (res.status !== 429 && res.status !== 503) break;
        const desc = describeHttpError(res.status, res.headers, res.bodyText, { method: req.method, path: req.url.pathname });
        const decision = retryDecision({
          method: req.method,
          destructive,
          status: res.status,
          retryAfter: res.headers['retry-after'],
          bodyRetryAfterSeconds: typeof desc.context?.['retry_after'] === 'number' ? desc.context['retry_after'] : undefined,
          quota: desc.category === 'quota',
          retriesSoFar: attempts - 1,
          maxRetries,
          timeLeftMs: ctx.timeoutMs - (ctx.now() - started) - 100,
        });
        if (decision.note) notes.push(decision.note);
        if (!decision.retry) break;
        ctx.emit({ stream: 'info', text: `${res.status === 429 ? '429 rate limited' : '503 unavailable'}: retrying in ${formatDuration(decision.waitMs)}\n` });
        phase.value = 'connect';
        await abortableSleep(decision.waitMs, ctx.signal);
      }
    } catch (err) {
      if (ctx.signal.aborted) {
        const reason = ctx.signal.reason;
        if (!(reason instanceof CheckTimeoutError)) throw err; // cancelled: the engine reports it
      }
      // The check's timeout, or a fault: one text for every kind (./errors.ts).
      const timedOut = ctx.signal.aborted;
      const desc = describeNetworkError(err, {
        host: req.url.hostname,
        hostPort: withPort(req.url),
        phase: phase.value,
        connectTimeoutMs,
        // Raising connectTimeout helps only while it is shorter than the check's timeout.
        ...(connectTimeoutMs < ctx.timeoutMs ? { connectTimeoutAttribute: 'connectTimeout' } : {}),
        // undici's own header/body timeouts are not the check's: only a fired deadline is named.
        ...(timedOut ? { timeoutMs: ctx.timeoutMs } : {}),
        timedOut,
      });
      if (timedOut) {
        return finish({
          verdict: 'fail',
          reason: desc.cause,
          next: desc.next,
          data: { phase: phase.value, timeoutMs: ctx.timeoutMs, durationMs: ctx.now() - started, attempts },
          details: renderDetails({ request: req, failure: desc.cause, notes }),
        });
      }
      return finish({
        verdict: 'fail',
        reason: desc.cause,
        next: desc.next,
        data: { phase: phase.value, error: desc.kind, ...(desc.code ? { code: desc.code } : {}), durationMs: ctx.now() - started, attempts },
        details: renderDetails({ request: req, failure: `${desc.cause}${desc.code ? ` (${desc.code})` : ''}`, notes }),
      });
    }
    const response = res!;
    Object.assign(data, { status: response.status, durationMs: response.durationMs, attempts });
    const version = serverVersion(response.headers);
    if (version) data.serverVersion = version;
    if (response.headers['x-request-id']) data.requestId = response.headers['x-request-id'];

    // 4. Judge. Conditions see the raw response; everything shown is masked before it is shortened.
    const mask = (t: string) => masker.mask(t);
    const shown: ResponseView = {
      ...response,
      bodyText: mask(response.bodyText),
      headers: Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, mask(v)])),
    };
    let parsedJson: { ok: true; value: unknown } | { ok: false; error: string } | undefined;
    const json = (): unknown => {
      if (!parsedJson) {
        const text = shown.bodyText;
        if (!text.trim()) parsedJson = { ok: false, error: `the response body is empty (${statusText(response.status)})` };
        else {
          try {
            parsedJson = { ok: true, value: parseJsonBounded(response.bodyText) };
          } catch (e) {
            if (e instanceof JsonTooDeepError) parsedJson = { ok: false, error: e.message };
            else {
              const what = looksLikeHtml(text, response.headers['content-type']) ? `an HTML page: ${htmlTitle(text) ?? firstTextLine(text)}` : `${firstTextLine(text, 80)}`;
              parsedJson = {
                ok: false,
                error: response.truncated ? `the response body is larger than ${MAX_BODY_BYTES} bytes and was cut, so it cannot be read as JSON` : `response body is not JSON (${statusText(response.status)}): ${what}`,
              };
            }
          }
        }
      }
      if (!parsedJson.ok) throw new Error(parsedJson.error);
      return parsedJson.value;
    };
    const outcomes: ConditionOutcome[] = evaluateConditions(conditions, (s) => {
      switch (s.name) {
        case 'status':
          return response.status;
        case 'header':
          return response.headers[(s.arg ?? '').toLowerCase()];
        case 'body':
          return response.bodyText;
        case 'duration':
          return response.durationMs;
        case 'json':
          return json();
        default:
          return undefined;
      }
    }, { mask });
    const head = `${statusText(response.status)} in ${formatDuration(response.durationMs)}`;
    const details = renderDetails({ request: req, response: shown, outcomes, jsonPaths, notes });
    const httpError = () => describeHttpError(response.status, shown.headers, shown.bodyText, { method: req.method, path: req.url.pathname });
    const isOk = response.status >= 200 && response.status < 300;

    if (!conditions.length) {
      const expected = attrs.expect;
      if (expected !== undefined ? response.status === expected : isOk) return finish({ verdict: 'pass', reason: head, details });
      if (expected !== undefined && isOk) return finish({ verdict: 'fail', reason: `${head}, expected ${expected}`, next: 'check the request against the API reference', details });
      const d = httpError();
      return finish({ verdict: 'fail', reason: d.cause, next: d.next, details, data: { errorCategory: d.category, ...(d.code ? { errorCode: d.code } : {}) } });
    }

    const summary = summarizeConditions(outcomes);
    if (summary.verdict === 'pass') return finish({ verdict: 'pass', reason: `${head}; ${summary.reason}`, conditions: outcomes.map(plain), details });
    const firstBad = outcomes.find((o) => o.verdict === 'fail') ?? outcomes.find((o) => o.verdict === 'warn')!;
    let reason = summary.reason;
    let next = summary.next;
    const extra: Record<string, unknown> = {};
    if (!isOk && response.status >= 400) {
      const d = httpError();
      reason = d.cause;
      next = firstBad.next ?? d.next;
      extra.errorCategory = d.category;
      if (d.code) extra.errorCode = d.code;
    } else if (firstBad.subjectError) {
      reason = firstBad.subjectError;
      next = firstBad.next ?? (/nested too deeply/.test(firstBad.subjectError)
        ? 'the server sent a pathologically nested document: check that the URL points at the API you trust'
        : 'the server did not answer with JSON: check that the URL points at the API (not a web page or proxy)');
    } else if (firstBad.missing) {
      reason = `schema drift: field "${firstBad.missing}" is missing from the response (${head})`;
      next = firstBad.next ?? 'the response shape differs from what this check expects: compare the field names with the API reference for this server version';
      extra.missingField = firstBad.missing;
    } else {
      next = next ?? 'the response did not meet the condition; see the details';
    }
    return finish({ verdict: summary.verdict, reason, next, conditions: outcomes.map(plain), details, data: extra });
  }

  return {
    name: 'http',
    description: 'An HTTP request written like a .http file, judged by ?? pass conditions (no conditions: pass on 2xx).',
    attributes,
    defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
    validate: (body) => httpCheckError(checks.get(body)),
    isDestructive: (body) => isDestructiveHttp(body),
    isParallelSafe: (body) => isReadOnlyHttp(body),
    run,
    pools,
    dispose: () => pools.dispose(),
  };
}

/** The ConditionVerdict fields only (no parsed condition objects in results / evidence). */
function plain(o: ConditionOutcome) {
  return { text: o.text, verdict: o.verdict, ...(o.actual !== undefined ? { actual: o.actual } : {}), ...(o.message !== undefined && o.verdict !== 'pass' ? { message: o.message } : {}) };
}

/** The shared instance the composition root registers; dispose its pools on deactivate. */
export const httpKind: HttpKind = createHttpKind();

/** Closes the shared instance's keep-alive pools (call on deactivate / CLI exit). */
export function disposeHttpPools(): Promise<void> {
  return httpKind.dispose();
}

