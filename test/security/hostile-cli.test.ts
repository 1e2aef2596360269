/**
 * The CLI under hostile conditions, as a real process: SIGTERM/SIGHUP cancel like Ctrl+C and take
 * the running check's process group with them; SIGKILL is covered by the per-check watchdog;
 * `| head` never crashes a subcommand (EPIPE ends quietly). A check named with --only that could
 * not run fails the run, whatever its kind reports; the planner sees a DELETE written after `??`
 * lines and never sends it in a run-all.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cliArgv, ROOT, runCli, spawnCli } from '../support/cli';
import { pidAlive } from '../unit/process/harness';
import { waitFor } from '../support/waitFor';
import { startHostileServer, type HostileServer } from './hostile-server';
import { tempDir } from '../support/tempDir';

const posix = process.platform !== 'win32';

function longRunbook(): { file: string; pidFile: string } {
  const dir = tempDir('hostile');
  const pidFile = join(dir, 'sleep.pid');
  const file = join(dir, 'long.runbook.md');
  writeFileSync(file, ['# Long', '', '- [ ] Long', '  ```shell {id=long timeout=120s}', `  sleep 300 &`, `  echo $! > '${pidFile}'`, '  wait', '  ```', ''].join('\n'));
  return { file, pidFile };
}

for (const [sig, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  test(`${sig} to the CLI cancels the run and kills the running check's process group (exit ${code})`, { skip: !posix }, async () => {
    const { file, pidFile } = longRunbook();
    let child: ChildProcess | undefined;
    const done = spawnCli(['run', file, '--no-evidence'], { onStdout: (_s, c) => (child = c) });
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', { timeout: 30_000, what: 'the check to start' });
    const sleepPid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(pidAlive(sleepPid));
    child!.kill(sig);
    const r = await done;
    assert.equal(r.code, code, r.stdout + r.stderr);
    assert.match(r.stdout, /long — cancelled/);
    await waitFor(() => !pidAlive(sleepPid), { timeout: 5000, what: `sleep ${sleepPid} to end after ${sig}` });
  });
}

test('SIGKILL to the CLI: the watchdog ends the check\'s process group', { skip: !posix }, async () => {
  const { file, pidFile } = longRunbook();
  let child: ChildProcess | undefined;
  // A SIGKILLed CLI cannot remove its check's script folder: let it make that folder in the test's own.
  const done = spawnCli(['run', file, '--no-evidence'], { env: { TMPDIR: dirname(file) }, onStdout: (_s, c) => (child = c) });
  await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', { timeout: 30_000, what: 'the check to start' });
  const sleepPid = Number(readFileSync(pidFile, 'utf8'));
  child!.kill('SIGKILL');
  await done;
  await waitFor(() => !pidAlive(sleepPid), { timeout: 20_000, what: `sleep ${sleepPid} to end after the CLI was SIGKILLed` });
});

/** `runbook <args> | head -1` in a real shell; the CLI's exit code comes back on stderr. */
function pipedIntoHead(args: string[]): Promise<{ out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const cli = [process.execPath, ...cliArgv(args)].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const sh = spawn('bash', ['-c', `${cli} | head -c 20; echo "cli=\${PIPESTATUS[0]}" >&2`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    sh.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    sh.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    sh.on('error', reject);
    sh.on('close', () => resolve({ out, err }));
  });
}

function bigRunbook(checks: number): string {
  const dir = tempDir('hostile');
  const file = join(dir, 'big.runbook.md');
  const parts = ['# Big', ''];
  for (let i = 0; i < checks; i++) parts.push(`- [ ] Step ${i} ${'x'.repeat(60)}`, `  \`\`\`shell {id=s${i}}`, '  echo ok', '  ```');
  writeFileSync(file, parts.join('\n') + '\n');
  return file;
}

test('`runbook list … | head` ends quietly: no EPIPE stack, exit 0', { skip: !posix }, async () => {
  const r = await pipedIntoHead(['list', bigRunbook(3000)]);
  assert.equal(r.out.length, 20);
  assert.doesNotMatch(r.err, /EPIPE|Error|at /);
  assert.match(r.err, /cli=0/);
});

test('`runbook run … | head` ends quietly with the run\'s own exit code', { skip: !posix }, async () => {
  const r = await pipedIntoHead(['run', bigRunbook(40), '--no-evidence']);
  assert.doesNotMatch(r.err, /EPIPE|Error|at /);
  assert.match(r.err, /cli=0/);
});

test('`runbook --help | head` and `runbook run --help | head` end quietly', { skip: !posix }, async () => {
  for (const args of [['--help'], ['run', '--help'], ['analyze', '--help']]) {
    const r = await pipedIntoHead(args);
    assert.doesNotMatch(r.err, /EPIPE|Error/);
    assert.match(r.err, /cli=0/);
  }
});

// ---- explicitly requested checks that could not run; DELETE after ?? lines ----

let server: HostileServer;
before(async () => {
  server = await startHostileServer();
});
after(async () => {
  await server.close();
});

function deleteRunbook(): string {
  const dir = tempDir('hostile');
  const file = join(dir, 'del.runbook.md');
  writeFileSync(
    file,
    [
      '# Ops',
      '',
      '- [ ] Health',
      '  ```http {id=ops.1-health}',
      `  GET ${server.url}/health`,
      '  ```',
      '- [ ] Delete (conditions first, request line after them)',
      '  ```http {id=ops.2-delete}',
      '  ?? status == 200',
      '  ?? json ok == true',
      `  DELETE ${server.url}/v1/projects/prod`,
      '  ```',
      '- [ ] Announce',
      '  ```manual {id=ops.3-announce}',
      '  Tell the team.',
      '  ```',
      '',
    ].join('\n'),
  );
  return file;
}

test('run-all: a DELETE written after ?? lines is seen as destructive and never sent', async () => {
  const r = await runCli(['run', deleteRunbook(), '--no-evidence', '--continue']);
  assert.match(r.stdout, /ops\.2-delete — destructive/);
  assert.equal(server.log.filter((l) => l.line.startsWith('DELETE')).length, 0);
});

test('--only a DELETE that a headless run cannot confirm: nothing sent, exit 1', async () => {
  const r = await runCli(['run', deleteRunbook(), '--no-evidence', '--only', 'ops.2-delete']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(server.log.filter((l) => l.line.startsWith('DELETE')).length, 0);
});

test('--only a step reported as skipped (manual, not confirmed headless): exit 1 and named', async () => {
  const r = await runCli(['run', deleteRunbook(), '--no-evidence', '--only', 'ops.3-announce']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /Requested but not run: ops\.3-announce/);
  const j = await runCli(['run', deleteRunbook(), '--no-evidence', '--json', '--only', 'ops.3-announce']);
  assert.equal(j.code, 1);
  assert.deepEqual(JSON.parse(j.stdout).summary.requestedNotRun, ['ops.3-announce']);
  // Confirmed with --yes-manual, the same request passes.
  const y = await runCli(['run', deleteRunbook(), '--no-evidence', '--yes-manual', '--only', 'ops.3-announce']);
  assert.equal(y.code, 0, y.stdout + y.stderr);
});
