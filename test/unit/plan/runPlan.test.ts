import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { CheckRegistry } from '../../../src/core/checks/registry';
import { silentLogger, type EngineEnvironment } from '../../../src/core/checks/engine';
import type { CheckKind, CheckResult, Verdict } from '../../../src/core/checks/types';
import { planRun, checksOf, PlanError, EXCLUDED_REASON } from '../../../src/core/plan/plan';
import { executePlan, httpMethodOf, isParallelSafe, progressBySection, summarize } from '../../../src/core/plan/execute';
import { httpKind } from '../../../src/core/http';
import { engramiaKind } from '../../../src/core/engramia';
import { buildDoc, type Block } from './docBuilder';

/** A test kind: the body names the verdict; `ro` attribute makes it read-only (parallel-safe). */
function probeKind(tracker: { inFlight: number; max: number; started: string[] } = { inFlight: 0, max: 0, started: [] }): CheckKind<{ ro?: string; ticks?: string }> {
  return {
    name: 'probe',
    description: 'test probe',
    attributes: z.object({ ro: z.string().optional(), ticks: z.string().optional() }),
    defaultTimeoutMs: 5000,
    isParallelSafe: (_b, a) => a['ro'] === 'true',
    async run(inv): Promise<CheckResult> {
      tracker.started.push(inv.id);
      tracker.inFlight++;
      tracker.max = Math.max(tracker.max, tracker.inFlight);
      const ticks = Number(inv.attributes.ticks ?? 1);
      for (let i = 0; i < ticks; i++) await new Promise((r) => setImmediate(r));
      tracker.inFlight--;
      const v = inv.body.trim();
      if (v === 'throw') throw new Error('boom');
      return { verdict: v as Verdict, reason: `said ${v}`, next: v === 'fail' ? 'fix it' : undefined };
    },
  };
}

function env(registry: CheckRegistry): EngineEnvironment {
  return {
    registry, inputs: {}, secrets: [], cwd: process.cwd(), trusted: true, log: silentLogger, services: {},
    ui: { confirm: async () => 'yes', typedConfirmation: async () => false },
  };
}

const blocks: Block[] = [
  { h: 1, title: 'Runbook' },
  { h: 2, title: 'Pre-cutover', id: 'pre' },
  { task: 'a' }, { check: 'pre.a', body: 'pass' },
  { task: 'b' }, { check: 'pre.b', body: 'fail' },
  { h: 3, title: 'Data' },
  { task: 'c' }, { check: 'data.c', body: 'pass' },
  { task: 'x' }, { check: 'data.x', body: 'pass', attrs: { excludeFromRunAll: 'true' } },
  { h: 2, title: 'Smoke' },
  { task: 's1' }, { check: 'smoke.1', body: 'warn' },
  { task: 's2' }, { check: 'smoke.2', body: 'pass' },
];

test('checksOf lists checks in document order with their sections and labels', () => {
  const doc = buildDoc(blocks);
  const checks = checksOf(doc);
  assert.deepEqual(checks.map((c) => c.id), ['pre.a', 'pre.b', 'data.c', 'data.x', 'smoke.1', 'smoke.2']);
  assert.deepEqual(checks[2]!.sectionPath, ['Runbook', 'Pre-cutover', 'Data']);
  assert.equal(checks[2]!.label, 'c');
});

test('planRun: excludeFromRunAll is planned as skipped; a section includes its subsections', () => {
  const doc = buildDoc(blocks);
  const all = planRun(doc);
  assert.equal(all.entries.find((e) => e.check.id === 'data.x')!.skip, EXCLUDED_REASON);
  const pre = planRun(doc, { section: 'PRE-CUTOVER' });
  assert.deepEqual(pre.entries.map((e) => e.check.id), ['pre.a', 'pre.b', 'data.c', 'data.x']);
  const byId = planRun(doc, { section: 'pre' });
  assert.equal(byId.entries.length, 4);
  assert.deepEqual(planRun(doc, { section: 'data' }).entries.map((e) => e.check.id), ['data.c', 'data.x']);
  assert.throws(() => planRun(doc, { section: 'nope' }), (e: unknown) => e instanceof PlanError && /no section "nope".*Pre-cutover/.test(e.message));
});

test('planRun only: explicit ids run even when excluded; unknown ids are an error', () => {
  const doc = buildDoc(blocks);
  const plan = planRun(doc, { only: ['smoke.2', 'data.x'] });
  assert.deepEqual(plan.entries.map((e) => [e.check.id, e.skip]), [['data.x', undefined], ['smoke.2', undefined]]);
  assert.throws(() => planRun(doc, { only: ['ghost'] }), /no check with id "ghost"/);
});

