/**
 * Probes about the stored patterns: `quota`, `backfill`, `store-size`, `learn-writeback`,
 * `live-traffic`. Only `learn-writeback` writes (one pattern with a unique task, deleted again at
 * the end); recall calls have the server's side effect of +1 reuse_count and +0.1 success_score
 * on the patterns they return. The counts leave out the patterns the runbook wrote itself.
 */
import { randomBytes } from 'node:crypto';
import { EngramiaApiError } from '../errors';
import { detectVersion } from '../detect';
import { numberParam, pct, type Probe } from './types';
import { plural } from '../../runbook/plural';

const RECALL_SIDE_EFFECT = 'Each recall adds +1 to reuse_count and +0.1 to success_score of the patterns it returns (the REST route has no read-only flag).';

/** The task prefix and source of the patterns smoke 3 writes (and deletes again). */
export const WRITEBACK_TASK_PREFIX = 'runbook write-back check';
export const WRITEBACK_SOURCE = 'runbook-check';
/** Recall pages looked at when counting the runbook's own patterns (50 a page). */
const OWN_PATTERN_PAGES = 20;

/**
 * How many stored patterns the runbook itself wrote (smoke 3 patterns whose delete was refused or
 * that an interrupted run left): recall filtered to source `runbook-check`, counting only tasks with
 * the write-back prefix. The data checks subtract them so that the runbook never counts itself.
 * `undefined` when the count could not be taken (it is then not subtracted, and the details say so).
 */
export async function countOwnPatterns(client: Parameters<Probe>[0]['client'], signal: AbortSignal): Promise<number | undefined> {
  let own = 0;
  try {
    for (let page = 0, offset = 0; page < OWN_PATTERN_PAGES; page++) {
      const r = await client.recall({ task: WRITEBACK_TASK_PREFIX, source: WRITEBACK_SOURCE, limit: 50, offset, deduplicate: false }, signal);
      own += r.matches.filter((m) => m.pattern.task.startsWith(WRITEBACK_TASK_PREFIX)).length;
      if (!r.has_more || r.matches.length === 0) return own;
      offset = r.next_offset ?? offset + r.matches.length;
    }
    return own;
  } catch (err) {
    if (signal.aborted) throw err;
    return undefined;
  }
}

function ownNote(own: number | undefined): string {
  if (own === undefined) return 'The patterns this runbook wrote itself (source `runbook-check`) could not be counted, so they are not subtracted.';
  return own ? `${plural(own, 'pattern')} written by this runbook's own write-back check (source \`runbook-check\`) ${own === 1 ? 'is' : 'are'} not counted.` : 'No pattern written by this runbook (source `runbook-check`) is in the store.';
}

/**
 * `backfill`: GET /v1/metrics pattern_count, less the patterns the runbook wrote itself, against
 * param `expectedPatterns` (the guide's "pattern_count ≥ the number you imported").
 */
export const backfillProbe: Probe = async ({ client, params, ctx }) => {
  const expected = numberParam(params, 'expectedPatterns');
  if (expected === undefined || expected < 0) return { verdict: 'error', reason: 'parameter expectedPatterns must be a number ≥ 0 (the patterns you expect after the backfill)', next: 'set the expectedPatterns input' };
  const m = await client.metrics(ctx.signal);
  const own = await countOwnPatterns(client, ctx.signal);
  const count = m.pattern_count - (own ?? 0);
  const data = { patternCount: m.pattern_count, ownPatterns: own, backfilled: count, expectedPatterns: expected };
  const line = `pattern_count ${count}${own ? ` (${m.pattern_count} less ${own} written by this runbook)` : ''}`;
  const details = `- \`GET /v1/metrics\` pattern_count (this key's project): ${m.pattern_count}\n- expected at least: ${expected}\n\n${ownNote(own)}`;
  if (count < expected) return { verdict: 'fail', reason: `${line} < ${expected}`, next: 'finish the backfill, or check that the key is in the project you imported into', details, data };
  return { verdict: 'pass', reason: `${line} ≥ ${expected}`, details, data };
};

/**
 * `quota`: GET /v1/billing/status → patterns_used against the project cap
 * floor(patterns_limit × factor) (param `factor`, default 0.8). null limit = unlimited → pass.
 * warn at ≥ 95 % of the cap (param `warnAt`), fail at ≥ 100 %.
 */
