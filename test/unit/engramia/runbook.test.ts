/**
 * The bundled Engramia runbook: every check has an explicit unique id and a known kind, the
 * local/analyzer placeholders are where the other work expects them, and every http/engramia
 * check gives the expected verdict against the contract server (main and 0.6.6, both auth modes).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCheck } from '../../../src/core/checks/engine';
import type { CheckRun } from '../../../src/core/checks/types';
import { httpKind } from '../../../src/core/http';
import { DEFAULT_CHECK_KINDS, listChecks, parseRunbook, type CheckListing } from '../../../src/core/runbook';
import type { EngramiaServer } from '../../servers/engramia/server';
import { closeContractServers, startContractServer } from '../../support/contractServer';
import { makeEnv } from './helpers';
import { assertNoSecret } from '../../support/secrets';

const FILE = join(__dirname, '..', '..', '..', 'runbooks', 'engramia-verification-and-rollback.runbook.md');
const text = readFileSync(FILE, 'utf8');
const doc = parseRunbook(text);
const checks = listChecks(doc);

after(closeContractServers);
after(async () => {
  await httpKind.dispose();
});

describe('bundled Engramia runbook: structure', () => {
  test('front matter declares the inputs, the key as a secret', () => {
    assert.equal(doc.frontMatter?.error, undefined);
    const inputs = new Map(doc.frontMatter!.inputs.map((i) => [i.name, i]));
    for (const name of ['baseUrl', 'apiKey', 'expectedPatterns', 'importedPairs', 'sampleTask', 'liveTask', 'projectId', 'pinnedVersion', 'backupPath', 'quotaFactor']) {
      assert.ok(inputs.has(name), `input ${name}`);
    }
    assert.equal(inputs.get('apiKey')!.secret, true);
    assert.equal(inputs.get('baseUrl')!.default, 'https://api.engramia.dev');
    assert.equal(String(inputs.get('pinnedVersion')!.default), '0.6.6');
    assert.equal(Number(inputs.get('quotaFactor')!.default), 0.8);
    assert.equal((doc.frontMatter!.data as { inputs: { name: string; env?: string }[] }).inputs.find((i) => i.name === 'apiKey')!.env, 'ENGRAMIA_API_KEY');
  });

  test('every check has an explicit, unique id, a known kind, and ticks a task item', () => {
    assert.ok(checks.length >= 30);
    const ids = new Set<string>();
    for (const c of checks) {
      assert.ok(c.explicitId, `${c.id} has no explicit id`);
      assert.ok(!ids.has(c.id), `duplicate id ${c.id}`);
      ids.add(c.id);
      assert.ok(DEFAULT_CHECK_KINDS.includes(c.kind), `${c.id}: unknown kind ${c.kind}`);
      assert.equal(c.error, undefined, `${c.id}: ${c.error}`);
      assert.notEqual(c.taskCell, null, `${c.id} is not under a task item`);
      assert.match(c.id, /^(code|data|scope|obs|rollout|smoke|rollback|done)\./);
    }
  });

  test('local placeholders and analyzer checks are where the other work expects them', () => {
    const byId = new Map(checks.map((c) => [c.id, c]));
    for (const [id, kinds] of [['code.engramia-version', ['python']], ['code.deep-import', ['python']], ['data.backup-today', ['shell', 'python', 'sh', 'bash']], ['smoke.1-round-trip', ['python']]] as const) {
      const c = byId.get(id);
      assert.ok(c, id);
      assert.ok((kinds as readonly string[]).includes(c.kind), `${id} kind ${c.kind}`);
    }
    assert.equal(byId.get('code.instructions')!.kind, 'analyze');
    assert.equal(byId.get('code.instructions')!.attributes.rules, 'ENG002,ENG004');
    assert.equal(byId.get('code.hooks')!.attributes.rules, 'ENG001,ENG007,ENG008');
    assert.equal(byId.get('rollback.3-delete-project')!.attributes.excludeFromRunAll, 'true');
  });

  test('sections and guide corrections are present', () => {
    for (const h of ['## Pre-cutover checklist', '### Code', '### Data', '### Scope & roles', '### Observability', '## Rollout steps', '## Post-cutover smoke tests', '## Rollback', '## Done criteria']) {
      assert.ok(text.includes(h), h);
    }
    for (const phrase of ['405', '404', 'no `cutover` action', 'patterns_used', '`admin`', 'ENGRAMIA_API_URL', 'ENGRAMIA_TENANT_ID', 'answer 401 without a Bearer key', 'eng_...', 'imports fine even when `openai-agents` is missing']) {
      assert.ok(text.includes(phrase), `correction mentions ${phrase}`);
    }
    assert.ok((text.match(/> \*\*The guide says\*\*/g) ?? []).length >= 10);
  });
});