test('executePlan stops after the first failure and reports the rest as skipped, in order', async () => {
  const reg = new CheckRegistry().register(probeKind());
  const doc = buildDoc(blocks);
  const seen: string[] = [];
  const res = await executePlan(planRun(doc), env(reg), { onResult: (r) => seen.push(`${r.checkId}:${r.verdict}`) });
  assert.deepEqual(seen, ['pre.a:pass', 'pre.b:fail', 'data.c:skipped', 'data.x:skipped', 'smoke.1:skipped', 'smoke.2:skipped']);
  assert.equal(res.stoppedAfter, 'pre.b');
  assert.equal(res.runs[2]!.reason, 'not run: stopped after pre.b failed');
  assert.equal(res.runs[3]!.reason, EXCLUDED_REASON);
  assert.equal(summarize(res.runs).ok, false);
});

test('executePlan with stopOnFirstFailure=false runs everything; warn is not failing; error is', async () => {
  const reg = new CheckRegistry().register(probeKind());
  const doc = buildDoc([{ h: 1, title: 'T' }, { check: 'a', body: 'throw', free: true }, { check: 'b', body: 'warn', free: true }, { check: 'c', body: 'pass', free: true }]);
  const res = await executePlan(planRun(doc), env(reg), { stopOnFirstFailure: false });
  assert.deepEqual(res.runs.map((r) => r.verdict), ['error', 'warn', 'pass']);
  assert.equal(res.runs[0]!.reason, 'boom');
  const s = summarize(res.runs);
  assert.equal(s.errored, 1);
  assert.equal(s.ok, false);
  const onlyWarn = await executePlan(planRun(doc, { only: ['b', 'c'] }), env(reg));
  assert.equal(summarize(onlyWarn.runs).ok, true);
});

test('executePlan: an error verdict also stops the run', async () => {
  const reg = new CheckRegistry().register(probeKind());
  const doc = buildDoc([{ h: 1, title: 'T' }, { check: 'a', body: 'x', free: true, error: 'invalid attribute: timeout' }, { check: 'b', body: 'pass', free: true }]);
  const res = await executePlan(planRun(doc), env(reg));
  assert.deepEqual(res.runs.map((r) => r.verdict), ['error', 'skipped']);
  assert.equal(res.runs[1]!.reason, 'not run: stopped after a failed');
});

test('read-only checks of one section run in parallel (bounded), results still in document order', async () => {
  const tracker = { inFlight: 0, max: 0, started: [] as string[] };
  const reg = new CheckRegistry().register(probeKind(tracker));
  const ro = (id: string, ticks: number): Block => ({ check: id, body: 'pass', attrs: { ro: 'true', ticks: String(ticks) }, free: true });
  const doc = buildDoc([{ h: 1, title: 'A' }, ro('a1', 6), ro('a2', 1), ro('a3', 3), ro('a4', 1), ro('a5', 1)]);
  const order: string[] = [];
  await executePlan(planRun(doc), env(reg), { concurrency: 2, onResult: (r) => order.push(r.checkId) });
  assert.equal(tracker.max, 2);
  assert.deepEqual(order, ['a1', 'a2', 'a3', 'a4', 'a5']);
});

test('parallel groups do not cross sections or non-read-only checks', async () => {
  const tracker = { inFlight: 0, max: 0, started: [] as string[] };
  const reg = new CheckRegistry().register(probeKind(tracker));
  const doc = buildDoc([
    { h: 1, title: 'A' }, { check: 'a1', body: 'pass', attrs: { ro: 'true', ticks: '3' }, free: true },
    { h: 1, title: 'B' }, { check: 'b1', body: 'pass', attrs: { ro: 'true', ticks: '3' }, free: true },
    { check: 'b2', body: 'pass', free: true, attrs: { ticks: '3' } },
    { check: 'b3', body: 'pass', attrs: { ro: 'true', ticks: '3' }, free: true },
  ]);
  await executePlan(planRun(doc), env(reg), { concurrency: 8 });
  assert.equal(tracker.max, 1);
});

test('in a parallel group, a failure stops what follows the group', async () => {
  const reg = new CheckRegistry().register(probeKind());
  const doc = buildDoc([
    { h: 1, title: 'A' },
    { check: 'a1', body: 'fail', attrs: { ro: 'true' }, free: true },
    { check: 'a2', body: 'pass', attrs: { ro: 'true' }, free: true },
    { check: 'a3', body: 'pass', free: true },
  ]);
  const res = await executePlan(planRun(doc), env(reg));
  assert.deepEqual(res.runs.map((r) => `${r.checkId}:${r.verdict}`), ['a1:fail', 'a2:pass', 'a3:skipped']);
  assert.equal(res.stoppedAfter, 'a1');
});

