import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DrillTimer, RolloutWindow, rolloutStepOf, type WindowStatus } from '../../../src/core/cutover/timers';
import { FakeClock } from './fakeClock';

const MIN = 60_000;
const SMOKES = ['smoke.1', 'smoke.2', 'smoke.3', 'smoke.4', 'smoke.5'];

test('rolloutStepOf reads the step from rollout check ids', () => {
  assert.equal(rolloutStepOf('rollout.5-percent'), 5);
  assert.equal(rolloutStepOf('rollout.100-percent'), 100);
  assert.equal(rolloutStepOf('rollout.25'), 25);
  assert.equal(rolloutStepOf('rollout.30-percent'), undefined);
  assert.equal(rolloutStepOf('smoke.1'), undefined);
});

test('a rollout window closes green when all five smokes pass inside it', () => {
  const clock = new FakeClock();
  const closed: WindowStatus[] = [];
  const w = new RolloutWindow({ clock, smokeIds: SMOKES, onClose: (s) => closed.push(s) });
  const rec = w.markRollout(25);
  assert.equal(rec.event, 'rollout');
  assert.equal(rec.data?.['step'], 25);
  clock.advance(10 * MIN);
  for (const id of SMOKES) w.record({ checkId: id, verdict: id === 'smoke.5' ? 'warn' : 'pass', at: clock.now() });
  const open = w.windowStatus()!;
  assert.equal(open.state, 'open');
  assert.equal(open.remainingMs, 20 * MIN);
  assert.equal(closed.length, 0);
  clock.advance(20 * MIN);
  assert.equal(closed.length, 1);
  assert.equal(closed[0]!.state, 'closed-green');
  assert.equal(closed[0]!.message, undefined);
});

test('a window that closes with a smoke not run or failing says so and points to rollback', () => {
  const clock = new FakeClock();
  const closed: WindowStatus[] = [];
  const w = new RolloutWindow({ clock, smokeIds: SMOKES, rollbackSection: 'Rollback', onClose: (s) => closed.push(s) });
  // A pass before the window opened does not count.
  w.record({ checkId: 'smoke.4', verdict: 'pass', at: clock.now() - 1 });
  w.markRollout(5);
  clock.advance(MIN);
  w.record({ checkId: 'smoke.1', verdict: 'pass', at: clock.now() });
  w.record({ checkId: 'smoke.2', verdict: 'fail', at: clock.now() });
  w.record({ checkId: 'smoke.3', verdict: 'pass', at: new Date(clock.now()).toISOString() });
  w.record({ checkId: 'smoke.5', verdict: 'pass', at: clock.now() });
  w.record({ checkId: 'not-a-smoke', verdict: 'fail', at: clock.now() });
  clock.advance(29 * MIN);
  assert.equal(closed.length, 1);
  const s = closed[0]!;
  assert.equal(s.state, 'closed-missing');
  assert.deepEqual(s.smokes, { 'smoke.1': 'pass', 'smoke.2': 'fail', 'smoke.3': 'pass', 'smoke.4': 'not run', 'smoke.5': 'pass' });
  assert.match(s.message!, /Rollout 5%.*smoke\.2 fail, smoke\.4 not run.*"Rollback"/);
  // Results after the window closed do not turn it green.
  w.record({ checkId: 'smoke.4', verdict: 'pass', at: clock.now() + 1 });
  assert.equal(w.windowStatus(clock.now() + 2)!.state, 'closed-missing');
});

test('a later pass of a smoke inside the window replaces an earlier failure', () => {
  const clock = new FakeClock();
  const w = new RolloutWindow({ clock, smokeIds: ['smoke.a'] });
  w.markRollout(50);
  w.record({ checkId: 'smoke.a', verdict: 'fail', at: clock.now() + MIN });
  w.record({ checkId: 'smoke.a', verdict: 'pass', at: clock.now() + 2 * MIN });
  assert.equal(w.windowStatus(clock.now() + 31 * MIN)!.state, 'closed-green');
});

test('marking the next step replaces the open window; dispose cancels the timer', () => {
  const clock = new FakeClock();
  const closed: WindowStatus[] = [];
  const w = new RolloutWindow({ clock, smokeIds: SMOKES, onClose: (s) => closed.push(s), windowMs: 10 * MIN });
  w.markRollout(5);
  clock.advance(5 * MIN);
  w.markRollout(25);
  assert.equal(clock.pending, 1);
  clock.advance(9 * MIN);
  assert.equal(closed.length, 0);
  clock.advance(MIN);
  assert.deepEqual(closed.map((c) => c.step), [25]);
  w.markRollout(50);
  w.dispose();
  assert.equal(clock.pending, 0);
  assert.throws(() => w.markRollout(30 as never), /rollout step/);
});

test('drill timer: splits from first check start to last check finish, explicit splits, total', () => {
  const clock = new FakeClock();
  const d = new DrillTimer(clock, 'rollback drill');
  assert.equal(d.total(), 0);
  const start = d.start();
  assert.equal(start.event, 'drill-start');
  clock.advance(MIN);
  d.checkStarted('Stage 1');
  clock.advance(2 * MIN);
  assert.equal(d.checkFinished('Stage 1', false), undefined);
  clock.advance(MIN);
  const s1 = d.checkFinished('Stage 1', true)!;
  assert.equal(s1.event, 'drill-split');
  assert.equal(s1.durationMs, 3 * MIN);
  clock.advance(4 * MIN);
  const s2 = d.split('Stage 2')!; // never started by a check: starts at the previous mark
  assert.equal(s2.durationMs, 4 * MIN);
  clock.advance(MIN);
  const stop = d.stop()!;
  assert.equal(stop.event, 'drill-stop');
  assert.equal(stop.durationMs, 9 * MIN);
  assert.deepEqual(stop.data?.['splits'], [{ section: 'Stage 1', durationMs: 3 * MIN }, { section: 'Stage 2', durationMs: 4 * MIN }]);
  clock.advance(10 * MIN);
  assert.equal(d.total(), 9 * MIN);
  assert.equal(d.running, false);
  assert.equal(d.stop(), undefined);
  // Serialisable.
  assert.deepEqual(JSON.parse(JSON.stringify(stop)).durationMs, 9 * MIN);
});
