/**
 * Hostile repos plant files where we write: a symlink, FIFO or folder as the evidence sidecar,
 * report or JUnit path, and proposesEdit targets outside the check's folder. Nothing is written
 * through them, nothing blocks, and explicitly requested outputs that cannot be written stop the
 * run before any check runs (a marker file proves no check ran). Labels cannot break out of their
 * JSON string in evidence. Real files, real processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { run, scriptedUi } from '../unit/process/harness';
import { appendEvidence, readEvidenceDetailed, type EvidenceRecord } from '../../src/core/evidence/log';
import { tempDir } from '../support/tempDir';

const posix = process.platform !== 'win32';

function setup(): { dir: string; file: string; marker: string; outside: string; outsideText: string } {
  const root = tempDir('hostile-files');
  const dir = join(root, 'repo');
  mkdirSync(dir);
  const outside = join(root, 'victim.txt');
  const outsideText = 'precious\n';
  writeFileSync(outside, outsideText);
  const marker = join(root, 'check-ran');
  const file = join(dir, 'ops.runbook.md');
  writeFileSync(file, ['# Ops', '', '- [ ] Touch', '  ```shell {id=touch}', `  touch '${marker}'`, '  ```', ''].join('\n'));
  return { dir, file, marker, outside, outsideText };
}

test('default evidence sidecar planted as a symlink to a file outside: not followed, run still works', async () => {
  const s = setup();
  symlinkSync(s.outside, join(s.dir, 'ops.runbook.evidence.jsonl'));
  const r = await runCli(['run', s.file]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /symbolic link/);
  assert.equal(readFileSync(s.outside, 'utf8'), s.outsideText);
  assert.ok(existsSync(s.marker));
});

test('default evidence sidecar planted as a FIFO or a folder: refused (no hang), run still works', { skip: !posix }, async () => {
  for (const plant of ['fifo', 'dir'] as const) {
    const s = setup();
    const side = join(s.dir, 'ops.runbook.evidence.jsonl');
    if (plant === 'fifo') execFileSync('mkfifo', [side]);
    else mkdirSync(side);
    const r = await runCli(['run', s.file, '--report', join(s.dir, 'report.md')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, plant === 'fifo' ? /FIFO/ : /directory/);
    assert.ok(existsSync(s.marker));
  }
});

for (const flag of ['--evidence', '--report', '--junit'] as const) {
  test(`${flag} pointing at a planted symlink: exit 2 before any check runs, nothing written through it`, async () => {
    const s = setup();
    const link = join(s.dir, 'out.file');
    symlinkSync(s.outside, link);
    const r = await runCli(['run', s.file, flag, link]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`${flag}: .*symbolic link`));
    assert.ok(!existsSync(s.marker), 'a check ran although an output path was unusable');
    assert.equal(readFileSync(s.outside, 'utf8'), s.outsideText);
  });

  test(`${flag} pointing at a FIFO: exit 2 before any check runs (no hang)`, { skip: !posix }, async () => {
    const s = setup();
    const fifo = join(s.dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli(['run', s.file, flag, fifo]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /FIFO/);
    assert.ok(!existsSync(s.marker));
  });
}

test('--evidence into a read-only folder: exit 2 before any check runs', { skip: !posix || process.getuid?.() === 0 }, async () => {
  const s = setup();
  const ro = join(s.dir, 'ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  try {
    const r = await runCli(['run', s.file, '--evidence', join(ro, 'sub', 'ev.jsonl')]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.ok(!existsSync(s.marker));
  } finally {
    chmodSync(ro, 0o755);
  }
});

test('--report into a folder that does not exist yet: created level by level, written', async () => {
  const s = setup();
  const report = join(s.dir, 'out', 'a', 'b', 'report.md');
  const r = await runCli(['run', s.file, '--report', report]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(readFileSync(report, 'utf8'), /Ops/);
});

test('appendEvidence refuses a symlinked sidecar and a FIFO (core, as the extension uses it)', { skip: !posix }, () => {
  const s = setup();
  const link = join(s.dir, 'x.evidence.jsonl');
  symlinkSync(s.outside, link);
  const rec: EvidenceRecord = { checkId: 'a', kind: 'shell', verdict: 'pass', reason: 'ok', timestamp: new Date(0).toISOString(), durationMs: 1, tickedBy: 'check' };
  assert.throws(() => appendEvidence(link, rec), /symbolic link/);
  assert.equal(readFileSync(s.outside, 'utf8'), s.outsideText);
  const fifo = join(s.dir, 'y.evidence.jsonl');
  execFileSync('mkfifo', [fifo]);
  assert.throws(() => appendEvidence(fifo, rec), /FIFO/);
  assert.throws(() => readEvidenceDetailed(fifo), /FIFO/);
});

test('labels and reasons cannot break out of their JSON string in evidence', () => {
  const s = setup();
  const file = join(s.dir, 'z.evidence.jsonl');
  const evil = '"}\n{"checkId":"forged","verdict":"pass"}\r\n\u2028\\';
  appendEvidence(file, { checkId: 'real', kind: 'shell', verdict: 'fail', reason: evil, label: evil, timestamp: new Date(0).toISOString(), durationMs: 1, tickedBy: 'check' });
  const text = readFileSync(file, 'utf8');
  assert.equal(text.split('\n').filter(Boolean).length, 1);
  const { records, skippedLines } = readEvidenceDetailed(file);
  assert.equal(skippedLines.length, 0);
  assert.deepEqual(records.map((r) => r.checkId), ['real']);
  assert.equal(records[0]!.label, evil);
});

// ---- proposesEdit targets ----

const proposal = 'printf "owned\\n" > "$RUNBOOK_PROPOSED_EDIT"';

test('proposesEdit with a path-traversal target (../victim.txt): refused, the file is untouched, nobody is asked', async () => {
  const s = setup();
  const ui = scriptedUi({ edit: true, typed: true });
  const { run: r } = await run('shell', proposal, { cwd: s.dir, inputs: { target: '../victim.txt' }, attributes: { proposesEdit: 'target' }, ui });
  assert.equal(r.verdict, 'fail');
  assert.match(r.reason, /outside/);
  assert.equal(ui.asked.length, 0);
  assert.equal(readFileSync(s.outside, 'utf8'), s.outsideText);
});

test('proposesEdit with an absolute target outside the folder: refused', async () => {
  const s = setup();
  const { run: r } = await run('shell', proposal, { cwd: s.dir, inputs: { target: s.outside }, attributes: { proposesEdit: 'target' }, ui: scriptedUi({ edit: true }) });
  assert.equal(r.verdict, 'fail');
  assert.equal(readFileSync(s.outside, 'utf8'), s.outsideText);
});

test('proposesEdit with a planted symlink inside the folder: refused, the link target is untouched', async () => {
  const s = setup();
  symlinkSync(s.outside, join(s.dir, 'compose.yml'));
  const { run: r } = await run('shell', proposal, { cwd: s.dir, inputs: { target: 'compose.yml' }, attributes: { proposesEdit: 'target' }, ui: scriptedUi({ edit: true }) });
  assert.equal(r.verdict, 'fail');
  assert.match(r.reason, /symbolic link/);
  assert.equal(readFileSync(s.outside, 'utf8'), s.outsideText);
});

test('proposesEdit with a FIFO or a folder as target: refused without blocking', { skip: !posix }, async () => {
  const s = setup();
  execFileSync('mkfifo', [join(s.dir, 'pipe')]);
  mkdirSync(join(s.dir, 'folder'));
  for (const target of ['pipe', 'folder']) {
    const { run: r } = await run('shell', proposal, { cwd: s.dir, inputs: { target }, attributes: { proposesEdit: 'target', timeout: '20s' }, ui: scriptedUi({ edit: true }) });
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /not a regular file/);
  }
});
