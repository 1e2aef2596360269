/**
 * The `engramia` check kind: probes that need several requests or logic the `??` grammar cannot
 * express. Info string: ```` ```engramia {id=scope.role probe=role expect=editor} ````.
 * Body: optional `name: value` parameter lines (`{{input}}` substituted), `#` comments, and
 * optional `??` conditions on the probe's data (`?? json patternCount >= 10`).
 * Connection: params `baseUrl`/`apiKey`, else the runbook inputs of the same names.
 * See docs/checks/engramia.md.
 */
import { formatDuration } from '../text';
import * as z from 'zod';
import { evaluateConditions, parseConditions, summarizeConditions } from '../checks/conditions';
import { booleanAttribute } from '../checks/registry';
import { MissingInputError, placeholders, substitute } from '../checks/template';
import type { CheckKind, CheckResult, ConditionVerdict } from '../checks/types';
import { EngramiaClient, KEY_FORMAT } from './client';
import { describeError, EngramiaApiError, EngramiaNetworkError } from './errors';
import { deleteProjectProbe, retentionDryRunProbe } from './probes/governance';
import { backfillProbe, learnWritebackProbe, liveTrafficProbe, quotaProbe, storeSizeProbe } from './probes/data';
import { roleProbe, scopeProbe, versionProbe } from './probes/identity';
import type { Probe } from './probes/types';
import { ROLE_ORDER } from './schemas';

export const PROBES = {
  version: versionProbe,
  role: roleProbe,
  scope: scopeProbe,
  quota: quotaProbe,
  backfill: backfillProbe,
  'store-size': storeSizeProbe,
  'learn-writeback': learnWritebackProbe,
  'live-traffic': liveTrafficProbe,
  'delete-project': deleteProjectProbe,
  'retention-dry-run': retentionDryRunProbe,
} as const satisfies Record<string, Probe>;

export type ProbeName = keyof typeof PROBES;
export const PROBE_NAMES = Object.keys(PROBES) as ProbeName[];

/** Probes that change data on the server. `delete-project` needs a typed confirmation; `learn-writeback` adds one pattern and deletes it again. */
export const DESTRUCTIVE_PROBES: ReadonlySet<ProbeName> = new Set(['delete-project']);
export const WRITING_PROBES: ReadonlySet<ProbeName> = new Set(['delete-project', 'learn-writeback']);

/** True when a check's attributes select a destructive probe (the run-all orchestrator should skip it). */
export function isDestructiveEngramiaCheck(attributes: Readonly<Record<string, string>>): boolean {
  return DESTRUCTIVE_PROBES.has(attributes.probe as ProbeName);
}

const attributes = z
  .object({
    probe: z.enum(PROBE_NAMES as [ProbeName, ...ProbeName[]]),
    expect: z.enum(ROLE_ORDER).optional(),
    exact: booleanAttribute.optional(),
  })
  .catchall(z.string());
export type EngramiaAttributes = z.infer<typeof attributes>;

const PARAM_LINE = /^([A-Za-z][\w-]*)\s*:\s?(.*)$/;

/** Splits a body into parameters, conditions text and errors (without substituting inputs). */
export function parseEngramiaBody(body: string): { params: Record<string, string>; errors: string[] } {
  const params: Record<string, string> = {};
  const errors: string[] = [];
  body.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('//') || line.startsWith('??')) return;
    const m = PARAM_LINE.exec(line);
    if (!m) errors.push(`line ${i + 1}: expected "name: value", a "??" condition or a # comment`);
    else params[m[1]!] = m[2]!.trim();
  });
  return { params, errors };
}

