/**
 * The shared test support keeps its promises: temporary folders are removed (after the callback,
 * also when it throws; at process exit), the integration runner finds and removes what a run left
 * behind without touching anything else, and waitFor returns the value or times out with a message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeTempDirs, tempDir, withTempDir } from './tempDir';
import { waitFor } from './waitFor';
import { randomJoins, seededRandom } from './random';

const ROOT = resolve(__dirname, '..', '..');

test('withTempDir removes its folder when the callback returns and when it throws', async () => {
  let kept = '';
  assert.equal(await withTempDir((dir) => { kept = dir; writeFileSync(join(dir, 'f'), 'x'); return 7; }), 7);
  assert.ok(kept.startsWith(join(tmpdir(), 'runbook-tmp-')), kept);
  assert.equal(existsSync(kept), false);
  await assert.rejects(withTempDir(async (dir) => {
    kept = dir;
    mkdirSync(join(dir, 'sub'));
    throw new Error('boom');
  }, 'throws'), /boom/);
  assert.match(kept, /runbook-throws-/);
  assert.equal(existsSync(kept), false);
});

test('tempDir folders are removed by removeTempDirs and, in a process that just ends, at exit', () => {
  const a = tempDir('sweep');
  writeFileSync(join(a, 'f'), 'x');
  removeTempDirs();
  assert.equal(existsSync(a), false);

  const scratch = mkdtempSync(join(tmpdir(), 'runbook-support-test-'));
  try {
    const script = join(scratch, 'child.ts');
    writeFileSync(script, `import { tempDir } from ${JSON.stringify(join(ROOT, 'test', 'support', 'tempDir.ts'))};\nconsole.log(tempDir('child'));\nprocess.exitCode = 3;\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RUNBOOK_TEST_TMP_PREFIX: 'runbook-support-child-' } });
    assert.equal(r.status, 3, r.stderr);
    const made = r.stdout.trim();
    assert.match(made, /runbook-support-child-child-/);
    assert.equal(existsSync(made), false, 'the folder outlived its process');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('the integration runner removes the run folder and lists (then removes) only the run\'s leftovers', async () => {
  const runner = await import(pathToFileURL(join(ROOT, 'test', 'integration', 'runner.mjs')).href);
  await withTempDir((dir) => {
    const work = join(dir, 'runbook-it-Ab12Cd');
    mkdirSync(join(work, 'workspace'), { recursive: true });
    assert.equal(runner.tempPrefixOf(work), 'runbook-it-Ab12Cd-');
    for (const n of ['runbook-it-Ab12Cd-vscode-run-x1', 'runbook-it-Ab12Cd-september-y2']) mkdirSync(join(dir, n));
    // another run's folders and other people's folders stay
    for (const n of ['runbook-it-Ab12Cde', 'runbook-it-Zz99Zz-convert-q', 'runbook-cli-abc']) mkdirSync(join(dir, n));
    assert.deepEqual(runner.runFolders(work, dir).map((f: string) => f.slice(dir.length + 1)),
      ['runbook-it-Ab12Cd', 'runbook-it-Ab12Cd-september-y2', 'runbook-it-Ab12Cd-vscode-run-x1']);
    const left = runner.cleanUpRun(work, dir).map((f: string) => f.slice(dir.length + 1));
    assert.deepEqual(left, ['runbook-it-Ab12Cd-september-y2', 'runbook-it-Ab12Cd-vscode-run-x1']);
    assert.deepEqual(readdirSync(dir).sort(), ['runbook-cli-abc', 'runbook-it-Ab12Cde', 'runbook-it-Zz99Zz-convert-q']);
    assert.deepEqual(runner.cleanUpRun(join(dir, 'runbook-it-Zz99Zz'), dir).map((f: string) => f.slice(dir.length + 1)), ['runbook-it-Zz99Zz-convert-q']);
  }, 'runner-test');
});

test('waitFor returns the first truthy value, or rejects naming what it waited for', async () => {
  let n = 0;
  assert.equal(await waitFor(() => (++n >= 3 ? `after ${n}` : false), { interval: 1 }), 'after 3');
  assert.equal(await waitFor(async () => 0 || 'async'), 'async');
  await assert.rejects(waitFor(() => false, { timeout: 30, interval: 5, what: 'nothing' }), /^Error: timed out after 30 ms waiting for nothing$/);
  let state = 'early';
  const pending = waitFor(() => false, { timeout: 30, interval: 5, what: () => `the state (now ${state})` });
  state = 'late';
  await assert.rejects(pending, /waiting for the state \(now late\)$/);
});

test('seededRandom and randomJoins give the same input on every run, within their bounds', () => {
  const a = seededRandom(3);
  const b = seededRandom(3);
  const xs = Array.from({ length: 100 }, () => a(7));
  assert.deepEqual(Array.from({ length: 100 }, () => b(7)), xs);
  assert.ok(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 7));
  assert.ok(new Set(xs).size === 7, 'every value comes up');
  const joins = [...randomJoins(['a', 'bb'], { count: 200, seed: 5, minParts: 1, maxParts: 3 })];
  assert.deepEqual([...randomJoins(['a', 'bb'], { count: 200, seed: 5, minParts: 1, maxParts: 3 })], joins);
  assert.equal(joins.length, 200);
  assert.ok(joins.every((s) => /^(?:a|bb){1,3}$/.test(s)), 'one to three parts each');
  assert.ok(new Set(joins.map((s) => s.length)).has(6) && joins.some((s) => s === 'a'), 'both bounds are reached');
});
