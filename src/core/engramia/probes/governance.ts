/**
 * Governance probes: `retention-dry-run` (the server's only dry run) and `delete-project`
 * (DESTRUCTIVE: preview, typed confirmation, one DELETE, never retried).
 */
import { keyPrefix } from '../client';
import { detectRole, roleRank, type RoleFacts } from '../detect';
import { EngramiaApiError, EngramiaNetworkError, describeError } from '../errors';
import type { Probe } from './types';
import { untilAborted } from '../../checks/abort';
import { plural } from '../../runbook/plural';

/** `retention-dry-run`: POST /v1/governance/retention/apply {dry_run: true}. */
export const retentionDryRunProbe: Probe = async ({ client, ctx }) => {
  try {
    const r = await client.retentionApply({ dryRun: true }, ctx.signal);
    const note = 'This is the only delete operation with a server-side dry run. It previews the retention policy, not a project deletion.';
    if ('job_id' in r) return { verdict: 'pass', reason: `retention dry run queued as job ${r.job_id}`, details: note, data: { jobId: r.job_id } };
    if (!r.dry_run) return { verdict: 'fail', reason: 'the server reports dry_run false for a dry-run request', next: 'stop: check the server version before using retention', data: { ...r } };
    return { verdict: 'pass', reason: `retention would purge ${plural(r.purged_count, 'pattern')} (dry run: nothing deleted)`, details: note, data: { purgedCount: r.purged_count } };
  } catch (err) {
    if (err instanceof EngramiaApiError && err.status === 403) {
      return { verdict: 'fail', reason: err.describe(), next: 'the retention dry run needs an admin key (permission governance:admin)' };
    }
    throw err;
  }
};

/**
 * `delete-project`: DELETE /v1/governance/projects/{project}. Builds a preview (patterns, jobs,
 * the keys that will be revoked including the caller's), asks the operator to type the project id
 * exactly, then sends the DELETE once. Param `project` (required).
 */
export const deleteProjectProbe: Probe = async ({ client, apiKey, params, ctx }) => {
  const project = params.project?.trim();
  if (!project) return { verdict: 'error', reason: 'parameter project is empty: nothing to delete', next: 'set the projectId input to the project to purge (the scope check shows it)' };
  let role: RoleFacts | undefined;
  try {
    role = await detectRole(client, apiKey, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
  }
  const data: Record<string, unknown> = { project, destructive: true, sent: false };
  if (role?.role && roleRank(role.role) < roleRank('admin')) {
    return { verdict: 'fail', reason: `role ${role.role} cannot delete a project; nothing was sent`, next: `use an admin key of project ${project}, or an owner key`, data };
  }
  if (role?.role === 'admin' && role.projectId && role.projectId !== project) {
    return { verdict: 'fail', reason: `an admin of ${role.projectId} cannot delete ${project}; nothing was sent`, next: `use an admin key of ${project}, or an owner key`, data };
  }
  const own = !role?.projectId || role.projectId === project;
  // Preview (engramia-api.md §7.11): patterns, jobs, keys to be revoked.
  const lines: string[] = [`DELETE ${client.baseUrl}/v1/governance/projects/${project}`, 'This cannot be undone. It will:'];
  if (own) {
    try {
      const m = await client.metrics(ctx.signal);
      data.patternCount = m.pattern_count;
      lines.push(`- delete ${plural(m.pattern_count, 'pattern')} and their embeddings`);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      lines.push(`- delete every pattern of the project (count unavailable: ${describeError(err).cause})`);
    }
    try {
      const j = await client.jobs({}, ctx.signal);
      data.jobCount = j.jobs.length;
      lines.push(`- delete ${plural(j.jobs.length, 'job')}`);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      lines.push('- delete the jobs of the project');
    }
  } else {
    lines.push('- delete every pattern and job of that project (counts are not visible to a key of another project)');
  }
  if (own && role?.keyManagement !== false) {
    try {
      const k = await client.listKeys(ctx.signal);
      const active = k.keys.filter((x) => x.project_id === project && !x.revoked_at);
      const mine = keyPrefix(apiKey);
      data.keysToRevoke = active.length;
      lines.push(`- revoke ${plural(active.length, 'API key')} of the project:`);
      for (const x of active) lines.push(`    ${x.key_prefix}  ${x.role.padEnd(6)}  ${x.name}${x.key_prefix === mine ? '   ← the key this runbook uses' : ''}`);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      lines.push('- revoke every API key of the project, including the one this runbook uses');
    }
  } else {
    lines.push('- revoke every API key of the project, including the one this runbook uses');
  }
  lines.push('Afterwards this key gets 401; re-importing needs new keys issued by an owner (or out of band).');
  lines.push(`Type the project id "${project}" to confirm.`);
  const preview = lines.join('\n');
  const details = '```\n' + preview + '\n```';
  // An unanswered prompt must not outlive the check's timeout or a cancel (nothing is sent then).
  const confirmed = await untilAborted(ctx.ui.typedConfirmation(preview, project), ctx.signal);
  if (!confirmed) {
    return { verdict: 'skipped', reason: 'not confirmed: nothing was sent', next: `type the project id exactly ("${project}") to delete it`, details, data };
  }
  data.sent = true;
  try {
    // Deleting a large project can take a while: allow up to a minute (within the check's timeout).
    const r = await client.deleteProject(project, ctx.signal, Math.min(60_000, ctx.timeoutMs));
    Object.assign(data, { result: r });
    let keyState = '';
    try {
      await client.health(ctx.signal);
      keyState = 'the key still answers (servers before 0.7.0 keep revoked keys for up to 60 s in their auth cache); it will stop working shortly';
    } catch (err) {
      if (err instanceof EngramiaApiError && err.status === 401) keyState = 'confirmed: this key now gets 401';
      else keyState = `key state unknown (${describeError(err).cause})`;
    }
    data.keyState = keyState;
    return {
      verdict: 'pass',
      reason: `deleted project ${r.tenant_id}/${r.project_id}: patterns_deleted ${r.patterns_deleted} (stored records of every kind, not only patterns), ${plural(r.jobs_deleted, 'job')}, ${plural(r.keys_revoked, 'key')} revoked — this API key no longer works`,
      next: 'the API key in use no longer works: issue new keys before re-importing',
      details: `${details}\n\nResult: \`${JSON.stringify(r)}\`\n\n\`patterns_deleted\` is the number of records the server removed from the project's storage (every stored record of the project, not only its patterns), so it is not a pattern count.\n\n${keyState}.`,
      data,
    };
  } catch (err) {
    // Never retried, whatever happened.
    if (err instanceof EngramiaApiError && err.status >= 500) {
      return {
        verdict: 'fail',
        reason: `${err.describe()} — the delete is not transactional: patterns may already be gone while the keys are still active`,
        next: 'do not re-run blindly: check GET /v1/health pattern_count and GET /v1/keys, then decide',
        details, data,
      };
    }
    if (err instanceof EngramiaApiError) return { verdict: 'fail', reason: err.describe(), next: err.next(), details, data };
    const cause = err instanceof EngramiaNetworkError ? err.describe() : ctx.signal.aborted ? 'the check was cancelled or timed out while the DELETE was in flight' : describeError(err).cause;
    return {
      verdict: 'error',
      reason: `outcome unknown: ${cause}; the DELETE was sent once and is not retried`,
      next: 'check GET /v1/health (401 means the project was deleted) before doing anything else',
      details, data,
    };
  }
};
