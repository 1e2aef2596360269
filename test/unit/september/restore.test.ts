import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { scriptedUi } from '../process/harness';
import { corrupt, deploy, engineLogs, type Deployment } from './fixture';

let d: Deployment;
let snap: string;
before(async () => {
  d = await deploy();
  snap = d.snapshot(5);
  // The image rollback already ran: the compose file points at the previous tag.
  const compose = path.join(d.dir, 'docker-compose.yml');
  writeFileSync(compose, readFileSync(compose, 'utf8').replace('engine:2.4.0', 'engine:2.3.1'));
});
after(async () => {
  await d.close();
});

test('brain restore: stopped, copied (operator), hashes match, integrity ok, started, healthy, no MIGRATION_REQUIRED', async () => {
  assert.equal((await d.run('restore.needed', { ui: scriptedUi({ answer: 'yes' }) })).run.verdict, 'pass');

  const stop = await d.run('restore.stop', { ui: scriptedUi({ typed: true }) });
  assert.equal(stop.run.verdict, 'pass', stop.run.reason);

  // Before the copy the live brain differs from the snapshot.
  const differ = await d.run('restore.hashes-match');
  assert.equal(differ.run.verdict, 'fail');
  assert.match(differ.run.reason, new RegExp(`brain\\.sqlite differs from ${snap}`));

  // The copy is the operator's step: the manual check shows the proposed command with inputs filled in.
  const ui = scriptedUi({ answer: 'yes' });
  copyFileSync(path.join(d.data, snap), path.join(d.data, 'brain.sqlite'));
  const copy = await d.run('restore.copy', { ui });
  assert.equal(copy.run.verdict, 'pass');
  assert.match(ui.asked[0]!.text, /docker compose -f docker-compose\.yml run --rm --no-deps -T --entrypoint cp engine/);
  assert.match(ui.asked[0]!.text, /\/data\/<brain-EPOCH\.db> \/data\/brain\.sqlite/);

  const same = await d.run('restore.hashes-match');
  assert.equal(same.run.verdict, 'pass', same.run.reason);
  assert.match(same.run.reason, new RegExp(`brain\\.sqlite matches ${snap}`));
  // The Engine stays stopped: hashing used one-off containers (compose run), not exec.
  assert.ok(d.calls().some((c) => /compose -f docker-compose\.yml run --rm --no-deps -T --entrypoint sha256sum engine/.test(c)));

  const integrity = await d.run('restore.integrity');
  assert.equal(integrity.run.verdict, 'pass', integrity.run.reason);

  d.setFile('logs-on-up', engineLogs({ requests: 4, errors: 0 }));
  const start = await d.run('restore.start');
  assert.equal(start.run.verdict, 'pass', start.run.reason);
  assert.equal((await d.run('restore.health-after-start')).run.verdict, 'pass');
  assert.equal((await d.run('restore.no-migration-required')).run.verdict, 'pass');
});

test('restore.integrity: a corrupt restored brain fails and says not to start on it', async () => {
  corrupt(path.join(d.data, 'brain.sqlite'));
  const r = await d.run('restore.integrity');
  assert.equal(r.run.verdict, 'fail', r.run.reason);
  assert.match(r.run.reason, /integrity_check of the restored brain failed/);
  assert.match(r.run.next ?? '', /do not start the Engine/);
});

test('restore.no-migration-required: still MIGRATION_REQUIRED → fail, escalate', async () => {
  d.setFile('logs', engineLogs({ requests: 1, errors: 0, migrationRequired: true }));
  const r = await d.run('restore.no-migration-required');
  assert.equal(r.run.verdict, 'fail');
  assert.match(r.run.next ?? '', /escalate/);
});

test('restore.hashes-match: no snapshot at all → fail', async () => {
  unlinkSync(path.join(d.data, snap));
  assert.equal(existsSync(path.join(d.data, snap)), false);
  const r = await d.run('restore.hashes-match');
  assert.equal(r.run.verdict, 'fail');
  assert.match(r.run.reason, /no snapshot found/);
});
