/**
 * A local Engramia REST server that follows the real Engramia REST contract (docs/checks/engramia.md)
 * — auth modes, roles, error bodies, rate limits, maintenance, quota, dedup by version,
 * recall side effects, governance deletion that revokes keys. Used by the unit tests over real
 * HTTP on 127.0.0.1 and by the README's local try-it sandbox (test/servers/engramia/main.ts).
 *
 * Simplifications (documented, not contract): one process-wide store; word-Jaccard recall only
 * (the contract's "no embedding provider" case); jobs complete at once; per-key rate limit omitted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type EngramiaVersion = '0.6.6' | '0.7.0' | 'main';
export type Role = 'reader' | 'editor' | 'admin' | 'owner';
export const ROLES: readonly Role[] = ['reader', 'editor', 'admin', 'owner'];

export interface SeedPattern {
  readonly task: string;
  readonly code?: string;
  readonly source?: string;
  readonly eval_score?: number;
  readonly classification?: string;
  /** Seconds since the epoch; default: now. */
  readonly timestamp?: number;
}

export interface EngramiaServerOptions {
  /** Behaviour to emulate (default `main`). */
  readonly version?: EngramiaVersion;
  /** `app_version` reported by GET /v1/version; default 0.6.6, 0.7.0, or `0.0.0+dev` for main (runs from source). */
  readonly appVersion?: string;
  /** `db` (default): per-key role and scope. `env`: every key has `envRole`, scope default/default. */
  readonly authMode?: 'env' | 'db';
  /** Role of every key in env mode (default owner). */
  readonly envRole?: Role;
  /** Tenant/project of the seeded db-mode keys (default t_acme / p_main). */
  readonly tenantId?: string;
  readonly projectId?: string;
  /** Patterns seeded into the keys' project (default DEFAULT_PATTERNS). */
  readonly patterns?: readonly SeedPattern[];
  /** Patterns seeded into a second project `p_other` of the same tenant (db mode). */
  readonly otherProjectPatterns?: readonly SeedPattern[];
  /** Delay before every response. */
  readonly latencyMs?: number;
  /** Requests per (IP, path) per window; default 60. 0 disables. */
  readonly rateLimitPerMinute?: number;
  /** Length of the fixed rate-limit window (default 60 000 ms; tests shorten it). */
  readonly rateLimitWindowMs?: number;
  /** Limit only these paths (default: every path). */
  readonly rateLimitPaths?: readonly string[];
  /** Retry-After seconds sent with 429 RATE_LIMITED (default 60, as the server does; tests lower it). */
  readonly retryAfterSeconds?: number;
  /** Plan pattern limit override; null = unlimited. Default: plan of the version. */
  readonly patternsLimit?: number | null;
  /** ENGRAMIA_PROJECT_QUOTA_PCT (default 0.8). */
  readonly projectQuotaFactor?: number;
  readonly maintenance?: boolean;
  /** Schema drift: rename top-level response fields, by "METHOD /path", e.g. {"GET /v1/metrics": {"pattern_count": "patterns"}}. */
  readonly drift?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** DELETE /v1/governance/projects fails after deleting patterns: keys stay, plain-text 500 (not transactional). */
  readonly failDeleteProject?: boolean;
  /** Plain-text 500 for these "METHOD /path" routes. */
  readonly internalErrors?: readonly string[];
  /** DELETE /v1/patterns/{key} needs `patterns:delete` (admin) even for the caller's own patterns, as some server builds do. */
  readonly patternDeleteNeedsAdmin?: boolean;
  /** v0.6.6 auth cache: a revoked key keeps working this long (default 60 000 ms). */
  readonly authCacheMs?: number;
}

export const DEFAULT_PATTERNS: readonly SeedPattern[] = [
  { task: 'Build a CSV parser', code: 'import csv\n\ndef parse(path):\n    with open(path) as f:\n        return list(csv.reader(f))', source: 'import', eval_score: 5 },
  { task: 'Write a function that sums a list of integers', code: 'def total(xs): return sum(xs)', source: 'import', eval_score: 7 },
  { task: 'Summarise a support ticket in two sentences', code: 'Summary: …', source: 'import', eval_score: 5 },
  { task: 'Translate the invoice reminder into German', code: 'Zahlungserinnerung …', source: 'import', eval_score: 5 },
  { task: 'Hello, are you there?', code: 'Yes, I am here. How can I help?', source: 'api', eval_score: 7 },
];

interface KeyRecord {
  id: string;
  name: string;
  key: string;
  key_prefix: string;
  role: Role;
  tenant_id: string;
  project_id: string;
  max_patterns: number | null;
  created_at: string;
  revoked_at: string | null;
  revokedAtMs: number | null;
  expires_at: string | null;
}

export interface StoredPattern {
  key: string;
  task: string;
  design: { code: string; classification: string; source: string; output?: string };
  success_score: number;
  reuse_count: number;
  timestamp: number;
  _author_key_id: string;
}

