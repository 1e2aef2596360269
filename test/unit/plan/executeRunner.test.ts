/**
 * executePlan with an injected cell runner (what the VS Code notebook does: each check runs as a
 * cell execution): the runner is the only thing that runs, and stop-on-failure, cancel and the
 * not-run entries are the same bookkeeping as for the engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { CheckRegistry } from '../../../src/core/checks/registry';
import type { CheckKind, CheckRun, Verdict } from '../../../src/core/checks/types';
import { planRun, DESTRUCTIVE_REASON, EXCLUDED_REASON, type PlannedCheck } from '../../../src/core/plan/plan';
import { executePlan, type CheckRunner } from '../../../src/core/plan/execute';
import { buildDoc, type Block } from './docBuilder';

/** A kind whose engine run must never happen here: the injected runner replaces it. */
const notByEngine: CheckKind<Record<string, string>> = {
  name: 'probe',
  description: 'never run by the engine in these tests',
  attributes: z.record(z.string(), z.string()),
  defaultTimeoutMs: 1000,
  isParallelSafe: (_b, a) => a['ro'] === 'true',
  async run() { throw new Error('the engine ran a check although a runner was injected'); },
};

const registry = new CheckRegistry().register(notByEngine);
const env = { registry, now: () => 0 };

/** A runner that answers each check with the verdict its body names, and logs what it ran. */
function scripted(log: string[], hook?: (check: PlannedCheck) => void): CheckRunner {
  return async (check, io) => {
    log.push(check.id);
    hook?.(check);
    await new Promise((r) => setImmediate(r));
    const verdict = (io.signal?.aborted ? 'skipped' : check.body.trim()) as Verdict;
    return { checkId: check.id, kind: check.kind, verdict, reason: io.signal?.aborted ? 'cancelled' : `cell said ${verdict}`, startedAt: new Date(0).toISOString(), durationMs: 1 };
  };
}

const blocks: Block[] = [
  { h: 1, title: 'Cutover' },
  { h: 2, title: 'Prepare' },
  { task: 'a' }, { check: 'prep.a', body: 'pass' },
  { task: 'x' }, { check: 'prep.x', body: 'pass', attrs: { excludeFromRunAll: 'true' } },
  { task: 'b' }, { check: 'prep.b', body: 'fail' },
  { h: 2, title: 'Switch' },
  { task: 'c' }, { check: 'cut.c', body: 'pass' },
  { task: 'p' }, { check: 'cut.purge', body: 'pass', attrs: { destructive: 'true' } },
  { task: 'd' }, { check: 'cut.d', body: 'warn' },
];
const plan = () => planRun(buildDoc(blocks), { isDestructive: (c) => c.attributes['destructive'] === 'true' });

test('runner: stop on the first failure; the rest are not-run entries in document order, up-front skips keep their reason', async () => {
  const ran: string[] = [];
  const results: string[] = [];
  const res = await executePlan(plan(), env, { runner: scripted(ran), onResult: (r) => results.push(r.checkId) });
  assert.deepEqual(ran, ['prep.a', 'prep.b'], 'only the runner ran, and only up to the failure');
  assert.equal(res.stoppedAfter, 'prep.b');
  assert.equal(res.cancelled, false);
  assert.deepEqual(res.runs.map((r) => `${r.checkId}:${r.verdict}:${r.notRun ? 'not-run' : 'ran'}:${r.reason}`), [
    'prep.a:pass:ran:cell said pass',
    `prep.x:skipped:not-run:${EXCLUDED_REASON}`,
    'prep.b:fail:ran:cell said fail',
    'cut.c:skipped:not-run:not run: stopped after prep.b failed',
    `cut.purge:skipped:not-run:${DESTRUCTIVE_REASON}`,
    'cut.d:skipped:not-run:not run: stopped after prep.b failed',
  ]);
  assert.deepEqual(results, res.runs.map((r) => r.checkId), 'onResult once per entry, in document order');
  assert.deepEqual(res.runs.find((r) => r.checkId === 'cut.c')!.sectionPath, ['Cutover', 'Switch'], 'not-run entries keep their section');
});

