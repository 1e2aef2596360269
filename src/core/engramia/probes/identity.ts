/**
 * Probes about the server and the key: `version`, `role`, `scope`. All side-effect free.
 */
import { booleanAttribute } from '../../checks/registry';
import { EngramiaApiError } from '../errors';
import { compareSemver, detectRole, detectVersion, parseSemver, roleRank, type RoleFacts } from '../detect';
import { ROLE_ORDER, type EngramiaRole } from '../schemas';
import type { Probe } from './types';

export const ROLE_GUIDANCE = 'one editor key for learning; user-facing services reader only; POST /v1/import and GET /v1/export need admin';
export const SCOPE_VARS_NOTE = 'ENGRAMIA_TENANT_ID and ENGRAMIA_PROJECT_ID have no effect: the scope is the project the API key was created in';

/** `version`: GET /v1/version; `0.0.0+dev` → unknown, with the §10 fallback signals. Param `min`: lowest acceptable release. */
export const versionProbe: Probe = async ({ client, params, ctx }) => {
  const facts = await detectVersion(client, ctx.signal);
  const behaviour = facts.dedup === true
    ? 'learn merges near-identical tasks (v0.7.0+), so smoke 3 needs a unique task'
    : facts.dedup === false
      ? 'every learn inserts a pattern (no dedup before v0.7.0)'
      : 'learn dedup behaviour unknown';
  const data = { appVersion: facts.appVersion, versionLine: facts.line, dedup: facts.dedup, how: facts.how };
  const details = `- \`GET /v1/version\` → \`app_version\`: \`${facts.appVersion}\`\n- line: ${facts.line} (${facts.how})\n- ${behaviour}\n\nThis is the **server**; \`pip show engramia\` on your hosts reports the Python package, which the local check covers.`;
  if (facts.fromSource) {
    return {
      verdict: 'warn',
      reason: `version unknown (server runs from source, app_version ${facts.appVersion}); ${facts.how}`,
      next: 'ask the operator which commit the server runs; until then treat it as ' + (facts.line === 'unknown' ? 'unknown' : facts.line),
      details, data,
    };
  }
  const min = params.min?.trim();
  const semMin = min ? parseSemver(min) : undefined;
  const sem = parseSemver(facts.appVersion);
  if (semMin && sem && compareSemver(sem, semMin) < 0) {
    return { verdict: 'fail', reason: `server ${facts.appVersion} is older than ${min}`, next: `upgrade the Engramia server to ${min} or newer`, details, data };
  }
  return { verdict: 'pass', reason: `server ${facts.appVersion}: ${behaviour}`, details, data };
};

function describeRole(f: RoleFacts): string {
  return f.role ?? f.candidates.join(' or ');
}

/**
 * `role`: the side-effect-free recipe (§4). Param `expect=<role>` passes when the key's role is
 * **at least** that role (roles nest); with `exact=true` it must be exactly that role.
 * When the evidence allows two roles (admin or owner) and they disagree with the expectation → warn.
 */