export const engramiaKind: CheckKind<EngramiaAttributes> & {
  isParallelSafe(body: string, attributes: Readonly<Record<string, string>>): boolean;
  isDestructive(body: string, attributes: Readonly<Record<string, string>>): boolean;
} = {
  name: 'engramia',
  /** Read-only probes may run in a parallel group (ops/execute.ts); writing ones run alone. */
  isParallelSafe(_body, attrs) {
    return PROBE_NAMES.includes(attrs.probe as ProbeName) && !WRITING_PROBES.has(attrs.probe as ProbeName);
  },
  /** delete-project: a preview and a typed confirmation, sent once. */
  isDestructive(_body, attrs) {
    return isDestructiveEngramiaCheck(attrs);
  },
  description: 'Engramia API probes: version, role, scope, quota, backfill, store size, learn write-back, live traffic, retention dry run, project deletion (typed confirmation).',
  attributes,
  // Each request has its own 10 s timeout; delete-project waits for the operator to type.
  defaultTimeoutMs: 5 * 60_000,
  // The body's placeholders, plus the connection inputs the probe falls back to: `baseUrl`, and
  // `apiKey` for every probe but `version` (GET /v1/version needs no key).
  inputsUsed(body, attrs) {
    const names = new Set(placeholders(body));
    const { params } = parseEngramiaBody(body);
    if (params.baseUrl === undefined && attrs.baseUrl === undefined) names.add('baseUrl');
    if (attrs.probe !== 'version' && params.apiKey === undefined && attrs.apiKey === undefined) names.add('apiKey');
    return [...names];
  },
  validate(body) {
    const { errors } = parseEngramiaBody(body);
    if (errors.length) return errors[0];
    const c = parseConditions(body, { subjects: ['json', 'duration'] });
    return c.errors[0];
  },
  async run(inv, ctx) {
    const started = ctx.now();
    const { probe: probeName, expect, exact, ...extra } = inv.attributes;
    let text: string;
    try {
      text = substitute(inv.body, ctx.inputs);
    } catch (err) {
      if (err instanceof MissingInputError) return { verdict: 'error', reason: err.message, next: 'set the input in the runbook front matter or the inputs panel' };
      throw err;
    }
    const { params: bodyParams } = parseEngramiaBody(text);
    const params: Record<string, string> = { ...extra, ...bodyParams };
    if (expect && bodyParams.expect === undefined) params.expect = expect;
    if (exact !== undefined && bodyParams.exact === undefined) params.exact = String(exact);
    const baseUrl = params.baseUrl ?? ctx.inputs.baseUrl;
    const apiKey = params.apiKey ?? ctx.inputs.apiKey ?? '';
    delete params.apiKey;
    if (!baseUrl) return { verdict: 'error', reason: 'missing input: baseUrl', next: 'set baseUrl to the Engramia API root, e.g. https://api.engramia.dev' };
    if (!apiKey && probeName !== 'version') return { verdict: 'error', reason: 'missing input: apiKey', next: 'set the API key (Runbook: Set API Key, or ENGRAMIA_API_KEY)' };
    let client: EngramiaClient;
    try {
      const started = ctx.now();
      client = new EngramiaClient({
        baseUrl, apiKey, signal: ctx.signal, timeoutMs: Math.min(10_000, ctx.timeoutMs),
        // A Retry-After wait that would outlast the check's timeout is not started (./retry policy).
        timeLeftMs: () => ctx.timeoutMs - (ctx.now() - started) - 100,
        onExchange: (ex) => ctx.emit({ stream: 'info', text: `${ex.method} ${ex.path} → ${ex.status} in ${formatDuration(ex.durationMs)}\n` }),
      });
    } catch {
      return { verdict: 'error', reason: `baseUrl "${baseUrl}" is not a URL`, next: 'set baseUrl to e.g. https://api.engramia.dev' };
    }
    let result: CheckResult;
    try {
      result = await PROBES[probeName]({ client, apiKey, params, ctx });
    } catch (err) {
      // Cancelled: the engine reports it. The check's timeout in the middle of a request is worded
      // like any network fault (the phase it cut off), as the http kind words it.
      if (ctx.signal.aborted && !(err instanceof EngramiaNetworkError)) throw err;
      const d = describeError(err);
      let next = d.next;
      if (err instanceof EngramiaApiError && err.status === 401 && !KEY_FORMAT.test(apiKey) && !apiKey.startsWith('eyJ')) {
        // Inline code: the cell output is markdown, and the underscores must survive it.
        next = 'the key does not look like an Engramia key (`engramia_sk_` + 43 characters; the guide\'s `eng_…` form does not exist)';
      }
      result = { verdict: 'fail', reason: d.cause, next };
    }
    const serverVersion = await client.serverVersion();
    const requests = client.exchanges.map((e) => `| ${e.method} | ${e.path} | ${e.status} | ${formatDuration(e.durationMs)} |`).join('\n');
    const details = [
      result.details ?? '',
      client.exchanges.length ? `| method | path | status | time |\n|---|---|---|---|\n${requests}` : '',
      `Target ${client.host}, server version ${serverVersion}.`,
    ].filter(Boolean).join('\n\n');
    const data = { ...(result.data ?? {}), probe: probeName, serverVersion, targetHost: client.host, requests: client.exchanges.length, ...(DESTRUCTIVE_PROBES.has(probeName) ? { destructive: true } : {}) };
    let merged: CheckResult = { ...result, details, data };
    // Optional ?? conditions on the probe's data.
    const parsed = parseConditions(text, { subjects: ['json', 'duration'] });
    if (parsed.conditions.length && (result.verdict === 'pass' || result.verdict === 'warn')) {
      const outcomes = evaluateConditions(parsed.conditions, (s) => (s.name === 'duration' ? ctx.now() - started : data));
      const summary = summarizeConditions(outcomes);
      const conditions: ConditionVerdict[] = outcomes.map(({ text: t, verdict, actual, message }) => ({ text: t, verdict, actual, message }));
      const worst = summary.verdict === 'fail' ? 'fail' : summary.verdict === 'warn' || result.verdict === 'warn' ? 'warn' : 'pass';
      merged = {
        ...merged,
        verdict: worst,
        conditions,
        reason: summary.verdict === 'pass' ? result.reason : summary.reason,
        next: summary.verdict === 'pass' ? result.next : (summary.next ?? result.next),
      };
    }
    return merged;
  },
};
