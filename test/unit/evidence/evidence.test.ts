import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Masker } from '../../../src/core/secrets/mask';
import type { CheckRun } from '../../../src/core/checks/types';
import {
  appendEvidence, evidenceFromRun, evidencePathFor, handTickRecord, readEvidence, readEvidenceDetailed, recordInputs, SECRET_PLACEHOLDER,
} from '../../../src/core/evidence/log';
import { itemsOf, renderReport, taskItemId } from '../../../src/core/evidence/report';
import { DrillTimer, RolloutWindow, type Clock } from '../../../src/core/cutover/timers';
import { buildDoc } from '../plan/docBuilder';
import { assertNoSecret } from '../../support/secrets';
import { tempDir } from '../../support/tempDir';

const SECRET = 'engramia_sk_TESTSECRET0123456789abcdefghijklmnopqrstuv';
const tmp = () => tempDir('evidence');

const run = (over: Partial<CheckRun> & { checkId: string }): CheckRun => ({
  verdict: 'pass', reason: 'ok', kind: 'http', startedAt: '2026-11-22T10:00:00.000Z', durationMs: 84, ...over,
});

test('evidencePathFor puts the log beside the runbook', () => {
  assert.equal(evidencePathFor('/x/ops/cutover.runbook.md'), '/x/ops/cutover.runbook.evidence.jsonl');
  assert.equal(evidencePathFor('notes.txt'), 'notes.txt.evidence.jsonl');
});

test('recordInputs replaces secret inputs (declared or by value) with "(secret)"', () => {
  const rec = recordInputs({ baseUrl: 'http://127.0.0.1:1', apiKey: SECRET, other: SECRET, n: '3' }, [{ name: 'apiKey', secret: true }, { name: 'n', secret: false }], [SECRET]);
  assert.deepEqual(rec, { baseUrl: 'http://127.0.0.1:1', apiKey: SECRET_PLACEHOLDER, other: SECRET_PLACEHOLDER, n: '3' });
});

test('appendEvidence masks every field; readEvidence round-trips and tolerates a truncated last line', () => {
  const file = join(tmp(), 'a.runbook.evidence.jsonl');
  const masker = new Masker([SECRET]);
  const r = evidenceFromRun(
    { ...run({ checkId: 'obs.health', reason: `401 Invalid API key ${SECRET}`, data: { targetHost: '127.0.0.1:8000', serverVersion: '0.6.6', echoed: `Bearer ${SECRET}` } }), sectionPath: ['Obs'], label: 'health' },
    { inputs: { apiKey: SECRET, baseUrl: 'http://h' }, user: 'alice' },
  );
  appendEvidence(file, r, masker);
  const text = readFileSync(file, 'utf8');
  assertNoSecret(text, SECRET, 'the evidence log');
  const [back] = readEvidence(file);
  assert.equal(back!.checkId, 'obs.health');
  assert.equal(back!.targetHost, '127.0.0.1:8000');
  assert.equal(back!.serverVersion, '0.6.6');
  assert.equal(back!.tickedBy, 'check');
  assert.deepEqual(back!.section, ['Obs']);
  assert.match(back!.reason, /401 Invalid API key ••/);

  // A writer died mid-line: the partial line is skipped, and the next append starts a fresh line.
  appendFileSync(file, '{"checkId":"half","verd');
  assert.equal(readEvidence(file).length, 1);
  appendEvidence(file, handTickRecord({ id: 'task:x', label: 'x' }, true, { user: 'bob', at: 0 }), masker);
  const d = readEvidenceDetailed(file);
  assert.deepEqual(d.records.map((x) => x.checkId), ['obs.health', 'task:x']);
  assert.deepEqual(d.skippedLines, [2]);
  assert.deepEqual(readEvidence(join(tmp(), 'missing.jsonl')), []);
});

test('handTickRecord records who ticked or unticked', () => {
  const t = handTickRecord({ id: 'a', label: 'A', section: ['S'] }, true, { user: 'carol', at: Date.parse('2026-11-22T10:00:00Z') });
  assert.equal(t.event, 'tick');
  assert.equal(t.tickedBy, 'hand');
  assert.equal(t.user, 'carol');
  assert.equal(handTickRecord({ id: 'a' }, false, { user: 'carol' }).event, 'untick');
  assert.ok(handTickRecord({ id: 'a' }, true).user, 'falls back to the OS user');
});

class StepClock implements Clock {
  constructor(public t: number) {}
  now() { return this.t; }
  setTimeout() { return 0; }
  clearTimeout() {}
}

