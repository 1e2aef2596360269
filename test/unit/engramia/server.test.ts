/**
 * The Engramia contract server answers like engramia-api.md says (§5.6, §7.14, §10).
 */
import assert from 'node:assert/strict';
import { describe, test, after } from 'node:test';
import type { EngramiaServer } from '../../servers/engramia/server';
import { closeContractServers, startContractServer } from '../../support/contractServer';

import { assertNoSecret } from '../../support/secrets';

after(closeContractServers);

async function call(s: EngramiaServer, method: string, path: string, key?: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(s.url + path, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

describe('Engramia contract server', () => {
  test('keys have the real format and /v1/version needs no key', async () => {
    const s = await startContractServer({ version: 'main' });
    for (const k of Object.values(s.keys)) assert.match(k, /^engramia_sk_[A-Za-z0-9_-]{43}$/);
    const v = await call(s, 'GET', '/v1/version');
    assert.equal(v.status, 200);
    assert.deepEqual(v.json, { app_version: '0.0.0+dev', api_version: 'v1', git_commit: 'unknown', build_time: 'unknown' });
    const old = await startContractServer({ version: '0.6.6' });
    assert.equal((await call(old, 'GET', '/v1/version')).json.app_version, '0.6.6');
  });

  test('401 texts: missing header vs invalid key', async () => {
    const s = await startContractServer();
    assert.deepEqual((await call(s, 'GET', '/v1/health')).json, { error_code: 'UNAUTHORIZED', detail: 'Missing or malformed Authorization header. Expected: Bearer <key>' });
    const bad = await call(s, 'GET', '/v1/health', 'eng_abc');
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.json, { error_code: 'UNAUTHORIZED', detail: 'Invalid API key.' });
    const basic = await call(s, 'GET', '/v1/health', undefined, undefined, { authorization: 'Basic abc' });
    assert.equal(basic.json.detail, 'Missing or malformed Authorization header. Expected: Bearer <key>');
  });

  test('403 messages name role and permission (§5.6)', async () => {
    const s = await startContractServer();
    const learn = await call(s, 'POST', '/v1/learn', s.keys.reader, { task: 't', code: 'c', eval_score: 5 });
    assert.equal(learn.status, 403);
    assert.deepEqual(learn.json, { error_code: 'FORBIDDEN', detail: "Role 'reader' does not have permission 'learn'." });
    assert.equal((await call(s, 'GET', '/v1/keys', s.keys.editor)).json.detail, "Role 'editor' does not have permission 'keys:list'.");
    assert.equal((await call(s, 'POST', '/v1/import', s.keys.editor, { records: [] })).json.detail, "Role 'editor' does not have permission 'import'.");
    const cross = await call(s, 'DELETE', '/v1/governance/projects/p_main', s.keys.otherAdmin);
    assert.equal(cross.status, 403);
    assert.equal(cross.json.detail, "Role 'admin' may only delete its own project. Cross-project deletion requires the 'owner' role.");
  });

  test('routing errors have bare bodies (§5.2)', async () => {
    const s = await startContractServer();
    const getRecall = await call(s, 'GET', '/v1/recall?task=x&limit=3', s.keys.admin);
    assert.equal(getRecall.status, 405);
    assert.deepEqual(getRecall.json, { detail: 'Method Not Allowed' });
    assert.deepEqual((await call(s, 'GET', '/v1/keys/me', s.keys.admin)).json, { detail: 'Method Not Allowed' });
    const delScope = await call(s, 'POST', '/v1/governance/delete-scope?dry_run=true', s.keys.admin);
    assert.equal(delScope.status, 404);
    assert.deepEqual(delScope.json, { detail: 'Not Found' });
    const job = await call(s, 'GET', '/v1/jobs/nope', s.keys.admin);
    assert.deepEqual(job.json, { error_code: 'NOT_FOUND', detail: 'Job not found.' });
  });

  test('env auth mode: keys 503 STORAGE_ERROR, audit 503 for owner and 403 for reader', async () => {
    const s = await startContractServer({ authMode: 'env' });
    const keys = await call(s, 'GET', '/v1/keys', s.keys.owner);
    assert.equal(keys.status, 503);
    assert.deepEqual(keys.json, { error_code: 'STORAGE_ERROR', detail: 'Key management requires DB auth mode (ENGRAMIA_DATABASE_URL must be configured).' });
    const audit = await call(s, 'GET', '/v1/audit?limit=1', s.keys.owner);
    assert.equal(audit.status, 503);
    assert.equal(audit.json.error_code, 'SERVICE_UNAVAILABLE');
    const r = await startContractServer({ authMode: 'env', envRole: 'reader' });
    const a2 = await call(r, 'GET', '/v1/audit?limit=1', r.keys.owner);
    assert.equal(a2.status, 403);
    assert.equal(a2.json.detail, "Role 'reader' does not have permission 'audit:read'.");
    assert.deepEqual((await call(r, 'GET', '/v1/governance/retention', r.keys.owner)).json.detail, "Role 'reader' does not have permission 'governance:read'.");
    const o = await call(s, 'GET', '/v1/governance/retention', s.keys.owner);
    assert.deepEqual(o.json, { tenant_id: 'default', project_id: 'default', retention_days: 365, source: 'default' });
  });

  test('db mode: GET /v1/keys lists the caller project with prefixes, never secrets', async () => {
    const s = await startContractServer();
    const r = await call(s, 'GET', '/v1/keys', s.keys.admin);
    assert.equal(r.status, 200);
    assert.equal(r.json.keys.length, 4);
    assert.ok(r.json.keys.some((k: any) => k.key_prefix === s.keys.admin.slice(0, 20) + '...' && k.role === 'admin' && k.project_id === 'p_main'));
    assertNoSecret(r.text, s.keys.admin, 'GET /v1/keys');
    assert.ok(r.json.keys.every((k: any) => k.last_used_at === null));
  });

  test('learn: dedup from 0.7.0, every learn inserts on 0.6.6 (§7.5)', async () => {
    for (const version of ['main', '0.7.0'] as const) {
      const s = await startContractServer({ version, patterns: [] });
      assert.deepEqual((await call(s, 'POST', '/v1/learn', s.keys.editor, { task: 'Build a CSV parser', code: 'import csv', eval_score: 5, source: 'import' })).json, { stored: true, pattern_count: 1 });
      assert.deepEqual((await call(s, 'POST', '/v1/learn', s.keys.editor, { task: 'Hello, are you there?', code: 'yes', eval_score: 7 })).json, { stored: true, pattern_count: 2 });
      assert.deepEqual((await call(s, 'POST', '/v1/learn', s.keys.editor, { task: 'Build a CSV parser', code: 'import csv', eval_score: 5 })).json, { stored: false, pattern_count: 2 });
      // A better score replaces the near-duplicate without growing the count.
      assert.deepEqual((await call(s, 'POST', '/v1/learn', s.keys.editor, { task: 'build a csv parser', code: 'v2', eval_score: 9 })).json, { stored: true, pattern_count: 2 });
      const m = await call(s, 'GET', '/v1/metrics', s.keys.reader);
      assert.equal(m.json.pattern_count, 2);
      assert.equal(m.json.runs, 3);
    }
    const old = await startContractServer({ version: '0.6.6', patterns: [] });
    await call(old, 'POST', '/v1/learn', old.keys.editor, { task: 'Build a CSV parser', code: 'import csv', eval_score: 5 });
    await call(old, 'POST', '/v1/learn', old.keys.editor, { task: 'Hello, are you there?', code: 'yes', eval_score: 7 });
    assert.deepEqual((await call(old, 'POST', '/v1/learn', old.keys.editor, { task: 'Build a CSV parser', code: 'import csv', eval_score: 5 })).json, { stored: true, pattern_count: 3 });
  });

  test('recall: tiers, fresh matches returned, side effect, source filter (§7.6)', async () => {
    const s = await startContractServer();
    const r = await call(s, 'POST', '/v1/recall', s.keys.reader, { task: 'Build a CSV parser', limit: 3 });
    assert.equal(r.status, 200);
    assert.equal(r.json.matches[0].reuse_tier, 'duplicate');
    assert.equal(r.json.matches[0].similarity, 1);
    assert.equal(r.json.matches[0].pattern.success_score, 5);
    assert.ok(r.json.matches.some((m: any) => m.reuse_tier === 'fresh'), 'fresh matches are returned too');
    assert.equal(r.json.has_more, false);
    assert.equal(r.json.next_offset, null);
    const ex = await call(s, 'GET', '/v1/export', s.keys.admin);
    const csv = ex.json.records.find((x: any) => x.data.task === 'Build a CSV parser');
    assert.equal(csv.data.success_score, 5.1);
    assert.equal(csv.data.reuse_count, 1);
    const api = await call(s, 'POST', '/v1/recall', s.keys.reader, { task: 'Hello, are you there?', source: 'api' });
    assert.deepEqual(api.json.matches.map((m: any) => [m.pattern.task, m.reuse_tier]), [['Hello, are you there?', 'duplicate']]);
    const paged = await call(s, 'POST', '/v1/recall', s.keys.reader, { task: 'a the of list parser', limit: 1 });
    assert.equal(paged.json.matches.length, 1);
    assert.equal(paged.json.has_more, true);
    assert.equal(paged.json.next_offset, 1);
  });

  test('422 body shape by version (§5.3)', async () => {
    const main = await startContractServer({ version: 'main' });
    const a = await call(main, 'POST', '/v1/recall', main.keys.reader, {});
    assert.equal(a.status, 422);
    assert.deepEqual(a.json, { error_code: 'VALIDATION_ERROR', detail: 'Request validation failed.', issues: [{ loc: ['body', 'task'], msg: 'Field required', type: 'missing' }] });
    for (const version of ['0.6.6', '0.7.0'] as const) {
      const s = await startContractServer({ version });
      const b = await call(s, 'POST', '/v1/recall', s.keys.reader, {});
      assert.equal(b.status, 422);
      assert.equal(b.json.error_code, undefined);
      assert.ok(Array.isArray(b.json.detail));
      assert.deepEqual(b.json.detail[0].loc, ['body', 'task']);
    }
  });

  test('billing status by version (§7.10)', async () => {
    const main = await startContractServer({ version: 'main' });
    const a = (await call(main, 'GET', '/v1/billing/status', main.keys.reader)).json;
    assert.equal(a.plan_tier, 'developer');
    assert.equal(a.patterns_limit, 10_000);
    assert.equal(a.patterns_used, 5);
    assert.equal(a.cancel_at_period_end, false);
    assert.equal(a.pattern_count_used, undefined);
    const old = await startContractServer({ version: '0.6.6' });
    const b = (await call(old, 'GET', '/v1/billing/status', old.keys.reader)).json;
    assert.equal(b.plan_tier, 'sandbox');
    assert.equal(b.patterns_limit, 5000);
    assert.ok(!('cancel_at_period_end' in b));
  });

  test('rate limit: 429 RATE_LIMITED with Retry-After 60 and error_context (§6)', async () => {
    const s = await startContractServer({ rateLimitPerMinute: 2 });
    await call(s, 'GET', '/v1/metrics', s.keys.reader);
    await call(s, 'GET', '/v1/metrics', s.keys.reader);
    const r = await call(s, 'GET', '/v1/metrics', s.keys.reader);
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '60');
    assert.deepEqual(r.json, { error_code: 'RATE_LIMITED', detail: 'Rate limit exceeded. Max 2 requests per minute.', error_context: { retry_after: 60 } });
    // Per path: another path still answers.
    assert.equal((await call(s, 'GET', '/v1/health', s.keys.reader)).status, 200);
  });

  test('project quota: 429 QUOTA_EXCEEDED with current/limit (§8)', async () => {
    const s = await startContractServer({ patternsLimit: 5 }); // cap floor(5 × 0.8) = 4, 5 seeded
    const r = await call(s, 'POST', '/v1/learn', s.keys.editor, { task: 'new one', code: 'x', eval_score: 5 });
    assert.equal(r.status, 429);
    assert.equal(r.json.error_code, 'QUOTA_EXCEEDED');
    assert.deepEqual(r.json.error_context, { current: 5, limit: 4 });
    assert.match(r.json.detail, /^Project pattern quota reached \(4 patterns/);
  });

  test('maintenance: 503 with Retry-After 3600 except health', async () => {
    const s = await startContractServer();
    s.setMaintenance(true);
    const m = await call(s, 'GET', '/v1/metrics', s.keys.reader);
    assert.equal(m.status, 503);
    assert.equal(m.headers.get('retry-after'), '3600');
    assert.deepEqual(m.json, { error_code: 'SERVICE_UNAVAILABLE', detail: 'Service is under scheduled maintenance. Please try again later.', error_context: { retry_after: 3600 } });
    assert.equal((await call(s, 'GET', '/v1/health', s.keys.reader)).status, 200);
    assert.equal((await call(s, 'GET', '/v1/health/deep', s.keys.reader)).status, 200);
    assert.equal((await call(s, 'GET', '/v1/version')).status, 503);
  });

  test('delete project revokes every key of the project at once (main), after ≤60 s on 0.6.6 (§7.11)', async () => {
    const s = await startContractServer({ version: 'main' });
    const r = await call(s, 'DELETE', '/v1/governance/projects/p_main', s.keys.admin);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { tenant_id: 't_acme', project_id: 'p_main', patterns_deleted: 5, jobs_deleted: 1, keys_revoked: 4, projects_deleted: 0 });
    assert.deepEqual((await call(s, 'GET', '/v1/health', s.keys.admin)).json, { error_code: 'UNAUTHORIZED', detail: 'Invalid API key.' });
    assert.equal((await call(s, 'GET', '/v1/health', s.keys.reader)).status, 401);
    assert.equal((await call(s, 'GET', '/v1/health', s.keys.otherAdmin)).status, 200, 'other projects keep their keys');
    const old = await startContractServer({ version: '0.6.6' });
    assert.equal((await call(old, 'DELETE', '/v1/governance/projects/p_main', old.keys.admin)).status, 200);
    const h = await call(old, 'GET', '/v1/health', old.keys.admin);
    assert.equal(h.status, 200, 'auth cache keeps the revoked key for a while on 0.6.6');
    assert.equal(h.json.pattern_count, 0);
  });

  test('owner may delete another project; failing delete is not transactional and answers plain text', async () => {
    const s = await startContractServer();
    const r = await call(s, 'DELETE', '/v1/governance/projects/p_other', s.keys.owner);
    assert.equal(r.json.project_id, 'p_other');
    assert.equal(r.json.keys_revoked, 1);
    const f = await startContractServer({ failDeleteProject: true });
    const e = await call(f, 'DELETE', '/v1/governance/projects/p_main', f.keys.admin);
    assert.equal(e.status, 500);
    assert.equal(e.text, 'Internal Server Error');
    assert.equal(f.patterns().length, 0, 'patterns already gone');
    assert.equal((await call(f, 'GET', '/v1/health', f.keys.admin)).status, 200, 'keys not revoked');
  });

  test('audit: no learn events; bulk_import only from 0.7.0 (§7.9)', async () => {
    for (const version of ['0.6.6', '0.7.0', 'main'] as const) {
      const s = await startContractServer({ version });
      await call(s, 'POST', '/v1/learn', s.keys.editor, { task: 'live prompt', code: 'x', eval_score: 7 });
      const imp = await call(s, 'POST', '/v1/import', s.keys.admin, { records: [{ version: 1, key: 'patterns/x1', data: { task: 'imported', design: { code: 'c', source: 'import' } } }] });
      assert.deepEqual(imp.json, { imported: 1, total: 1 });
      const learn = await call(s, 'GET', '/v1/audit?action=learn', s.keys.admin);
      assert.deepEqual(learn.json, { events: [], total: 0 });
      const bulk = await call(s, 'GET', '/v1/audit?action=bulk_import', s.keys.admin);
      assert.equal(bulk.json.total, version === '0.6.6' ? 0 : 1);
      const all = await call(s, 'GET', '/v1/audit?limit=50', s.keys.admin);
      assert.ok(all.json.events.every((e: any) => e.action !== 'learn' && e.action !== 'cutover'));
      assert.match(all.json.events[0].timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00$/);
    }
  });

  test('import is async with Prefer: respond-async; jobs list and get', async () => {
    const s = await startContractServer();
    const r = await call(s, 'POST', '/v1/import', s.keys.admin, { records: [] }, { prefer: 'respond-async' });
    assert.equal(r.status, 202);
    assert.equal(r.headers.get('location'), `/v1/jobs/${r.json.job_id}`);
    assert.equal(r.json.status, 'pending');
    const job = await call(s, 'GET', `/v1/jobs/${r.json.job_id}`, s.keys.reader);
    assert.equal(job.json.operation, 'import');
    const jobs = await call(s, 'GET', '/v1/jobs', s.keys.reader);
    assert.equal(jobs.json.jobs.length, 2);
  });

  test('retention: the only dry run', async () => {
    const s = await startContractServer();
    assert.deepEqual((await call(s, 'POST', '/v1/governance/retention/apply', s.keys.admin, { dry_run: true })).json, { purged_count: 0, dry_run: true });
    assert.equal((await call(s, 'POST', '/v1/governance/retention/apply', s.keys.editor, { dry_run: true })).json.detail, "Role 'editor' does not have permission 'governance:admin'.");
  });

  test('unhandled errors are plain text 500; schema drift option renames fields', async () => {
    const s = await startContractServer({ internalErrors: ['GET /v1/metrics'], drift: { 'GET /v1/health': { pattern_count: 'patterns' } } });
    const e = await call(s, 'GET', '/v1/metrics', s.keys.reader);
    assert.equal(e.status, 500);
    assert.equal(e.text, 'Internal Server Error');
    const h = await call(s, 'GET', '/v1/health', s.keys.reader);
    assert.equal(h.json.patterns, 5);
    assert.equal(h.json.pattern_count, undefined);
  });
});
