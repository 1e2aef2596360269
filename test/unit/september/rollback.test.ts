import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

const compose = () => readFileSync(path.join(d.dir, 'docker-compose.yml'), 'utf8');

test('image rollback end to end: edit confirmed, pull, drain-stop, start, health within the deadline, no MIGRATION_REQUIRED', async () => {
  // Declined edit: the compose file keeps the bad tag.
  const declined = await d.run('rollback.compose-edit', { ui: scriptedUi({ edit: false }) });
  assert.equal(declined.run.verdict, 'fail');
  assert.match(compose(), /image: engine:2\.4\.0/);

  const ui = scriptedUi({ edit: true });
  const edit = await d.run('rollback.compose-edit', { ui });
  assert.equal(edit.run.verdict, 'pass', edit.run.reason);
  assert.equal(ui.asked[0]?.kind, 'edit');
  assert.equal(ui.asked[0]?.text, path.join(d.dir, 'docker-compose.yml'));
  assert.match(compose(), /^ {4}image: engine:2\.3\.1$/m);
  assert.match(compose(), /127\.0\.0\.1:8000:8000/, 'the rest of the file is untouched');

  assert.equal((await d.run('rollback.pull')).run.verdict, 'pass');

  // Stop asks for the typed word first; declined → docker is never called.
  const before = d.calls().length;
  const no = await d.run('rollback.stop', { ui: scriptedUi({ typed: false }) });
  assert.equal(no.run.verdict, 'fail');
  assert.equal(d.calls().length, before);
  const stopUi = scriptedUi({ typed: true });
  const stop = await d.run('rollback.stop', { ui: stopUi });
  assert.equal(stop.run.verdict, 'pass', stop.run.reason);
  assert.equal(stopUi.asked[0]?.expected, 'stop');
  assert.ok(d.calls().includes('docker compose -f docker-compose.yml stop --timeout 30 engine'), d.calls().join('\n'));

  d.setFile('logs-on-up', engineLogs({ requests: 5, errors: 0 }));
  d.engine.setSequence(['hangup', 'starting', 'starting', 'ok']);
  const start = await d.run('rollback.start');
  assert.equal(start.run.verdict, 'pass', start.run.reason);
  assert.equal(start.run.reason, 'running engine:2.3.1');
  const health = await d.run('rollback.health-after-start');
  assert.equal(health.run.verdict, 'pass', health.run.reason);
  assert.match(health.output, /HTTP 503/);
  const mig = await d.run('rollback.no-migration-required');
  assert.equal(mig.run.verdict, 'pass', mig.run.reason);
});

test('rollback.no-migration-required: MIGRATION_REQUIRED in the logs → fail with that reason and the restore as next step', async () => {
  d.setFile('logs', engineLogs({ requests: 3, errors: 0, migrationRequired: true }));
  const r = await d.run('rollback.no-migration-required');
  assert.equal(r.run.verdict, 'fail');
  assert.match(r.run.reason, /^MIGRATION_REQUIRED in the Engine logs \(1 line\)/);
  assert.match(r.run.next ?? '', /restore the brain/);
  d.setFile('logs', '');
});

test('rollback.health-after-start: never healthy within the deadline → fail', async () => {
  d.engine.setState('degraded');
  try {
    const r = await d.run('rollback.health-after-start', { inputs: { ...d.inputs, startDeadlineSeconds: '1' } });
    assert.equal(r.run.verdict, 'fail');
    assert.match(r.run.reason, /not ok within 1 s: HTTP 200, status 'degraded'/);
  } finally {
    d.engine.setState('ok');
  }
});

test('rollback.start: the compose file was not edited → fail (still the bad image)', async () => {
  const r = await d.run('rollback.start', { inputs: { ...d.inputs, previousTag: '2.2.0' } });
  assert.equal(r.run.verdict, 'fail');
  assert.match(r.run.reason, /expected engine:2\.2\.0/);
});

test('rollback.compose-edit: no matching image line → fail before anything is proposed', async () => {
  const ui = scriptedUi();
  const r = await d.run('rollback.compose-edit', { ui, inputs: { ...d.inputs, currentTag: '9.9.9', previousTag: '9.9.8' } });
  assert.equal(r.run.verdict, 'fail');
  assert.match(r.run.reason, /no 'image: engine:9\.9\.9' line/);
  assert.equal(ui.asked.length, 0);
});

test('rollback.stop: a stop that uses the whole drain timeout warns (in-flight turns cut off)', async () => {
  d.setFile('state', 'running\n');
  d.setFile('stop-seconds', '1');
  try {
    const r = await d.run('rollback.stop', { inputs: { ...d.inputs, drainTimeout: '1' } });
    assert.equal(r.run.verdict, 'warn', r.run.reason);
    assert.match(r.run.reason, /drain timeout ran out/);
  } finally {
    d.setFile('stop-seconds', '0');
  }
});