test('renderReport: sections, latest verdicts, hand ticks, rollout windows, drill; no secret anywhere', () => {
  const doc = buildDoc([
    { h: 1, title: 'Cutover' },
    { h: 2, title: 'Pre-cutover' },
    { task: 'Health returns ok' }, { check: 'obs.health', kind: 'http', body: 'GET {{baseUrl}}/v1/health' },
    { task: 'Error budget tracks engramia metrics' },
    { task: 'Backup taken today' }, { check: 'data.backup', kind: 'shell', body: 'test -f x' },
    { h: 2, title: 'Smoke tests' },
    { task: 'Recall' }, { check: 'smoke.2-recall', kind: 'http', body: 'POST x' },
    { task: 'Quota' }, { check: 'smoke.5-quota', kind: 'engramia', body: '' },
    { h: 2, title: 'Rollback' },
    { task: 'Flip the flag back' }, { check: 'rollback.1', kind: 'manual', body: 'flip' },
  ], 'Engramia cutover');
  const items = itemsOf(doc);
  assert.deepEqual(items.map((i) => i.id), ['obs.health', taskItemId(['Cutover', 'Pre-cutover'], 'Error budget tracks engramia metrics'), 'data.backup', 'smoke.2-recall', 'smoke.5-quota', 'rollback.1']);

  const file = join(tmp(), 'c.runbook.evidence.jsonl');
  const masker = new Masker([SECRET]);
  const inputs = recordInputs({ baseUrl: 'http://127.0.0.1:8000', apiKey: SECRET }, [{ name: 'apiKey', secret: true }]);
  const t0 = Date.parse('2026-11-22T10:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const add = (r: Parameters<typeof evidenceFromRun>[0]) => appendEvidence(file, evidenceFromRun(r, { inputs }), masker);
  add(run({ checkId: 'obs.health', verdict: 'fail', reason: `401 Invalid API key. (sent ${SECRET})`, next: 'set ENGRAMIA_API_KEY', startedAt: iso(t0), data: { targetHost: '127.0.0.1:8000', serverVersion: '0.6.6' } }));
  add(run({ checkId: 'obs.health', verdict: 'pass', reason: '200 OK in 12 ms', startedAt: iso(t0 + 60_000), data: { targetHost: '127.0.0.1:8000', serverVersion: '0.6.6' } }));
  appendEvidence(file, handTickRecord({ id: items[1]!.id, label: items[1]!.label }, true, { user: 'dana', at: t0 + 120_000 }), masker);
  add(run({ checkId: 'data.backup', kind: 'shell', verdict: 'fail', reason: 'backup | is 3 days old', next: 'take a backup', startedAt: iso(t0 + 130_000) }));

  const clock = new StepClock(t0 + 200_000);
  const w = new RolloutWindow({ clock, smokeIds: ['smoke.2-recall', 'smoke.5-quota'] });
  appendEvidence(file, w.markRollout(5), masker);
  add(run({ checkId: 'smoke.2-recall', startedAt: iso(t0 + 260_000), reason: '3 conditions passed' }));
  add(run({ checkId: 'smoke.5-quota', kind: 'engramia', startedAt: iso(t0 + 270_000), verdict: 'warn', reason: 'patterns_used near limit' }));
  clock.t = t0 + 40 * 60_000;
  appendEvidence(file, w.markRollout(25), masker);
  add(run({ checkId: 'smoke.2-recall', startedAt: iso(clock.t + 60_000), reason: 'ok' }));

  const drill = new DrillTimer(clock, 'rollback drill');
  clock.t = t0 + 3_600_000;
  appendEvidence(file, drill.start(), masker);
  drill.checkStarted('Rollback');
  clock.t += 90_000;
  appendEvidence(file, drill.checkFinished('Rollback', true)!, masker);
  clock.t += 30_000;
  appendEvidence(file, drill.stop()!, masker);

  const md = renderReport(doc, readEvidence(file), { now: t0 + 2 * 3_600_000, masker, file: 'c.runbook.md' });
  assertNoSecret(md, SECRET, 'the report');
  assertNoSecret(md, 'TESTSECRET', 'the report (part of the secret)');
  assert.match(md, /^# Cutover report: Engramia cutover/);
  assert.match(md, /\| Target host \| 127\.0\.0\.1:8000 \|/);
  assert.match(md, /\| Server version \| 0\.6\.6 \|/);
  // a second host and server version: the headers count them
  add(run({ checkId: 'obs.health', verdict: 'pass', reason: '200 OK', startedAt: iso(t0 + 61_000), data: { targetHost: '127.0.0.2:8000', serverVersion: '0.6.7' } }));
  const two = renderReport(doc, readEvidence(file), { now: t0 + 2 * 3_600_000, masker, file: 'c.runbook.md' });
  assert.match(two, /\| Target hosts \| 127\.0\.0\.1:8000, 127\.0\.0\.2:8000 \|/);
  assert.match(two, /\| Server versions \| 0\.6\.6, 0\.6\.7 \|/);
  assert.match(md, /\| Generated \| 2026-11-22 12:00:00Z \|/);
  assert.match(md, /apiKey=\(secret\)/);
  assert.match(md, /## Cutover › Pre-cutover/);
  // Latest verdict wins for obs.health.
  assert.match(md, /Health returns ok <sub>`obs.health`<\/sub> \| ✔ pass \| 2026-11-22 10:01:00Z \| 84 ms \| 200 OK in 12 ms \|/);
  assert.ok(!md.includes('401 Invalid API key'));
  assert.match(md, /Error budget tracks engramia metrics \| ✔ ticked \|.*\| dana \(ticked 2026-11-22 10:02:00Z\) \|/);
  assert.match(md, /backup \\\| is 3 days old → take a backup/);
  assert.match(md, /Flip the flag back <sub>`rollback.1`<\/sub> \| not run \|/);
  // Rollout windows: 5% closed green (warn is green), 25% closed with quota not run.
  assert.match(md, /\| 5% \|.*✔ pass \| ⚠ warn \| ✔ all smokes green \|/);
  assert.match(md, /\| 25% \|.*✔ pass \| not run \| ✘ smokes missing or failing → roll back \|/);
  assert.match(md, /## Drill[\s\S]*total \*\*2 min 00 s\*\*[\s\S]*\| Rollback \| 1 min 30 s \|/);
  assert.match(md, /\| Result \| 3 passed, 1 warned, 1 failed, 0 skipped, 1 not run \(of 6\) \|/);
});