type Expect = Record<string, 'pass' | 'warn' | 'fail' | 'skipped' | 'error'>;

/** What smoke 1 leaves behind when the agent's hooks write to this server: a live learn of the prompt. */
async function emulateSmoke1(server: EngramiaServer, prompt: string): Promise<void> {
  await fetch(server.url + '/v1/learn', {
    method: 'POST',
    headers: { authorization: `Bearer ${server.keys.editor}`, 'content-type': 'application/json' },
    body: JSON.stringify({ task: prompt, code: 'agent answer', eval_score: 7, source: 'api' }),
  });
}

async function runAll(server: EngramiaServer, key: string, inputs: Record<string, string>, smoke1 = true): Promise<Map<string, CheckRun>> {
  if (smoke1) await emulateSmoke1(server, inputs.sampleTask ?? 'Build a CSV parser');
  const { env } = makeEnv(server, key, { inputs, extraKinds: [httpKind], secrets: [key] });
  const out = new Map<string, CheckRun>();
  const live = checks.filter((c: CheckListing) => (c.kind === 'http' || c.kind === 'engramia') && c.attributes.excludeFromRunAll !== 'true');
  for (const c of live) {
    out.set(c.id, await runCheck({ id: c.id, kind: c.kind, attributes: c.attributes, body: c.body, label: c.label }, env));
  }
  return out;
}

function assertVerdicts(runs: Map<string, CheckRun>, expected: Expect, key: string): void {
  const live = checks.filter((c) => (c.kind === 'http' || c.kind === 'engramia') && c.attributes.excludeFromRunAll !== 'true');
  assert.deepEqual([...runs.keys()].sort(), live.map((c) => c.id).sort());
  for (const [id, run] of runs) {
    const want = expected[id] ?? 'pass';
    assert.equal(run.verdict, want, `${id}: ${run.verdict} — ${run.reason}`);
    assertNoSecret(JSON.stringify(run), key, `${id}'s run`);
  }
}

const healthyInputs = (s: EngramiaServer) => ({ expectedPatterns: '5', importedPairs: '6', projectId: s.projectId, quotaFactor: '0.8', sampleTask: 'Build a CSV parser', liveTask: 'Hello, are you there?' });

