/**
 * Side-effect-free detection of the server version line and of the key's role and scope
 * (engramia-api.md §4 and §10). Used by several probes.
 */
import type { EngramiaClient } from './client';
import { keyPrefix } from './client';
import { EngramiaApiError } from './errors';
import { recallResponseSchema, ROLE_ORDER, type EngramiaRole } from './schemas';

export interface VersionFacts {
  /** What GET /v1/version reported. */
  readonly appVersion: string;
  /** `0.6.6`-like release, or a behaviour line when the release is unknown. */
  readonly line: 'pre-0.7' | '0.7+' | 'unknown';
  /** Learn deduplicates near-identical tasks (v0.7.0+). Undefined when it cannot be told. */
  readonly dedup?: boolean;
  /** How the line was decided, one phrase. */
  readonly how: string;
  /** True when app_version is `0.0.0+dev` (server runs from a source tree). */
  readonly fromSource: boolean;
}

export function parseSemver(v: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function compareSemver(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export async function detectVersion(client: EngramiaClient, signal?: AbortSignal): Promise<VersionFacts> {
  const v = await client.version();
  const sem = parseSemver(v.app_version);
  const fromSource = v.app_version.startsWith('0.0.0');
  if (sem && !fromSource) {
    const newer = compareSemver(sem, [0, 7, 0]) >= 0;
    return { appVersion: v.app_version, line: newer ? '0.7+' : 'pre-0.7', dedup: newer, how: `GET /v1/version reports ${v.app_version}`, fromSource };
  }
  // Fallback (§10): billing status shape, then the 422 body shape.
  try {
    const b = await client.billingStatus(signal);
    if (b.cancel_at_period_end !== undefined || b.plan_tier === 'developer') {
      return { appVersion: v.app_version, line: '0.7+', dedup: true, how: 'billing status has cancel_at_period_end (v0.7.0 or newer)', fromSource };
    }
    if (b.plan_tier === 'sandbox') {
      return { appVersion: v.app_version, line: 'pre-0.7', dedup: false, how: 'billing status has plan sandbox and no cancel_at_period_end (v0.6.6 or older)', fromSource };
    }
  } catch (err) {
    if (signal?.aborted) throw err;
  }
  try {
    await client.call('POST', '/v1/recall', { schema: recallResponseSchema, body: {}, signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    if (err instanceof EngramiaApiError && err.status === 422) {
      if (err.errorCode === 'VALIDATION_ERROR') return { appVersion: v.app_version, line: '0.7+', dedup: true, how: '422 body has error_code and issues (main after d03b942)', fromSource };
      return { appVersion: v.app_version, line: 'unknown', how: '422 body is the FastAPI array (v0.7.0 or older)', fromSource };
    }
  }
  return { appVersion: v.app_version, line: 'unknown', how: 'no signal told the release apart', fromSource };
}

export interface RoleFacts {
  /** The role when it is known exactly. */
  readonly role?: EngramiaRole;
  /** Roles the evidence allows (one when known). */
  readonly candidates: readonly EngramiaRole[];
  readonly tenantId?: string;
  readonly projectId?: string;
  /** False when /v1/keys answered 503 (env keys, or DB auth that failed to start). */
  readonly keyManagement: boolean;
  /** The evidence, one phrase. */
  readonly how: string;
  /** The caller's own key entry id, when listed. */
  readonly keyId?: string;
}

function asRole(r: string | undefined): EngramiaRole | undefined {
  return ROLE_ORDER.find((x) => x === r);
}

/** §4: GET /v1/keys → 403 names the role / 200 lists the own key / 503 → GET /v1/audit?limit=1. */
export async function detectRole(client: EngramiaClient, apiKey: string, signal?: AbortSignal): Promise<RoleFacts> {
  try {
    const list = await client.listKeys(signal);
    const prefix = keyPrefix(apiKey);
    const own = list.keys.find((k) => k.key_prefix === prefix && !k.revoked_at);
    if (own) {
      return { role: own.role, candidates: [own.role], tenantId: own.tenant_id, projectId: own.project_id, keyManagement: true, how: `GET /v1/keys lists this key (${prefix}) as ${own.role}`, keyId: own.id };
    }
    return { candidates: ['admin', 'owner'], keyManagement: true, how: 'GET /v1/keys answered (admin or owner) but does not list this key' };
  } catch (err) {
    if (!(err instanceof EngramiaApiError)) throw err;
    if (err.status === 403 && err.role) {
      const role = asRole(err.role);
      if (role) return { role, candidates: [role], keyManagement: true, how: `GET /v1/keys answered 403 for role ${role}` };
    }
    if (err.status !== 503) throw err;
  }
  // Key management unavailable: the audit route runs RBAC before it looks for a database.
  try {
    await client.audit({ limit: 1 }, signal);
    return { candidates: ['admin', 'owner'], keyManagement: false, how: 'key management is unavailable on this server (503 on GET /v1/keys); GET /v1/audit answered, so admin or owner' };
  } catch (err) {
    if (!(err instanceof EngramiaApiError)) throw err;
    if (err.status === 403 && err.role) {
      const role = asRole(err.role);
      if (role) return { role, candidates: [role], keyManagement: false, how: `key management is unavailable on this server; GET /v1/audit answered 403 for role ${role}` };
    }
    if (err.status === 503) {
      return { candidates: ['admin', 'owner'], keyManagement: false, how: 'key management and the audit log are unavailable on this server (503 on both); the audit permission check passed, so admin or owner (env-key servers default to owner)' };
    }
    throw err;
  }
}

export function roleRank(role: EngramiaRole): number {
  return ROLE_ORDER.indexOf(role);
}