test('skip hook and cancellation report checks as skipped without running them', async () => {
  const tracker = { inFlight: 0, max: 0, started: [] as string[] };
  const reg = new CheckRegistry().register(probeKind(tracker));
  const doc = buildDoc([{ h: 1, title: 'A' }, { check: 'm', body: 'pass', free: true }, { check: 'n', body: 'pass', free: true }, { check: 'o', body: 'pass', free: true }]);
  const ctl = new AbortController();
  const res = await executePlan(planRun(doc), env(reg), {
    skip: (c) => (c.id === 'm' ? 'manual step skipped' : undefined),
    onResult: (r) => { if (r.checkId === 'n') ctl.abort(); },
    signal: ctl.signal,
  });
  assert.deepEqual(res.runs.map((r) => `${r.checkId}:${r.verdict}:${r.reason}`), ['m:skipped:manual step skipped', 'n:pass:said pass', 'o:skipped:cancelled']);
  assert.deepEqual(tracker.started, ['n']);
  assert.equal(res.cancelled, true);
});

test('progressBySection counts done, total and failing per section', async () => {
  const reg = new CheckRegistry().register(probeKind());
  const doc = buildDoc(blocks);
  const plan = planRun(doc);
  const res = await executePlan(plan, env(reg), { stopOnFirstFailure: false });
  const p = progressBySection(plan, res.runs);
  assert.deepEqual(p.map((s) => [s.section.join('/'), s.done, s.total, s.failing]), [
    ['Runbook/Pre-cutover', 1, 2, 1],
    ['Runbook/Pre-cutover/Data', 1, 2, 0],
    ['Runbook/Smoke', 2, 2, 0],
  ]);
});

test('isParallelSafe: http GET yes, POST no (except recall), engramia read probes yes, writes no; process kinds never', () => {
  const mk = (name: string, extra: Partial<CheckKind> = {}): CheckKind => ({ name, description: name, attributes: z.object({}).passthrough() as never, defaultTimeoutMs: 1, run: async () => ({ verdict: 'pass', reason: '' }), ...extra });
  // The kinds say themselves (CheckKind.isParallelSafe): the real http and engramia kinds, and a kind without the method.
  const reg = new CheckRegistry().register(httpKind).register(engramiaKind).register(mk('shell', { runsProcesses: true })).register(mk('plain'));
  const c = (kind: string, body: string, attrs: Record<string, string> = {}) => ({ id: 'x', kind, attributes: attrs, body, cell: 0, taskCell: null, sectionPath: [], sectionId: '' });
  assert.equal(httpMethodOf('# comment\nGET {{baseUrl}}/v1/health\n?? status == 200'), 'GET');
  assert.equal(httpMethodOf('{{baseUrl}}/v1/health'), 'GET');
  assert.equal(isParallelSafe(c('http', 'GET http://x/v1/metrics'), reg), true);
  assert.equal(isParallelSafe(c('http', 'DELETE http://x/v1/governance/projects/p'), reg), false);
  assert.equal(isParallelSafe(c('http', 'POST http://x/v1/learn\n\n{}'), reg), false);
  assert.equal(isParallelSafe(c('http', 'POST http://x/v1/recall\n\n{}'), reg), true);
  assert.equal(isParallelSafe(c('engramia', '', { probe: 'quota' }), reg), true);
  assert.equal(isParallelSafe(c('engramia', '', { probe: 'delete-project' }), reg), false);
  assert.equal(isParallelSafe(c('engramia', '', { probe: 'learn-writeback' }), reg), false);
  assert.equal(isParallelSafe(c('http', 'GET http://x/', { destructive: 'true' }), reg), false);
  assert.equal(isParallelSafe(c('shell', 'echo'), reg), false);
  assert.equal(isParallelSafe(c('plain', 'GET http://x/'), reg), false, 'a kind that does not say it only reads never runs in parallel');
});

test('in a parallel group, no further check starts after a failure; running ones finish and report', async () => {
  const tracker = { inFlight: 0, max: 0, started: [] as string[] };
  const reg = new CheckRegistry().register(probeKind(tracker));
  const ro = (id: string, body: string, ticks: number): Block => ({ check: id, body, attrs: { ro: 'true', ticks: String(ticks) }, free: true });
  const doc = buildDoc([{ h: 1, title: 'A' }, ro('a1', 'fail', 1), ro('a2', 'pass', 5), ro('a3', 'pass', 1), ro('a4', 'pass', 1)]);
  const res = await executePlan(planRun(doc), env(reg), { concurrency: 2 });
  assert.deepEqual(tracker.started, ['a1', 'a2']);
  assert.deepEqual(res.runs.map((r) => `${r.checkId}:${r.verdict}`), ['a1:fail', 'a2:pass', 'a3:skipped', 'a4:skipped']);
  assert.equal(res.runs[2]!.reason, 'not run: stopped after a1 failed');
  assert.equal(res.runs[2]!.notRun, true);
  // --continue semantics: everything runs.
  const all = await executePlan(planRun(doc), env(reg), { concurrency: 2, stopOnFirstFailure: false });
  assert.deepEqual(all.runs.map((r) => r.verdict), ['fail', 'pass', 'pass', 'pass']);
});
