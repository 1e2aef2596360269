import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { deploy, ENGINE_KEY, type Deployment } from './fixture';
import { startEngineServer } from '../../servers/engine/server';
import { assertNoSecret } from '../../support/secrets';

let d: Deployment;
before(async () => {
  d = await deploy();
});
after(async () => {
  await d.close();
});

function clearSnapshots(): void {
  for (const f of readdirSync(d.data)) if (/^brain-\d+\.db$/.test(f)) unlinkSync(path.join(d.data, f));
}

test('prepare.running-tag records the running image; a different tag warns; stopped fails', async () => {
  const r = await d.run('prepare.running-tag');
  assert.equal(r.run.verdict, 'pass', r.run.reason);
  assert.equal(r.run.reason, 'running engine:2.4.0 (recorded)');
  const other = await d.run('prepare.running-tag', { inputs: { ...d.inputs, currentTag: '2.4.1' } });
  assert.equal(other.run.verdict, 'warn');
  d.setFile('state', 'exited\n');
  try {
    assert.equal((await d.run('prepare.running-tag')).run.verdict, 'fail');
  } finally {
    d.setFile('state', 'running\n');
  }
});

test('prepare.previous-image: present → pass; missing → fail with the rebuild fallback', async () => {
  assert.equal((await d.run('prepare.previous-image')).run.verdict, 'pass');
  const missing = await d.run('prepare.previous-image', { inputs: { ...d.inputs, previousTag: '2.2.9' } });
  assert.equal(missing.run.verdict, 'fail');
  assert.match(missing.run.reason, /engine:2\.2\.9 is not on this host/);
  assert.match(missing.run.next ?? '', /rebuild it from the previous git tag/);
  assert.ok(d.calls().some((c) => c === 'docker image inspect engine:2.2.9'));
});

test('prepare.snapshot-recent: fresh snapshot → pass, stale → fail, none → fail, after the upgrade → not counted', async () => {
  clearSnapshots();
  const none = await d.run('prepare.snapshot-recent');
  assert.equal(none.run.verdict, 'fail');
  assert.match(none.run.reason, /no brain-<epoch>\.db snapshot/);

  const stale = d.snapshot(48);
  const old = await d.run('prepare.snapshot-recent');
  assert.equal(old.run.verdict, 'fail');
  assert.match(old.run.reason, new RegExp(`${stale} is 48\\.0 h old, older than 24 h`));

  const fresh = d.snapshot(2);
  const ok = await d.run('prepare.snapshot-recent');
  assert.equal(ok.run.verdict, 'pass', ok.run.reason);
  assert.equal(ok.run.reason, `${fresh} is 2.0 h old (limit 24 h)`);
  assert.ok(d.calls().some((c) => /compose -f docker-compose\.yml exec -T engine sh -c .*brain-\\\*\.db.* sh \/data/.test(c)), d.calls().join('\n'));

  // The upgrade happened 10 h ago: the 2 h old snapshot is from after it; the 48 h one is too old.
  const upgradedAt = String(Math.floor(Date.now() / 1000 - 10 * 3600));
  const post = await d.run('prepare.snapshot-recent', { inputs: { ...d.inputs, upgradedAt } });
  assert.equal(post.run.verdict, 'fail');
  assert.match(post.run.reason, /38\.0 h old/);
});

test('prepare.snapshot-integrity: a sound snapshot → ok; a corrupt one → fail; runs sqlite3 inside the container', async () => {
  clearSnapshots();
  const good = d.snapshot(3);
  const ok = await d.run('prepare.snapshot-integrity');
  assert.equal(ok.run.verdict, 'pass', ok.run.reason);
  assert.equal(ok.run.reason, `integrity_check of ${good}: ok`);
  assert.ok(d.calls().some((c) => c.includes(`exec -T engine sqlite3 /data/${good} PRAGMA\\ integrity_check`)), d.calls().join('\n'));

  const bad = d.snapshot(1, { corrupt: true });
  const broken = await d.run('prepare.snapshot-integrity');
  assert.equal(broken.run.verdict, 'fail', broken.run.reason);
  assert.match(broken.run.reason, new RegExp(`integrity_check of ${bad} failed`));
  // The sound one can still be chosen explicitly.
  const chosen = await d.run('prepare.snapshot-integrity', { inputs: { ...d.inputs, restoreSnapshot: good } });
  assert.equal(chosen.run.verdict, 'pass');
  const emptyName = `brain-${Math.floor(Date.now() / 1000) - 60}.db`;
  writeFileSync(path.join(d.data, emptyName), '');
  const empty = await d.run('prepare.snapshot-integrity');
  assert.equal(empty.run.verdict, 'fail');
  assert.match(empty.run.reason, /is empty \(0 bytes\)/);
  unlinkSync(path.join(d.data, emptyName));
  const absent = await d.run('prepare.snapshot-integrity', { inputs: { ...d.inputs, restoreSnapshot: 'brain-1.db' } });
  assert.equal(absent.run.verdict, 'fail');
  assert.equal(existsSync(path.join(d.data, 'brain-1.db')), false, 'sqlite3 must not create a missing snapshot');
});

test('prepare.forensic-export saves the /memory/export bundle; the key is masked; 405 is explained', async () => {
  const r = await d.run('prepare.forensic-export');
  assert.equal(r.run.verdict, 'pass', r.run.reason);
  const dir = path.join(d.dir, 'rollback-forensics');
  const files = readdirSync(dir);
  assert.equal(files.length, 1);
  assert.match(readFileSync(path.join(dir, files[0]!), 'utf8'), /written in the bad window/);
  assert.equal(d.engine.requests.at(-1)?.key, ENGINE_KEY);
  assertNoSecret(JSON.stringify(r), ENGINE_KEY, 'the run');
  rmSync(dir, { recursive: true });
  const noKey = await d.run('prepare.forensic-export', { inputs: { ...d.inputs, engineKey: '' } });
  assert.equal(noKey.run.verdict, 'fail');
  assert.match(noKey.run.reason, /no engineKey/);
  const wrong = await d.run('prepare.forensic-export', { inputs: { ...d.inputs, engineKey: 'wrong-key-123' } });
  assert.equal(wrong.run.verdict, 'fail');
  assert.match(wrong.run.reason, /HTTP 401/);
  const post = await startEngineServer({ engineKey: ENGINE_KEY, exportMode: '405' });
  try {
    const r405 = await d.run('prepare.forensic-export', { inputs: { ...d.inputs, engineUrl: post.url } });
    assert.equal(r405.run.verdict, 'fail');
    assert.match(r405.run.reason, /405 Method Not Allowed/);
    assert.match(r405.run.next ?? '', /GET vs POST/);
  } finally {
    await post.close();
  }
});