test('runner: continue after failures runs every runnable check, still never the excluded or destructive ones', async () => {
  const ran: string[] = [];
  const res = await executePlan(plan(), env, { runner: scripted(ran), stopOnFirstFailure: false });
  assert.deepEqual(ran, ['prep.a', 'prep.b', 'cut.c', 'cut.d']);
  assert.equal(res.stoppedAfter, undefined);
  assert.deepEqual(res.runs.filter((r) => r.notRun).map((r) => r.checkId), ['prep.x', 'cut.purge']);
});

test('runner: a cancel mid-run ends the run as cancelled; the check cut short is not a failure; nothing later starts', async () => {
  const ran: string[] = [];
  const ctl = new AbortController();
  // The user cancels while prep.b (a failing check) is running: its failure must not count as "stopped after".
  const res = await executePlan(plan(), env, {
    runner: async (check, io) => {
      const run = await scripted(ran)(check, io);
      if (check.id === 'prep.b') { ctl.abort(); return { ...run, verdict: 'fail', reason: 'killed' } satisfies CheckRun; }
      return run;
    },
    signal: ctl.signal,
  });
  assert.deepEqual(ran, ['prep.a', 'prep.b']);
  assert.equal(res.cancelled, true);
  assert.equal(res.stoppedAfter, undefined, 'a cancel is not a failure');
  assert.deepEqual(res.runs.map((r) => `${r.checkId}:${r.notRun ? 'not-run' : 'ran'}:${r.reason}`), [
    'prep.a:ran:cell said pass',
    `prep.x:not-run:${EXCLUDED_REASON}`,
    'prep.b:ran:killed',
    'cut.c:not-run:cancelled',
    `cut.purge:not-run:${DESTRUCTIVE_REASON}`,
    'cut.d:not-run:cancelled',
  ]);
});

test('runner: the runner gets the signal, and its output reaches onOutput with the check', async () => {
  const ctl = new AbortController();
  const seen: string[] = [];
  const res = await executePlan(planRun(buildDoc([{ h: 1, title: 'A' }, { check: 'one', body: 'pass', free: true }])), env, {
    runner: async (check, io) => {
      assert.equal(io.signal, ctl.signal);
      io.emit?.({ stream: 'stdout', text: 'hello' });
      return { checkId: check.id, kind: check.kind, verdict: 'pass', reason: 'ok', startedAt: new Date(0).toISOString(), durationMs: 0 };
    },
    signal: ctl.signal,
    onStart: (c) => seen.push(`start ${c.id}`),
    onOutput: (c, chunk) => seen.push(`${c.id} ${chunk.stream} ${chunk.text}`),
  });
  assert.deepEqual(seen, ['start one', 'one stdout hello']);
  assert.deepEqual(res.runs.map((r) => r.verdict), ['pass']);
});

test('runner: with concurrency 1 even parallel-safe checks run one at a time, in document order', async () => {
  let inFlight = 0, max = 0;
  const ran: string[] = [];
  const doc = buildDoc([{ h: 1, title: 'A' }, ...['r1', 'r2', 'r3'].map((id): Block => ({ check: id, body: 'pass', attrs: { ro: 'true' }, free: true }))]);
  const runner: CheckRunner = async (check, io) => {
    inFlight++; max = Math.max(max, inFlight);
    const run = await scripted(ran)(check, io);
    inFlight--;
    return run;
  };
  await executePlan(planRun(doc), env, { runner, concurrency: 1 });
  assert.equal(max, 1);
  assert.deepEqual(ran, ['r1', 'r2', 'r3']);
  await executePlan(planRun(doc), env, { runner });
  assert.equal(max, 3, 'the default groups them (the runner is used for parallel groups too)');
});