interface Job {
  id: string;
  operation: string;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'expired';
  result: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

interface AuditEvent {
  timestamp: string;
  action: string;
  actor: string | null;
  actor_user_id?: string | null;
  actor_key_id?: string | null;
  resource_type: string | null;
  resource_id: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

export interface ScopeData {
  patterns: StoredPattern[];
  jobs: Job[];
  audit: AuditEvent[];
  runs: number;
  successes: number;
  evalSum: number;
}

export interface Hit {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface ServerState {
  readonly keys: KeyRecord[];
  readonly scopes: Map<string, ScopeData>;
  readonly hits: Hit[];
  maintenance: boolean;
  latencyMs: number;
}

export interface EngramiaServer {
  readonly url: string;
  readonly port: number;
  readonly version: EngramiaVersion;
  readonly authMode: 'env' | 'db';
  /** Seeded keys. db mode: one per role in the main project, plus `otherAdmin` in project p_other. env mode: every key has the env role. */
  readonly keys: Readonly<Record<Role | 'otherAdmin', string>>;
  readonly tenantId: string;
  readonly projectId: string;
  readonly state: ServerState;
  setMaintenance(on: boolean): void;
  setLatency(ms: number): void;
  /** Requests received, optionally filtered by method and path (query excluded). */
  hitCount(method?: string, path?: string): number;
  /** The stored patterns of a scope (default: the keys' project). */
  patterns(projectId?: string): StoredPattern[];
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Roles and permissions (§3)

const READER = ['health', 'metrics', 'recall', 'feedback:read', 'skills:search', 'jobs:list', 'jobs:read', 'analytics:read'];
const EDITOR = [...READER, 'learn', 'evaluate', 'compose', 'evolve', 'analyze_failures', 'skills:register', 'aging', 'feedback:decay', 'jobs:cancel', 'patterns:delete_own', 'analytics:rollup'];
const ADMIN = [...EDITOR, 'patterns:delete', 'import', 'export', 'keys:create', 'keys:list', 'keys:revoke', 'keys:rotate', 'governance:read', 'governance:write', 'governance:admin', 'governance:delete', 'audit:read'];

function hasPermission(role: Role, permission: string): boolean {
  if (role === 'owner') return true;
  if (role === 'admin') return ADMIN.includes(permission);
  if (role === 'editor') return EDITOR.includes(permission);
  return READER.includes(permission);
}

// ---------------------------------------------------------------------------------------------
// Helpers

export function generateKey(): string {
  return 'engramia_sk_' + randomBytes(32).toString('base64url');
}

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean));
}

/** Word-level Jaccard similarity, the server's keyword fallback. */
export function jaccard(a: string, b: string): number {
  const A = words(a);
  const B = words(b);
  if (A.size === 0 && B.size === 0) return 0;
  let inter = 0;
  for (const w of A) if (B.has(w)) inter++;
  return inter / (A.size + B.size - inter);
}

function reuseTier(similarity: number): 'duplicate' | 'adapt' | 'fresh' {
  return similarity >= 0.92 ? 'duplicate' : similarity >= 0.7 ? 'adapt' : 'fresh';
}

function pgNow(): string {
  // PostgreSQL now()::text: "2026-11-22 02:53:10.462757+00"
  const iso = new Date().toISOString();
  return iso.replace('T', ' ').replace('Z', '000+00');
}

function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

function apiError(status: number, code: string, detail: string, context?: Record<string, unknown>, headers?: Record<string, string>): HttpError {
  return new HttpError(status, context ? { error_code: code, detail, error_context: context } : { error_code: code, detail }, headers);
}

const PLAIN_500 = Symbol('plain-500');

// ---------------------------------------------------------------------------------------------

export async function startEngramiaServer(options: EngramiaServerOptions = {}): Promise<EngramiaServer> {
  const version = options.version ?? 'main';
  const newer = version !== '0.6.6';
  const appVersion = options.appVersion ?? (version === 'main' ? '0.0.0+dev' : version);
  const authMode = options.authMode ?? 'db';
  const envRole = options.envRole ?? 'owner';
  const tenantId = authMode === 'env' ? 'default' : (options.tenantId ?? 't_acme');
  const projectId = authMode === 'env' ? 'default' : (options.projectId ?? 'p_main');
  const otherProject = 'p_other';
  const windowMs = options.rateLimitWindowMs ?? 60_000;
  const perWindow = options.rateLimitPerMinute ?? 60;
  const factor = options.projectQuotaFactor ?? 0.8;
  const authCacheMs = options.authCacheMs ?? 60_000;
  const startedAt = Date.now();
  const plan = newer
    ? { plan_tier: 'developer', patterns: 10_000, eval_runs: 5_000, projects: 2 }
    : { plan_tier: 'sandbox', patterns: 5_000, eval_runs: 500, projects: 1 };
  const patternsLimit = options.patternsLimit === undefined ? plan.patterns : options.patternsLimit;

  const state: ServerState = { keys: [], scopes: new Map(), hits: [], maintenance: options.maintenance ?? false, latencyMs: options.latencyMs ?? 0 };
  const scopeKey = (t: string, p: string) => `${t}/${p}`;
  const scope = (t: string, p: string): ScopeData => {
    const k = scopeKey(t, p);
    let s = state.scopes.get(k);
    if (!s) {
      s = { patterns: [], jobs: [], audit: [], runs: 0, successes: 0, evalSum: 0 };
      state.scopes.set(k, s);
    }
    return s;
  };

  const makeKey = (name: string, role: Role, t: string, p: string): KeyRecord => {
    const key = generateKey();
    return {
      id: randomUUID(), name, key, key_prefix: key.slice(0, 20) + '...', role, tenant_id: t, project_id: p,
      max_patterns: null, created_at: pgNow(), revoked_at: null, revokedAtMs: null, expires_at: null,
    };
  };
  const seeded: Record<string, KeyRecord> = {};
  for (const role of ROLES) seeded[role] = makeKey(`${role} key`, authMode === 'env' ? envRole : role, tenantId, projectId);
  seeded.otherAdmin = makeKey('other project admin', authMode === 'env' ? envRole : 'admin', tenantId, authMode === 'env' ? projectId : otherProject);
  state.keys.push(...Object.values(seeded));
  if (authMode === 'db') {
    for (const k of state.keys) {
      scope(k.tenant_id, k.project_id).audit.unshift(auditEvent('key_created', k, 'api_key', k.id, { name: k.name, role: k.role }));
    }
  }

  const newPattern = (seed: SeedPattern, author: string): StoredPattern => ({
    key: `patterns/${randomBytes(4).toString('hex')}_${Date.now()}_${randomBytes(4).toString('base64url').slice(0, 6)}`,
    task: seed.task,
    design: { code: seed.code ?? '', classification: seed.classification ?? 'internal', source: seed.source ?? 'api' },
    success_score: seed.eval_score ?? 5,
    reuse_count: 0,
    timestamp: seed.timestamp ?? Date.now() / 1000,
    _author_key_id: author,
  });
  const main = scope(tenantId, projectId);
  for (const p of options.patterns ?? DEFAULT_PATTERNS) main.patterns.push(newPattern(p, authMode === 'env' ? 'env-key' : seeded.admin!.id));
  if (authMode === 'db') {
    const other = scope(tenantId, otherProject);
    for (const p of options.otherProjectPatterns ?? [{ task: 'Other project pattern', code: 'x', source: 'import' }]) other.patterns.push(newPattern(p, seeded.otherAdmin!.id));
  }
  main.jobs.push({
    id: randomUUID(), operation: 'import', status: 'completed', result: { imported: main.patterns.length, total: main.patterns.length },
    error: null, attempts: 1, created_at: isoNow(), started_at: isoNow(), completed_at: isoNow(),
  });

  function auditEvent(action: string, actor: KeyRecord | undefined, resourceType: string | null, resourceId: string | null, detail: Record<string, unknown> | null): AuditEvent {
    const ev: AuditEvent = {
      timestamp: pgNow(), action, actor: actor?.id ?? null, resource_type: resourceType, resource_id: resourceId, ip: '127.0.0.1',
      detail: version === '0.6.6' ? null : detail,
    };
    if (version === 'main') {
      ev.actor_user_id = null;
      ev.actor_key_id = actor?.id ?? null;
    }
    return ev;
  }

  // Rate limiting: fixed windows per (IP, path).
  const windows = new Map<string, { start: number; count: number }>();

  interface Caller {
    key: KeyRecord;
    role: Role;
    tenant: string;
    project: string;
  }

  function authenticate(req: http.IncomingMessage): Caller {
    const header = req.headers.authorization;
    if (!header || !header.startsWith('Bearer ') || header.length <= 7) {
      throw apiError(401, 'UNAUTHORIZED', 'Missing or malformed Authorization header. Expected: Bearer <key>');
    }
    const token = header.slice(7);
    const key = state.keys.find((k) => k.key === token);
    if (!key) throw apiError(401, 'UNAUTHORIZED', 'Invalid API key.');
    if (key.revokedAtMs !== null) {
      const cached = version === '0.6.6' && Date.now() - key.revokedAtMs < authCacheMs;
      if (!cached) throw apiError(401, 'UNAUTHORIZED', 'Invalid API key.');
    }
    if (authMode === 'env') return { key, role: envRole, tenant: 'default', project: 'default' };
    return { key, role: key.role, tenant: key.tenant_id, project: key.project_id };
  }

  function requirePermission(caller: Caller, permission: string): void {
    if (!hasPermission(caller.role, permission)) {
      throw apiError(403, 'FORBIDDEN', `Role '${caller.role}' does not have permission '${permission}'.`);
    }
  }

  function validationError(issues: { loc: (string | number)[]; msg: string; type: string; input?: unknown }[]): HttpError {
    if (version === 'main') {
      return new HttpError(422, { error_code: 'VALIDATION_ERROR', detail: 'Request validation failed.', issues: issues.map(({ loc, msg, type }) => ({ loc, msg, type })) });
    }
    return new HttpError(422, { detail: issues.map((i) => ({ type: i.type, loc: i.loc, msg: i.msg, input: i.input ?? null, ctx: {} })) });
  }

  type Body = Record<string, unknown>;
  function expectObject(body: unknown): Body {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw validationError([{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type', input: body }]);
    }
    return body as Body;
  }
  function checkFields(body: Body, spec: Record<string, { type: 'string' | 'number' | 'boolean' | 'integer'; required?: boolean; min?: number; max?: number; maxLength?: number }>): void {
    const issues: { loc: (string | number)[]; msg: string; type: string; input?: unknown }[] = [];
    for (const [name, s] of Object.entries(spec)) {
      const v = body[name];
      if (v === undefined || v === null) {
        if (s.required) issues.push({ loc: ['body', name], msg: 'Field required', type: 'missing', input: body });
        continue;
      }
      const okType = s.type === 'string' ? typeof v === 'string' : s.type === 'boolean' ? typeof v === 'boolean' : s.type === 'integer' ? Number.isInteger(v) : typeof v === 'number';
      if (!okType) {
        issues.push({ loc: ['body', name], msg: `Input should be a valid ${s.type}`, type: `${s.type}_type`, input: v });
        continue;
      }
      if (typeof v === 'number' && s.min !== undefined && v < s.min) issues.push({ loc: ['body', name], msg: `Input should be greater than or equal to ${s.min}`, type: 'greater_than_equal', input: v });
      if (typeof v === 'number' && s.max !== undefined && v > s.max) issues.push({ loc: ['body', name], msg: `Input should be less than or equal to ${s.max}`, type: 'less_than_equal', input: v });
      if (typeof v === 'string' && s.maxLength !== undefined && v.length > s.maxLength) issues.push({ loc: ['body', name], msg: `String should have at most ${s.maxLength} characters`, type: 'string_too_long', input: v });
    }
    if (issues.length) throw validationError(issues);
  }

  function checkQuota(caller: Caller, additional: number): void {
    const s = scope(caller.tenant, caller.project);
    const current = s.patterns.length + additional;
    if (patternsLimit !== null) {
      const cap = Math.floor(patternsLimit * factor);
      const reached = additional === 0 ? current >= cap : current > cap;
      if (reached) {
        if (authMode === 'db') s.audit.unshift(auditEvent('quota_exceeded', caller.key, 'patterns', null, { current, limit: cap, level: 'project' }));
        const pct = Math.round((cap / patternsLimit) * 100);
        throw apiError(429, 'QUOTA_EXCEEDED', `Project pattern quota reached (${cap} patterns, ${pct}% of tenant limit). Delete old patterns or contact your admin to increase the project limit.`, { current, limit: cap });
      }
    }
  }

  function recordMetrics(s: ScopeData, evalScore: number): void {
    s.runs++;
    s.evalSum += evalScore;
    if (evalScore >= 5) s.successes++;
  }

  function exportRecord(p: StoredPattern) {
    return { version: 1, key: p.key, data: { task: p.task, design: p.design, success_score: p.success_score, reuse_count: p.reuse_count, timestamp: p.timestamp, _author_key_id: p._author_key_id } };
  }

  function keyInfo(k: KeyRecord) {
    return { id: k.id, name: k.name, key_prefix: k.key_prefix, role: k.role, tenant_id: k.tenant_id, project_id: k.project_id, max_patterns: k.max_patterns, created_at: k.created_at, last_used_at: null, revoked_at: k.revoked_at, expires_at: k.expires_at };
  }

  const needsDb = () => apiError(503, 'STORAGE_ERROR', 'Key management requires DB auth mode (ENGRAMIA_DATABASE_URL must be configured).');

  type Handler = (ctx: { req: http.IncomingMessage; url: URL; params: string[]; body: () => unknown; caller: () => Caller }) => { status?: number; body: unknown; headers?: Record<string, string> } | typeof PLAIN_500;
  interface Route { method: string; pattern: RegExp; handler: Handler }

  const routes: Route[] = [
    {
      method: 'GET', pattern: /^\/v1\/version$/, handler: () => ({ body: { app_version: appVersion, api_version: 'v1', git_commit: version === 'main' ? 'unknown' : 'a1b2c3d', build_time: version === 'main' ? 'unknown' : '2026-05-01T00:00:00Z' } }),
    },
    {
      method: 'GET', pattern: /^\/v1\/health$/, handler: ({ caller }) => {
        const c = caller();
        requirePermission(c, 'health');
        return { body: { status: 'ok', storage: 'JSONStorage', pattern_count: scope(c.tenant, c.project).patterns.length } };
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/health\/deep$/, handler: ({ caller }) => {
        requirePermission(caller(), 'health');
        const nc = { status: 'not_configured', latency_ms: null, error: null, current_revision: null, expected_revision: null };
        return { body: { status: 'ok', version: appVersion, uptime_seconds: round((Date.now() - startedAt) / 1000), checks: { storage: { ...nc, status: 'ok', latency_ms: 0.13 }, llm: nc, embedding: nc, redis: nc, stripe: nc, migration: nc } } };
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/metrics$/, handler: ({ caller }) => {
        const c = caller();
        requirePermission(c, 'metrics');
        const s = scope(c.tenant, c.project);
        const reused = s.patterns.filter((p) => p.reuse_count > 0).length;
        return { body: { runs: s.runs, success_rate: s.runs ? round(s.successes / s.runs) : 0.0, avg_eval_score: s.runs ? round(s.evalSum / s.runs) : null, pattern_count: s.patterns.length, reuse_rate: s.patterns.length ? round(reused / s.patterns.length) : 0.0 } };
      },
    },
    {
      method: 'POST', pattern: /^\/v1\/learn$/, handler: ({ caller, body }) => {
        const c = caller();
        requirePermission(c, 'learn');
        const b = expectObject(body());
        checkFields(b, { task: { type: 'string', required: true, maxLength: 10_000 }, code: { type: 'string', required: true, maxLength: 500_000 }, eval_score: { type: 'number', required: true, min: 0, max: 10 }, output: { type: 'string' }, run_id: { type: 'string', maxLength: 200 }, classification: { type: 'string' }, source: { type: 'string', maxLength: 50 } });
        checkQuota(c, 0);
        const s = scope(c.tenant, c.project);
        const task = b.task as string;
        const evalScore = b.eval_score as number;
        if (newer) {
          let best: StoredPattern | undefined;
          let bestSim = 0;
          for (const p of s.patterns) {
            const sim = jaccard(task, p.task);
            if (sim > bestSim) { bestSim = sim; best = p; }
          }
          if (best && bestSim >= 0.92) {
            if (evalScore > best.success_score) {
              Object.assign(best, newPattern({ task, code: b.code as string, source: (b.source as string) ?? 'api', eval_score: evalScore, classification: b.classification as string | undefined }, c.key.id), { key: best.key });
              recordMetrics(s, evalScore);
              return { body: { stored: true, pattern_count: s.patterns.length } };
            }
            return { body: { stored: false, pattern_count: s.patterns.length } };
          }
        }
        const p = newPattern({ task, code: b.code as string, source: (b.source as string) ?? 'api', eval_score: evalScore, classification: b.classification as string | undefined }, authMode === 'env' ? 'env-key' : c.key.id);
        if (typeof b.output === 'string') p.design.output = b.output;
        s.patterns.push(p);
        recordMetrics(s, evalScore);
        return { body: { stored: true, pattern_count: s.patterns.length } };
      },
    },
    {
      method: 'POST', pattern: /^\/v1\/recall$/, handler: ({ caller, body }) => {
        const c = caller();
        requirePermission(c, 'recall');
        const b = expectObject(body());
        checkFields(b, { task: { type: 'string', required: true, maxLength: 10_000 }, limit: { type: 'integer', min: 1, max: 50 }, offset: { type: 'integer', min: 0, max: 10_000 }, deduplicate: { type: 'boolean' }, eval_weighted: { type: 'boolean' }, classification: { type: 'string' }, source: { type: 'string', maxLength: 50 }, min_score: { type: 'number', min: 0, max: 10 } });
        const task = b.task as string;
        const limit = (b.limit as number | undefined) ?? 5;
        const offset = (b.offset as number | undefined) ?? 0;
        const s = scope(c.tenant, c.project);
        let scored = s.patterns.map((p) => ({ p, sim: jaccard(task, p.task) })).filter((x) => x.sim > 0);
        scored.sort((a, b2) => b2.sim - a.sim || b2.p.success_score - a.p.success_score);
        if (b.deduplicate !== false) {
          const kept: typeof scored = [];
          for (const x of scored) if (!kept.some((k) => jaccard(k.p.task, x.p.task) > 0.7)) kept.push(x);
          scored = kept;
        }
        if (typeof b.classification === 'string') scored = scored.filter((x) => x.p.design.classification === b.classification);
        if (typeof b.source === 'string') scored = scored.filter((x) => x.p.design.source === b.source);
        if (typeof b.min_score === 'number') scored = scored.filter((x) => x.p.success_score >= (b.min_score as number));
        const page = scored.slice(offset, offset + limit);
        const hasMore = scored.length > offset + limit;
        const matches = page.map(({ p, sim }) => ({ similarity: round(sim), reuse_tier: reuseTier(sim), pattern_key: p.key, pattern: { task: p.task, code: p.design.code, success_score: p.success_score, reuse_count: p.reuse_count } }));
        for (const { p } of page) {
          p.reuse_count += 1;
          p.success_score = round(p.success_score + 0.1);
        }
        return { body: { matches, has_more: hasMore, next_offset: hasMore ? offset + limit : null } };
      },
    },
    {
      method: 'POST', pattern: /^\/v1\/import$/, handler: ({ req, caller, body }) => {
        const c = caller();
        requirePermission(c, 'import');
        const b = expectObject(body());
        if (!Array.isArray(b.records)) throw validationError([{ loc: ['body', 'records'], msg: 'Field required', type: 'missing', input: b }]);
        const records = b.records as { key?: unknown; data?: Record<string, unknown> }[];
        if (records.length > 10_000) throw validationError([{ loc: ['body', 'records'], msg: 'List should have at most 10000 items', type: 'too_long' }]);
        records.forEach((r, i) => {
          if (typeof r?.key !== 'string' || !r.key.startsWith('patterns/')) throw validationError([{ loc: ['body', 'records', i, 'key'], msg: 'Value error, key must start with "patterns/"', type: 'value_error', input: r?.key }]);
        });
        checkQuota(c, records.length);
        const s = scope(c.tenant, c.project);
        let imported = 0;
        for (const r of records) {
          const existing = s.patterns.findIndex((p) => p.key === r.key);
          if (existing >= 0 && !b.overwrite) continue;
          const d = r.data ?? {};
          const design = (d.design as Record<string, unknown> | undefined) ?? {};
          const p: StoredPattern = {
            key: r.key as string, task: String(d.task ?? ''),
            design: { code: String(design.code ?? ''), classification: String(design.classification ?? 'internal'), source: String(design.source ?? 'import') },
            success_score: Number(d.success_score ?? 5), reuse_count: Number(d.reuse_count ?? 0), timestamp: Number(d.timestamp ?? Date.now() / 1000), _author_key_id: c.key.id,
          };
          if (existing >= 0) s.patterns[existing] = p;
          else s.patterns.push(p);
          imported++;
        }
        if (newer && authMode === 'db') s.audit.unshift(auditEvent('bulk_import', c.key, 'patterns', `total=${records.length},imported=${imported},overwrite=${b.overwrite ? 'True' : 'False'}`, { total: records.length, imported, overwrite: !!b.overwrite }));
        const result = { imported, total: records.length };
        if (/respond-async/i.test(String(req.headers.prefer ?? ''))) {
          const job: Job = { id: randomUUID(), operation: 'import', status: 'completed', result, error: null, attempts: 1, created_at: isoNow(), started_at: isoNow(), completed_at: isoNow() };
          s.jobs.push(job);
          return { status: 202, body: { job_id: job.id, status: 'pending' }, headers: { location: `/v1/jobs/${job.id}` } };
        }
        return { body: result };
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/export$/, handler: ({ caller }) => {
        const c = caller();
        requirePermission(c, 'export');
        const s = scope(c.tenant, c.project);
        return { body: { records: s.patterns.map(exportRecord), count: s.patterns.length } };
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/audit$/, handler: ({ caller, url }) => {
        const c = caller();
        requirePermission(c, 'audit:read');
        if (authMode === 'env') throw apiError(503, 'SERVICE_UNAVAILABLE', 'Audit log is only available on DB-backed deployments. Configure ENGRAMIA_DATABASE_URL and migrate to enable.');
        const limit = Number(url.searchParams.get('limit') ?? 50);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw validationError([{ loc: ['query', 'limit'], msg: 'Input should be between 1 and 1000', type: 'less_than_equal', input: url.searchParams.get('limit') }]);
        const action = url.searchParams.get('action');
        const events = scope(c.tenant, c.project).audit.filter((e) => !action || e.action === action);
        return { body: { events: events.slice(0, limit), total: events.length } };
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/billing\/status$/, handler: ({ caller }) => {
        const c = caller();
        const body: Record<string, unknown> = {
          plan_tier: plan.plan_tier, status: 'active', billing_interval: 'month', eval_runs_used: 0, eval_runs_limit: plan.eval_runs,
          patterns_used: scope(c.tenant, c.project).patterns.length, patterns_limit: patternsLimit, projects_used: 1, projects_limit: plan.projects,
          period_end: null, overage_enabled: false, overage_budget_cap_cents: null,
        };
        if (newer) body.cancel_at_period_end = false;
        return { body };
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/governance\/retention$/, handler: ({ caller }) => {
        const c = caller();
        requirePermission(c, 'governance:read');
        return { body: { tenant_id: c.tenant, project_id: c.project, retention_days: 365, source: 'default' } };
      },
    },
    {
      method: 'POST', pattern: /^\/v1\/governance\/retention\/apply$/, handler: ({ caller, body }) => {
        const c = caller();
        requirePermission(c, 'governance:admin');
        const b = expectObject(body() ?? {});
        checkFields(b, { dry_run: { type: 'boolean' } });
        const dryRun = b.dry_run !== false;
        const s = scope(c.tenant, c.project);
        const cutoff = Date.now() / 1000 - 365 * 86_400;
        const old = s.patterns.filter((p) => p.timestamp < cutoff);
        if (!dryRun) {
          s.patterns = s.patterns.filter((p) => p.timestamp >= cutoff);
          if (authMode === 'db') s.audit.unshift(auditEvent('retention_applied', c.key, 'patterns', null, { purged_count: old.length }));
        }
        return { body: { purged_count: old.length, dry_run: dryRun } };
      },
    },
    {
      method: 'DELETE', pattern: /^\/v1\/governance\/projects\/([^/]+)$/, handler: ({ caller, params }) => {
        const c = caller();
        requirePermission(c, 'governance:delete');
        const target = decodeURIComponent(params[0]!);
        if (c.role !== 'owner' && target !== c.project) {
          throw apiError(403, 'FORBIDDEN', `Role '${c.role}' may only delete its own project. Cross-project deletion requires the 'owner' role.`);
        }
        const s = scope(c.tenant, target);
        const patternsDeleted = s.patterns.length;
        const jobsDeleted = s.jobs.length;
        s.patterns = [];
        s.jobs = [];
        if (options.failDeleteProject) return PLAIN_500;
        let revoked = 0;
        if (authMode === 'db') {
          for (const k of state.keys) {
            if (k.tenant_id === c.tenant && k.project_id === target && k.revokedAtMs === null) {
              k.revokedAtMs = Date.now();
              k.revoked_at = pgNow();
              revoked++;
            }
          }
          for (const e of s.audit) e.detail = null;
          s.audit.unshift(auditEvent('scope_deleted', c.key, 'project', target, null));
        }
        return { body: { tenant_id: c.tenant, project_id: target, patterns_deleted: patternsDeleted, jobs_deleted: jobsDeleted, keys_revoked: revoked, projects_deleted: 0 } };
      },
    },
    {
      // `{pattern_key:path}`: the key itself contains a slash ("patterns/…"). Admin+ any pattern;
      // an editor only the patterns its own key wrote (patterns:delete_own); unknown key → deleted:false.
      method: 'DELETE', pattern: /^\/v1\/patterns\/(.+)$/, handler: ({ caller, params }) => {
        const c = caller();
        const key = decodeURIComponent(params[0]!);
        const s = scope(c.tenant, c.project);
        const p = s.patterns.find((x) => x.key === key);
        if (!hasPermission(c.role, 'patterns:delete')) {
          requirePermission(c, options.patternDeleteNeedsAdmin ? 'patterns:delete' : 'patterns:delete_own');
          const author = authMode === 'env' ? 'env-key' : c.key.id;
          if (p && p._author_key_id !== author) throw apiError(403, 'FORBIDDEN', `Role '${c.role}' may only delete its own patterns.`);
        }
        if (p) s.patterns = s.patterns.filter((x) => x !== p);
        return { body: { deleted: !!p, pattern_key: key } };
      },
    },
    {
      method: 'DELETE', pattern: /^\/v1\/governance\/tenants\/([^/]+)$/, handler: ({ caller }) => {
        requirePermission(caller(), '*');
        throw apiError(403, 'FORBIDDEN', 'You can only delete your own tenant.');
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/jobs$/, handler: ({ caller, url }) => {
        const c = caller();
        requirePermission(c, 'jobs:list');
        const status = url.searchParams.get('status');
        const limit = Number(url.searchParams.get('limit') ?? 50);
        const jobs = scope(c.tenant, c.project).jobs.filter((j) => !status || j.status === status).slice(0, limit);
        return { body: { jobs } };
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/jobs\/([^/]+)$/, handler: ({ caller, params }) => {
        const c = caller();
        requirePermission(c, 'jobs:read');
        const job = scope(c.tenant, c.project).jobs.find((j) => j.id === params[0]);
        if (!job) throw apiError(404, 'NOT_FOUND', 'Job not found.');
        return { body: job };
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/keys$/, handler: ({ caller }) => {
        const c = caller();
        if (authMode === 'env') throw needsDb();
        requirePermission(c, 'keys:list');
        const keys = state.keys.filter((k) => k.tenant_id === c.tenant && k.project_id === c.project).slice().reverse().map(keyInfo);
        return { body: { keys } };
      },
    },
    {
      method: 'POST', pattern: /^\/v1\/keys$/, handler: ({ caller, body }) => {
        const c = caller();
        if (authMode === 'env') throw needsDb();
        requirePermission(c, 'keys:create');
        const b = expectObject(body());
        checkFields(b, { name: { type: 'string', required: true, maxLength: 100 }, role: { type: 'string' } });
        const role = (b.role as Role | undefined) ?? 'editor';
        if (!ROLES.includes(role)) throw validationError([{ loc: ['body', 'role'], msg: "Input should be 'owner', 'admin', 'editor' or 'reader'", type: 'literal_error', input: role }]);
        const max: Role = c.role === 'owner' ? 'owner' : 'editor';
        if (ROLES.indexOf(role) > ROLES.indexOf(max)) throw apiError(403, 'FORBIDDEN', `Role '${c.role}' may assign at most '${max}' keys. Requested role '${role}' is not permitted.`);
        const k = makeKey(b.name as string, role, c.tenant, c.project);
        state.keys.push(k);
        scope(c.tenant, c.project).audit.unshift(auditEvent('key_created', c.key, 'api_key', k.id, { name: k.name, role }));
        return { status: 201, body: { id: k.id, name: k.name, key: k.key, key_prefix: k.key_prefix, role: k.role, tenant_id: k.tenant_id, project_id: k.project_id, max_patterns: null, created_at: k.created_at } };
      },
    },
    {
      method: 'DELETE', pattern: /^\/v1\/keys\/([^/]+)$/, handler: ({ caller, params }) => {
        const c = caller();
        if (authMode === 'env') throw needsDb();
        requirePermission(c, 'keys:revoke');
        const k = state.keys.find((x) => x.id === params[0] && x.tenant_id === c.tenant && x.project_id === c.project);
        if (!k) throw apiError(404, 'NOT_FOUND', 'Key not found.');
        if (k.revokedAtMs !== null) throw apiError(409, 'ERROR', 'Key is already revoked.');
        k.revokedAtMs = Date.now();
        k.revoked_at = pgNow();
        return { body: { id: k.id, revoked: true } };
      },
    },
  ];

  async function readBody(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 1024 * 1024) throw apiError(413, 'PAYLOAD_TOO_LARGE', 'Request body too large.', { max_bytes: 1024 * 1024 });
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  function send(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, path = ''): void {
    state.hits.push({ method: req.method ?? 'GET', path, status });
    const common = {
      'x-request-id': String(req.headers['x-request-id'] ?? randomUUID()),
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    };
    if (body === PLAIN_500) {
      res.writeHead(500, { ...common, 'content-type': 'text/plain; charset=utf-8' });
      res.end('Internal Server Error');
      return;
    }
    const renames = options.drift?.[`${req.method} ${path}`];
    if (renames && body && typeof body === 'object' && !Array.isArray(body)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(body as Record<string, unknown>)) out[renames[k] ?? k] = v;
      body = out;
    }
    res.writeHead(status, { ...common, ...headers, 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    try {
      if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
      // Rate limit per (IP, path), fixed windows.
      if (perWindow > 0 && (!options.rateLimitPaths || options.rateLimitPaths.includes(path))) {
        const k = `${req.socket.remoteAddress} ${path}`;
        const now = Date.now();
        let w = windows.get(k);
        if (!w || now - w.start >= windowMs) {
          w = { start: now, count: 0 };
          windows.set(k, w);
        }
        w.count++;
        if (w.count > perWindow) {
          const ra = options.retryAfterSeconds ?? 60;
          throw apiError(429, 'RATE_LIMITED', `Rate limit exceeded. Max ${perWindow} requests per minute.`, { retry_after: ra }, { 'retry-after': String(ra) });
        }
      }
      if (state.maintenance && path !== '/v1/health' && path !== '/v1/health/deep') {
        throw apiError(503, 'SERVICE_UNAVAILABLE', 'Service is under scheduled maintenance. Please try again later.', { retry_after: 3600 }, { 'retry-after': '3600' });
      }
      const candidates = routes.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m);
      if (candidates.length === 0) return send(req, res, 404, { detail: 'Not Found' }, {}, path);
      const hit = candidates.find((x) => x.r.method === req.method);
      if (!hit) return send(req, res, 405, { detail: 'Method Not Allowed' }, { allow: candidates.map((x) => x.r.method).join(', ') }, path);
      if (options.internalErrors?.includes(`${req.method} ${path}`)) return send(req, res, 500, PLAIN_500, {}, path);
      const text = req.method === 'GET' || req.method === 'DELETE' ? '' : await readBody(req);
      let caller: Caller | undefined;
      const result = hit.r.handler({
        req, url, params: hit.m!.slice(1),
        caller: () => (caller ??= authenticate(req)),
        body: () => {
          // Auth runs before body validation in FastAPI's dependency order for these routes.
          caller ??= authenticate(req);
          if (!text.trim()) return undefined;
          try {
            return JSON.parse(text);
          } catch (err) {
            throw validationError([{ loc: ['body', 0], msg: `JSON decode error`, type: 'json_invalid', input: {} }]);
          }
        },
      });
      if (result === PLAIN_500) return send(req, res, 500, PLAIN_500, {}, path);
      send(req, res, result.status ?? 200, result.body, result.headers, path);
    } catch (err) {
      if (err instanceof HttpError) return send(req, res, err.status, err.body, err.headers, path);
      send(req, res, 500, PLAIN_500, {}, path);
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const keys = Object.fromEntries(Object.entries(seeded).map(([k, v]) => [k, v.key])) as Record<Role | 'otherAdmin', string>;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    version,
    authMode,
    keys,
    tenantId,
    projectId,
    state,
    setMaintenance(on) {
      state.maintenance = on;
    },
    setLatency(ms) {
      state.latencyMs = ms;
    },
    hitCount(method, path) {
      return state.hits.filter((h) => (!method || h.method === method) && (!path || h.path === path)).length;
    },
    patterns(p = projectId) {
      return scope(tenantId, p).patterns;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