export const roleProbe: Probe = async ({ client, apiKey, params, ctx }) => {
  const facts = await detectRole(client, apiKey, ctx.signal);
  const expectRaw = params.expect?.trim();
  const exactParsed = booleanAttribute.safeParse(params.exact ?? 'false');
  const exact = exactParsed.success ? exactParsed.data : false;
  const data: Record<string, unknown> = { role: facts.role, candidates: facts.candidates, keyManagement: facts.keyManagement, how: facts.how };
  if (facts.tenantId) data.tenantId = facts.tenantId;
  if (facts.projectId) data.projectId = facts.projectId;
  const details = [
    `- evidence: ${facts.how}`,
    `- role: **${describeRole(facts)}**`,
    facts.projectId ? `- scope: \`${facts.tenantId}/${facts.projectId}\`` : '',
    !facts.keyManagement ? '- key management is unavailable on this server (env-configured keys, or DB auth that did not start): every key there shares one role and the scope default/default' : '',
    `- guidance: ${ROLE_GUIDANCE}`,
  ].filter(Boolean).join('\n');
  const base = `role ${describeRole(facts)}`;
  if (!expectRaw) return { verdict: 'pass', reason: `${base} (${facts.how})`, details, data };
  const expected = ROLE_ORDER.find((r) => r === expectRaw) as EngramiaRole | undefined;
  if (!expected) return { verdict: 'error', reason: `expect must be one of ${ROLE_ORDER.join(', ')} (got "${expectRaw}")`, next: 'fix the expect attribute' };
  data.expected = expected;
  data.exact = exact;
  const ok = facts.candidates.map((r) => (exact ? r === expected : roleRank(r) >= roleRank(expected)));
  const want = exact ? `exactly ${expected}` : `at least ${expected}`;
  if (ok.every(Boolean)) return { verdict: 'pass', reason: `${base}, ${want} as expected`, details, data };
  if (ok.some(Boolean)) {
    return { verdict: 'warn', reason: `${base}: cannot tell whether it is ${want} (${facts.how})`, next: 'check the key in the Engramia dashboard or with an owner key', details, data };
  }
  const next = roleRank(facts.candidates[0]!) < roleRank(expected)
    ? `use a key with role ${expected}${expected === 'editor' ? ' for learning' : ''} (${ROLE_GUIDANCE})`
    : `this key has more rights than needed: give the service a ${expected} key`;
  return { verdict: 'fail', reason: `${base}, expected ${want}`, next, details, data };
};

/**
 * `scope`: the key's tenant/project from GET /v1/keys (admin) or GET /v1/governance/retention
 * (admin). Readers and editors cannot see it → warn. Param `project`: expected project id.
 */
export const scopeProbe: Probe = async ({ client, apiKey, params, ctx }) => {
  const expected = params.project?.trim() || undefined;
  let tenant: string | undefined;
  let project: string | undefined;
  let how = '';
  let role: RoleFacts | undefined;
  try {
    role = await detectRole(client, apiKey, ctx.signal);
    if (role.projectId) {
      tenant = role.tenantId;
      project = role.projectId;
      how = 'GET /v1/keys entry of this key';
    }
  } catch (err) {
    if (!(err instanceof EngramiaApiError)) throw err;
  }
  if (!project && (!role || role.candidates.some((r) => roleRank(r) >= roleRank('admin')))) {
    try {
      const r = await client.retention(ctx.signal);
      tenant = r.tenant_id;
      project = r.project_id;
      how = 'GET /v1/governance/retention';
    } catch (err) {
      if (!(err instanceof EngramiaApiError) || (err.status !== 403 && err.status !== 503)) throw err;
    }
  }
  let patternCount: number | undefined;
  try {
    patternCount = (await client.health(ctx.signal)).pattern_count;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
  }
  const data: Record<string, unknown> = { tenantId: tenant, projectId: project, expectedProject: expected, patternCount, role: role?.role ?? role?.candidates };
  const details = [
    project ? `- scope: \`${tenant}/${project}\` (from ${how})` : '- scope: not visible to this key',
    patternCount !== undefined ? `- \`GET /v1/health\` pattern_count of this scope: ${patternCount}` : '',
    `- ${SCOPE_VARS_NOTE}`,
  ].filter(Boolean).join('\n');
  if (!project) {
    return {
      verdict: 'warn',
      reason: `the scope is not visible to a ${role ? describeRole(role) : 'non-admin'} key (only admin keys can read tenant/project ids); ${SCOPE_VARS_NOTE}`,
      next: 'run this check once with an admin key of the same project, or ask an admin to look the key up in GET /v1/keys',
      details, data,
    };
  }
  if (expected && expected !== project) {
    return {
      verdict: 'fail',
      reason: `the key belongs to ${tenant}/${project}, not ${expected}; ${SCOPE_VARS_NOTE}`,
      next: `create the service's key in project ${expected} (an admin of that project issues it)`,
      details, data,
    };
  }
  return { verdict: 'pass', reason: `the key's scope is ${tenant}/${project}${expected ? ' as expected' : ''}; ${SCOPE_VARS_NOTE}`, details, data };
};