export const quotaProbe: Probe = async ({ client, params, ctx }) => {
  const factor = numberParam(params, 'factor', 0.8)!;
  const warnAt = numberParam(params, 'warnAt', 0.95)!;
  if (!(factor > 0 && factor <= 1)) return { verdict: 'error', reason: `factor must be in (0, 1] (got ${factor})`, next: 'set factor to ENGRAMIA_PROJECT_QUOTA_PCT of the server (default 0.8)' };
  const b = await client.billingStatus(ctx.signal);
  const data: Record<string, unknown> = { planTier: b.plan_tier, patternsUsed: b.patterns_used, patternsLimit: b.patterns_limit, factor };
  const note = 'The fields are patterns_used / patterns_limit (the guide\'s pattern_count_used / pattern_count_limit do not exist). patterns_used counts this key\'s project; patterns_limit is the tenant plan limit; writes are refused (429 QUOTA_EXCEEDED) once the project holds floor(patterns_limit × factor).';
  if (b.patterns_limit === null) {
    return { verdict: 'pass', reason: `plan ${b.plan_tier} has no pattern limit (patterns_used ${b.patterns_used})`, details: note, data };
  }
  const cap = Math.floor(b.patterns_limit * factor);
  const ratio = cap > 0 ? b.patterns_used / cap : Infinity;
  Object.assign(data, { cap, ratio });
  const line = `${b.patterns_used} of ${cap} patterns (${b.patterns_limit} × ${factor}, plan ${b.plan_tier}) = ${pct(ratio)} of the project cap`;
  const details = `- ${line}\n- warn at ${pct(warnAt)}, fail at 100 %\n\n${note}`;
  if (ratio >= 1) return { verdict: 'fail', reason: `project at its pattern cap: ${line}`, next: 'new learns get 429 QUOTA_EXCEEDED: delete low-score patterns or move to a larger plan', details, data };
  if (ratio >= warnAt) return { verdict: 'warn', reason: `project near its pattern cap: ${line}`, next: 'the import overshot: delete low-score patterns or upgrade the plan before live traffic adds more', details, data };
  return { verdict: 'pass', reason: line, details, data };
};

/**
 * `store-size`: GET /v1/metrics pattern_count against param `importedPairs`; warn when the
 * ratio is below `minRatio` (default 0.5): far fewer patterns than pairs means the import lost
 * data (the guide's "100k threads → 100 patterns").
 */
export const storeSizeProbe: Probe = async ({ client, params, ctx }) => {
  const pairs = numberParam(params, 'importedPairs');
  const minRatio = numberParam(params, 'minRatio', 0.5)!;
  if (pairs === undefined || pairs <= 0) return { verdict: 'error', reason: 'parameter importedPairs must be a positive number (the importer\'s pair count)', next: 'set the importedPairs input' };
  const m = await client.metrics(ctx.signal);
  const own = await countOwnPatterns(client, ctx.signal);
  const patternCount = m.pattern_count - (own ?? 0);
  let dedup: boolean | undefined;
  try {
    dedup = (await detectVersion(client, ctx.signal)).dedup;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
  }
  const ratio = patternCount / pairs;
  const data = { patternCount, ownPatterns: own, importedPairs: pairs, ratio, minRatio, dedup };
  const why = dedup === false
    ? 'This server does not deduplicate learns (before v0.7.0): every imported pair should be one pattern. A low count usually means the importer failed per pair — e.g. learn(..., on_duplicate=…) raises TypeError on 0.6.6 for every pair.'
    : 'From v0.7.0 a learn whose task is nearly identical (word-Jaccard ≥ 0.92) to a stored one is merged, so some shrinkage is normal; a very low ratio means the import, not dedup, lost data.';
  const line = `${patternCount} patterns for ${pairs} imported pairs (${pct(ratio)})`;
  const details = `- \`GET /v1/metrics\` pattern_count (this key's project): ${m.pattern_count}\n- imported pairs: ${pairs}\n- warn below ${pct(minRatio)}\n\n${ownNote(own)}\n\n${why}`;
  if (ratio < minRatio) {
    return { verdict: 'warn', reason: `implausibly small store: ${line}`, next: 'check the importer log for skipped pairs and that it wrote into the project of this key', details, data };
  }
  return { verdict: 'pass', reason: line, details, data };
};

/**
 * `learn-writeback` (smoke 3): pattern_count before and after a learn whose task carries a
 * fresh nonce. Param `smokeTask` (optional): also looks for a `source: api` pattern learned from
 * that prompt (what the agent hooks should have written back).
 */