describe('bundled Engramia runbook: live checks against the contract server', () => {
  test('main, db auth, admin key: everything passes except the version (runs from source → unknown)', async () => {
    const s = await startContractServer({ version: 'main' });
    const runs = await runAll(s, s.keys.admin, healthyInputs(s));
    assertVerdicts(runs, { 'code.server-version': 'warn' }, s.keys.admin);
    assert.match(runs.get('code.server-version')!.reason, /^version unknown \(server runs from source/);
    assert.match(runs.get('smoke.3-learn-writeback')!.reason, /pattern_count \d+ → \d+: the learn with a unique task was stored; the check's own pattern was deleted again/);
    // The only DELETE is smoke 3 removing its own pattern: the destructive project delete is never run by "run all".
    assert.equal(s.hitCount('DELETE'), 1);
    assert.equal(s.hitCount('DELETE', `/v1/governance/projects/${s.projectId}`), 0);
    assert.deepEqual(s.patterns().filter((p) => p.task.startsWith('runbook write-back check')), [], 'smoke 3 left its pattern in the store');
  });

  test('smoke 3 warns when nothing was written back from the smoke 1 prompt', async () => {
    for (const version of ['0.6.6', 'main'] as const) {
      const s = await startContractServer({ version });
      const runs = await runAll(s, s.keys.admin, healthyInputs(s), false);
      assertVerdicts(runs, { 'code.server-version': version === 'main' ? 'warn' : 'pass', 'smoke.3-learn-writeback': 'warn' }, s.keys.admin);
      assert.equal(runs.get('smoke.3-learn-writeback')!.reason, 'the server stores learns, but nothing was learned from the smoke prompt; the check\'s own pattern was deleted again');
    }
  });

  test('0.7.0 release, owner key: all pass', async () => {
    const s = await startContractServer({ version: '0.7.0' });
    const runs = await runAll(s, s.keys.owner, healthyInputs(s));
    assertVerdicts(runs, {}, s.keys.owner);
    assert.match(runs.get('code.server-version')!.reason, /^server 0\.7\.0: learn merges near-identical tasks/);
  });

  test('0.6.6, db auth, admin key: all pass; the version check reports no dedup', async () => {
    const s = await startContractServer({ version: '0.6.6' });
    const runs = await runAll(s, s.keys.admin, healthyInputs(s));
    assertVerdicts(runs, {}, s.keys.admin);
    assert.match(runs.get('code.server-version')!.reason, /^server 0\.6\.6: every learn inserts/);
    assert.match(runs.get('smoke.3-learn-writeback')!.details ?? '', /inserts a pattern on every learn/);
  });

  test('the guide\'s editor key: scope is not visible (warn) and the retention dry run needs admin (fail)', async () => {
    const s = await startContractServer({ version: 'main' });
    const runs = await runAll(s, s.keys.editor, healthyInputs(s));
    assertVerdicts(runs, { 'code.server-version': 'warn', 'scope.project': 'warn', 'rollback.3-retention-dry-run': 'fail' }, s.keys.editor);
    assert.match(runs.get('rollback.3-retention-dry-run')!.reason, /role editor lacks permission governance:admin/);
    assert.match(runs.get('scope.project')!.reason, /ENGRAMIA_TENANT_ID and ENGRAMIA_PROJECT_ID have no effect/);
  });

  test('a user-facing reader key: role and write-back fail, naming the role', async () => {
    const s = await startContractServer({ version: '0.6.6' });
    const runs = await runAll(s, s.keys.reader, healthyInputs(s));
    assertVerdicts(runs, { 'scope.project': 'warn', 'scope.role': 'fail', 'smoke.3-learn-writeback': 'fail', 'rollback.3-retention-dry-run': 'fail' }, s.keys.reader);
    assert.equal(runs.get('scope.role')!.reason, 'role reader, expected at least editor');
  });

  test('env-key deployment (0.6.6, owner by default): scope default/default, role admin or owner', async () => {
    const s = await startContractServer({ version: '0.6.6', authMode: 'env' });
    const runs = await runAll(s, s.keys.owner, { ...healthyInputs(s), projectId: 'default' });
    assertVerdicts(runs, {}, s.keys.owner);
    assert.match(runs.get('scope.role')!.reason, /^role admin or owner/);
    assert.match(runs.get('scope.project')!.reason, /default\/default/);
  });

  test('designed failures: wrong project, short backfill, quota overshoot', async () => {
    const s = await startContractServer({ version: 'main', patternsLimit: 6 }); // cap 4 < 5 stored
    const runs = await runAll(s, s.keys.admin, { ...healthyInputs(s), projectId: 'p_prod', expectedPatterns: '1200', importedPairs: '100000' });
    assertVerdicts(runs, {
      'code.server-version': 'warn',
      'data.backfill': 'fail',
      'data.store-size': 'warn',
      'scope.project': 'fail',
      'smoke.3-learn-writeback': 'fail',
      'smoke.5-quota': 'fail',
    }, s.keys.admin);
    assert.match(runs.get('data.backfill')!.reason, /pattern_count/);
    assert.match(runs.get('scope.project')!.reason, /belongs to t_acme\/p_main, not p_prod/);
    assert.match(runs.get('smoke.3-learn-writeback')!.reason, /429 quota exceeded/);
    assert.match(runs.get('smoke.5-quota')!.reason, /project at its pattern cap: 5 of 4 patterns/);
  });

  test('the destructive delete: without the typed id nothing is sent; with it, exactly one DELETE', async () => {
    const s = await startContractServer({ version: 'main' });
    const c = checks.find((x) => x.id === 'rollback.3-delete-project')!;
    const spec = { id: c.id, kind: c.kind, attributes: c.attributes, body: c.body, label: c.label };
    const no = makeEnv(s, s.keys.admin, { inputs: healthyInputs(s), typed: 'p_mian', secrets: [s.keys.admin] });
    const skipped = await runCheck(spec, no.env);
    assert.equal(skipped.verdict, 'skipped');
    assert.equal(s.hitCount('DELETE'), 0);
    const yes = makeEnv(s, s.keys.admin, { inputs: healthyInputs(s), typed: 'p_main', secrets: [s.keys.admin] });
    const done = await runCheck(spec, yes.env);
    assert.equal(done.verdict, 'pass', done.reason);
    assert.equal(s.hitCount('DELETE'), 1);
    assert.match(yes.ui.previews[0]!, /← the key this runbook uses/);
    const emptyProject = makeEnv(s, s.keys.owner, { inputs: { ...healthyInputs(s), projectId: '' }, typed: '' });
    assert.equal((await runCheck(spec, emptyProject.env)).verdict, 'error');
    assert.equal(s.hitCount('DELETE'), 1);
  });
});
