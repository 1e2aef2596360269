import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { scriptedUi } from '../process/harness';
import { deploy, engineLogs, type Deployment } from './fixture';

let d: Deployment;
before(async () => {
  d = await deploy();
});
after(async () => {
  await d.close();
});

test('verify.health-stays-ok: all polls ok → pass; one bad poll → fail (no all-clear)', async () => {
  assert.equal((await d.run('verify.health-stays-ok')).run.verdict, 'pass');
  d.engine.setSequence(['ok', 'error', 'ok']);
  const r = await d.run('verify.health-stays-ok');
  assert.equal(r.run.verdict, 'fail');
  assert.match(r.run.reason, /not ok on 1 of 3 polls/);
  d.engine.setState('ok');
});

test('verify.error-rate: recovered → pass; still high → fail', async () => {
  d.setFile('logs', engineLogs({ requests: 200, errors: 1 }));
  const ok = await d.run('verify.error-rate');
  assert.equal(ok.run.verdict, 'pass', ok.run.reason);
  assert.match(ok.run.reason, /error rate 0\.5 %/);
  d.setFile('logs', engineLogs({ requests: 20, errors: 5 }));
  assert.equal((await d.run('verify.error-rate')).run.verdict, 'fail');
});

test('the rollback and all-clear messages are filled in from the inputs', async () => {
  const ui = scriptedUi({ answer: 'yes' });
  await d.run('prepare.announce', { ui });
  assert.match(ui.asked[0]!.text, /Rolling back the September Engine to v2\.3\.1 due to error rate 12 % after the 2\.4\.0 upgrade\./);
  assert.match(ui.asked[0]!.text, /#incident/);
  const ui2 = scriptedUi({ answer: 'yes' });
  await d.run('verify.all-clear', { ui: ui2, inputs: { ...d.inputs, postmortemUrl: 'https://wiki.example/pm/42' } });
  assert.match(ui2.asked[0]!.text, /back on v2\.3\.1 \(rolled back from\s+v2\.4\.0 due to error rate 12 %/);
  assert.match(ui2.asked[0]!.text, /Postmortem: https:\/\/wiki\.example\/pm\/42/);
});

test('verify.postmortem-link: missing → fail; a link → pass', async () => {
  assert.equal((await d.run('verify.postmortem-link')).run.verdict, 'fail');
  const r = await d.run('verify.postmortem-link', { inputs: { ...d.inputs, postmortemUrl: 'https://wiki.example/pm/42' } });
  assert.equal(r.run.verdict, 'pass');
});

test('drill.not-production: a production target in drill mode is refused', async () => {
  const prod = await d.run('drill.not-production', { inputs: { ...d.inputs, mode: 'drill', environment: 'production' } });
  assert.equal(prod.run.verdict, 'fail');
  assert.match(prod.run.reason, /^refused: .*environment is production/);
  const url = await d.run('drill.not-production', { inputs: { ...d.inputs, mode: 'drill', environment: 'staging', engineUrl: 'https://engine.PROD.acme.internal' } });
  assert.equal(url.run.verdict, 'fail');
  assert.match(url.run.reason, /contains "prod"/);
  const staging = await d.run('drill.not-production', { inputs: { ...d.inputs, mode: 'drill', environment: 'staging' } });
  assert.equal(staging.run.verdict, 'pass', staging.run.reason);
  const incident = await d.run('drill.not-production', { inputs: { ...d.inputs, mode: 'incident', environment: 'production' } });
  assert.equal(incident.run.verdict, 'pass');
  assert.match(incident.run.reason, /incident mode/);
});

test('untrusted workspace: no September check starts a process (no docker call, no export file)', async () => {
  const before = d.calls().length;
  for (const id of ['prepare.running-tag', 'rollback.stop', 'prepare.forensic-export', 'rollback.compose-edit']) {
    const r = await d.run(id, { trusted: false });
    assert.equal(r.run.verdict, 'skipped', id);
  }
  assert.equal(d.calls().length, before);
  assert.equal(existsSync(path.join(d.dir, 'rollback-forensics')), false);
});

test('drill mode: the steps that change the system refuse a production-looking target too (no docker call, file untouched)', async () => {
  const drillProd = { ...d.inputs, mode: 'drill', environment: 'production' };
  const before = d.calls().length;
  const compose = readFileSync(path.join(d.dir, 'docker-compose.yml'), 'utf8');
  for (const id of ['rollback.compose-edit', 'rollback.stop', 'rollback.start', 'restore.stop', 'restore.start']) {
    const r = await d.run(id, { inputs: drillProd });
    assert.equal(r.run.verdict, 'fail', id);
    assert.match(r.run.reason, /^refused: a drill must not change what looks like production/, id);
  }
  assert.equal(d.calls().length, before);
  assert.equal(readFileSync(path.join(d.dir, 'docker-compose.yml'), 'utf8'), compose);
  // A staging drill goes ahead.
  const staging = await d.run('rollback.stop', { inputs: { ...d.inputs, mode: 'drill', environment: 'staging' } });
  assert.equal(staging.run.verdict, 'pass', staging.run.reason);
});
