import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckRun, Verdict } from '../../../src/core/checks/types';
import { readEvidence } from '../../../src/core/evidence/log';
import { itemsOf } from '../../../src/core/evidence/report';
import { checksOf } from '../../../src/core/plan/plan';
import { CutoverSession } from '../../../src/core/cutover/session';
import type { WindowStatus } from '../../../src/core/cutover/timers';
import { buildDoc } from '../plan/docBuilder';
import { FakeClock } from './fakeClock';
import { assertNoSecret } from '../../support/secrets';
import { tempDir } from '../../support/tempDir';

const KEY = 'engramia_sk_SESSIONSECRET_0123456789abcdefghijklmnopq';
const MIN = 60_000;

const doc = buildDoc([
  { h: 1, title: 'Cutover' },
  { h: 2, title: 'Rollout' },
  { task: 'Flip to 5 %' }, { check: 'rollout.5-percent', kind: 'manual', body: 'flip' },
  { h: 2, title: 'Smoke' },
  { task: 'Recall' }, { check: 'smoke.recall', kind: 'http', body: 'POST x' },
  { task: 'Quota' }, { check: 'smoke.quota', kind: 'engramia', body: '' },
  { h: 2, title: 'Rollback' },
  { task: 'Flip back' }, { check: 'rollback.flip', kind: 'manual', body: 'flip back' },
  { task: 'Tell the channel' },
]);

function runOf(checkId: string, verdict: Verdict, at: number, extra: Partial<CheckRun> = {}): CheckRun {
  return { checkId, verdict, reason: `${verdict} reason`, kind: 'http', startedAt: new Date(at).toISOString(), durationMs: 2000, ...extra };
}

test('a session writes evidence, opens the rollout window on a passing rollout step, warns when it closes short, and reports', () => {
  const clock = new FakeClock();
  const dir = tempDir('session');
  const closed: WindowStatus[] = [];
  const session = new CutoverSession({ runbookPath: join(dir, 'c.runbook.md'), clock, user: 'erin', onWindowClose: (s) => closed.push(s) });
  const checks = checksOf(doc);
  session.setChecks(checks);
  const ctx = (id: string) => {
    const c = checks.find((x) => x.id === id)!;
    return { label: c.label, sectionPath: c.sectionPath, inputs: { baseUrl: 'http://h', apiKey: KEY }, secretInputs: ['apiKey'] };
  };

  const recs = session.recordRun(runOf('rollout.5-percent', 'pass', clock.now(), { kind: 'manual' }), ctx('rollout.5-percent'));
  assert.deepEqual(recs.map((r) => r.event), ['check', 'rollout']);
  clock.advance(5 * MIN);
  session.recordRun(runOf('smoke.recall', 'fail', clock.now(), { reason: `401 for key ${KEY}` }), ctx('smoke.recall'));
  assert.equal(session.windowStatus()!.state, 'open');
  assert.deepEqual(session.windowStatus()!.smokes, { 'smoke.recall': 'fail', 'smoke.quota': 'not run' });
  clock.advance(25 * MIN);
  assert.equal(closed.length, 0, 'the window runs 30 min from the end of the rollout step');
  clock.advance(MIN);
  assert.equal(closed.length, 1);
  assert.match(closed[0]!.message!, /Rollout 5%.*smoke\.recall fail, smoke\.quota not run.*"Rollback"/);

  // Drill: the Rollback section's split ends when its last check finishes.
  session.startDrill();
  clock.advance(MIN);
  session.recordRun(runOf('rollback.flip', 'pass', clock.now(), { kind: 'manual', durationMs: 30_000 }), ctx('rollback.flip'));
  clock.advance(MIN);
  const tick = session.recordTick({ id: itemsOf(doc).at(-1)!.id, label: 'Tell the channel', sectionPath: ['Cutover', 'Rollback'] }, true);
  assert.equal(tick.user, 'erin');
  const stop = session.stopDrill()!;
  assert.equal(stop.durationMs, 2 * MIN);
  assert.equal(session.drillRunning, false);

  const text = readFileSync(session.evidenceFile, 'utf8');
  assertNoSecret(text, KEY, 'the evidence');
  const events = readEvidence(session.evidenceFile).map((r) => `${r.event}:${r.checkId}`);
  assert.deepEqual(events, [
    'check:rollout.5-percent', 'rollout:rollout.5', 'check:smoke.recall', 'drill-start:drill', 'check:rollback.flip', 'drill-split:drill', 'tick:' + itemsOf(doc).at(-1)!.id, 'drill-stop:drill',
  ]);
  const split = readEvidence(session.evidenceFile).find((r) => r.event === 'drill-split')!;
  assert.equal(split.durationMs, 30_000);

  const md = session.report(doc);
  assertNoSecret(md, KEY);
  assert.match(md, /\| 5% \|.*✘ fail \| not run \| ✘ smokes missing or failing → roll back \|/);
  assert.match(md, /Tell the channel \| ✔ ticked \|.*erin/);
  assert.match(md, /## Drill[\s\S]*total \*\*2 min 00 s\*\*[\s\S]*\| Cutover › Rollback \| 30 s \|/);
  session.dispose();
});

test('a hand tick of a rollout step also opens its window; markRollout works without a check', () => {
  const clock = new FakeClock();
  const dir = tempDir('session');
  const session = new CutoverSession({ runbookPath: join(dir, 'c.runbook.md'), clock, user: 'finn' });
  session.setChecks(checksOf(doc));
  session.recordTick({ id: 'rollout.25-percent' }, true);
  assert.equal(session.windowStatus()!.step, 25);
  session.markRollout(50);
  assert.equal(session.windowStatus()!.step, 50);
  assert.deepEqual(readEvidence(session.evidenceFile).map((r) => r.event), ['tick', 'rollout', 'rollout']);
  session.dispose();
});