export const learnWritebackProbe: Probe = async ({ client, params, ctx }) => {
  const facts = await detectVersion(client, ctx.signal).catch((err) => {
    if (ctx.signal.aborted) throw err;
    return undefined;
  });
  const nonce = randomBytes(6).toString('hex');
  const task = `${WRITEBACK_TASK_PREFIX} ${nonce}`;
  const before = (await client.metrics(ctx.signal)).pattern_count;
  let stored: boolean;
  try {
    stored = (await client.learn({ task, code: `# write-back check ${nonce}`, eval_score: 5, source: WRITEBACK_SOURCE }, ctx.signal)).stored;
  } catch (err) {
    if (err instanceof EngramiaApiError && err.status === 403) {
      return { verdict: 'fail', reason: `the key cannot learn: ${err.describe()}`, next: 'learning needs an editor (or higher) key: use the key your agent hooks use', data: { before } };
    }
    throw err;
  }
  const after = (await client.metrics(ctx.signal)).pattern_count;
  const delta = after - before;
  const data: Record<string, unknown> = { before, after, delta, stored, task, dedup: facts?.dedup, appVersion: facts?.appVersion };
  const why = facts?.dedup === false
    ? 'This server (before v0.7.0) inserts a pattern on every learn, so the count must grow by exactly one.'
    : 'From v0.7.0 the server merges a learn whose task is nearly identical to a stored one (stored:false, count unchanged) — re-running the same smoke prompt would not raise the count. The task here carries a fresh nonce, so it must be stored.';
  let details = `- learned task: \`${task}\` (source \`${WRITEBACK_SOURCE}\`, eval_score 5)\n- pattern_count ${before} → ${after} (Δ ${delta}), stored: ${stored}\n\n${why}`;
  let verdict: 'pass' | 'fail' | 'warn';
  let reason: string;
  let next: string | undefined;
  if (!stored || delta <= 0) {
    verdict = 'fail';
    reason = `pattern_count ${before} → ${after} after a learn with a unique task (stored: ${stored})`;
    next = 'the server did not store a new pattern: check the server logs, quota (smoke 5) and storage';
  } else if (delta === 1) {
    verdict = 'pass';
    reason = `pattern_count ${before} → ${after}: the learn with a unique task was stored`;
  } else {
    verdict = 'pass';
    reason = `pattern_count ${before} → ${after}: stored (other writes arrived at the same time)`;
  }
  const smokeTask = params.smokeTask?.trim();
  if (smokeTask && verdict === 'pass') {
    const r = await client.recall({ task: smokeTask, source: 'api', limit: 1 }, ctx.signal);
    const hit = r.matches.find((m) => m.reuse_tier === 'duplicate');
    data.smokeTaskHit = !!hit;
    details += `\n\n- smoke prompt recall (source api): ${hit ? `found (similarity ${hit.similarity})` : 'no duplicate-tier match'}. ${RECALL_SIDE_EFFECT}`;
    if (!hit) {
      verdict = 'warn';
      reason = `the server stores learns, but nothing was learned from the smoke prompt`;
      next = 'run smoke 1 first; if it ran, the hooks did not write back here: check Runner.run(..., hooks=…) and that the agent Memory uses the storage behind this server';
    }
  }
  // Leave no trace in production memory: delete the pattern this check learned.
  if (stored) {
    const cleanup = await deleteOwnPattern(client, task, ctx.signal);
    data.cleanup = cleanup.state;
    if (cleanup.key) data.patternKey = cleanup.key;
    details += `\n\n- ${cleanup.line}${cleanup.cause ? `: ${cleanup.cause}` : ''}`;
    if (cleanup.state !== 'deleted' && verdict === 'pass') verdict = 'warn';
    if (cleanup.state !== 'deleted') {
      reason = `${reason}; ${cleanup.line}`;
      next = next ? `${next}; ${cleanup.next}` : cleanup.next;
    } else {
      reason = `${reason}; the check's own pattern was deleted again`;
    }
  }
  return { verdict, reason, next, details, data };
};

/** Finds the check's own pattern by its nonce task and deletes it (DELETE /v1/patterns/{key}). */
async function deleteOwnPattern(client: Parameters<Probe>[0]['client'], task: string, signal: AbortSignal): Promise<{ state: 'deleted' | 'not-found' | 'refused'; key?: string; line: string; cause?: string; next?: string }> {
  let key: string | undefined;
  try {
    const r = await client.recall({ task, source: WRITEBACK_SOURCE, limit: 3, deduplicate: false }, signal);
    key = r.matches.find((m) => m.pattern.task === task)?.pattern_key;
  } catch (err) {
    if (signal.aborted) throw err;
  }
  if (!key) {
    return { state: 'not-found', line: `the check could not find its own pattern to delete it (task \`${task}\`)`, next: `delete the pattern whose task is "${task}" by hand (source ${WRITEBACK_SOURCE})` };
  }
  try {
    const d = await client.deletePattern(key, signal);
    if (d.deleted) return { state: 'deleted', key, line: `the check's pattern \`${key}\` was deleted again (\`DELETE /v1/patterns/${key}\`): nothing is left in the store` };
    return { state: 'not-found', key, line: `the server found no pattern \`${key}\` to delete`, next: `check that pattern ${key} is gone (DELETE /v1/patterns/${key} with an admin key)` };
  } catch (err) {
    if (signal.aborted) throw err;
    const cause = err instanceof EngramiaApiError ? err.describe() : err instanceof Error ? err.message : String(err);
    return { state: 'refused', key, line: `the check's pattern ${key} could not be deleted`, cause, next: `delete pattern ${key} by hand: DELETE /v1/patterns/${key} with an admin key (an editor may delete only patterns its own key wrote)` };
  }
}

/**
 * `live-traffic` (smoke 4): is live traffic (source api) reaching Engramia? With param
 * `liveTask`: POST /v1/recall filtered to source "api". Without: GET /v1/export (admin) and count
 * design.source == "api". The audit log has no learn events, so it cannot answer this.
 */
export const liveTrafficProbe: Probe = async ({ client, params, ctx }) => {
  const liveTask = params.liveTask?.trim();
  const auditNote = 'The audit log records no learn events (and no cutover action), so it cannot show live traffic; `source` is stored on each pattern.';
  if (liveTask) {
    const r = await client.recall({ task: liveTask, source: 'api', limit: 3 }, ctx.signal);
    const close = r.matches.filter((m) => m.reuse_tier !== 'fresh');
    const best = close[0];
    const data = { liveTask, apiMatches: r.matches.length, closeMatches: close.length, bestSimilarity: best?.similarity, bestTier: best?.reuse_tier };
    const details = `- \`POST /v1/recall\` {task: live prompt, source: "api", limit: 3} → ${r.matches.length} match(es), ${close.length} duplicate/adapt\n\n${auditNote} ${RECALL_SIDE_EFFECT}`;
    if (best) return { verdict: 'pass', reason: `a pattern learned from live traffic matches the prompt (${best.reuse_tier}, similarity ${best.similarity})`, details, data };
    if (r.matches.length) {
      return { verdict: 'warn', reason: 'patterns with source api exist, but none is close to this prompt', next: 'use a prompt a real user sent after the flip, or check that the hooks learn it', details, data };
    }
    return { verdict: 'fail', reason: 'no pattern with source api matches the live prompt: live traffic is not reaching Engramia', next: 'check the flag, that EngramiaRunHooks are passed to Runner.run, and that they use this server\'s storage', details, data };
  }
  try {
    const e = await client.export(ctx.signal);
    const api = e.records.filter((r) => r.data.design.source === 'api');
    const imported = e.records.filter((r) => r.data.design.source === 'import').length;
    const newest = Math.max(0, ...api.map((r) => r.data.timestamp ?? 0));
    const data = { apiPatterns: api.length, importPatterns: imported, total: e.count, newestApiTimestamp: newest ? new Date(newest * 1000).toISOString() : undefined };
    const details = `- \`GET /v1/export\`: ${plural(api.length, 'pattern')} with source api, ${imported} with source import, ${e.count} in all${newest ? `; newest api pattern at ${data.newestApiTimestamp}` : ''}\n\n${auditNote}`;
    if (api.length) return { verdict: 'pass', reason: `${plural(api.length, 'pattern')} learned from live traffic (source api), newest ${data.newestApiTimestamp}`, details, data };
    return { verdict: 'fail', reason: `all ${e.count} patterns have source ${imported === e.count ? 'import' : 'other than api'}: no live traffic reaches Engramia`, next: 'check the flag and that EngramiaRunHooks are passed to Runner.run', details, data };
  } catch (err) {
    if (err instanceof EngramiaApiError && err.status === 403) {
      return { verdict: 'warn', reason: `cannot tell without a live prompt: ${err.describe()}`, next: 'set the liveTask input to a prompt a real user sent after the flip (any role can recall), or use an admin key', details: auditNote };
    }
    throw err;
  }
};
