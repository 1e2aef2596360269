/**
 * The watchdog's promise, with the process that runs the check SIGKILLed at each moment of a
 * check's start (watchdog-child.ts): whatever the moment, the check's process group ends, and the
 * check's own code never runs without a watchdog (it waits behind a gate until one runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { groupAlive, killGroup, runProcessTree } from '../../../src/core/process/tree';
import { pidAlive } from './harness';
import { tempDir } from '../../support/tempDir';
import { waitFor } from '../../support/waitFor';

const posix = process.platform !== 'win32';
const ROOT = resolve(__dirname, '..', '..', '..');
const CHILD = join(__dirname, 'watchdog-child.ts');

interface Killed {
  readonly pgid: number;
  /** The check's background `sleep`, when its code ran. */
  readonly sleepPid: number | undefined;
}

/** Starts watchdog-child.ts in `mode`; `running` is SIGKILLed here once its check wrote the pid file. */
async function killedAt(mode: 'before-watchdog' | 'after-watchdog' | 'running'): Promise<Killed> {
  const dir = tempDir('watchdog');
  const pidFile = join(dir, 'sleep.pid');
  const groupFile = join(dir, 'group');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, pidFile, groupFile], { cwd: ROOT, stdio: 'ignore' });
  const ended = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, sig) => r(sig)));
  const written = (f: string) => existsSync(f) && readFileSync(f, 'utf8').endsWith('\n');
  if (mode === 'running') {
    await waitFor(() => written(pidFile), { timeout: 30_000, what: 'the check to write its pid file' });
    assert.ok(pidAlive(Number(readFileSync(pidFile, 'utf8'))), 'the check\'s background sleep runs');
    child.kill('SIGKILL');
  }
  assert.equal(await ended, 'SIGKILL');
  const pgid = Number(readFileSync(groupFile, 'utf8'));
  assert.ok(pgid > 0, 'the watchdog was asked for the check\'s group');
  return { pgid, sleepPid: written(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined };
}

async function groupEnds(k: Killed, what: string): Promise<void> {
  try {
    await waitFor(() => !groupAlive(k.pgid) && (k.sleepPid === undefined || !pidAlive(k.sleepPid)), { timeout: 20_000, what: `the check's group ${k.pgid} to end ${what}` });
  } finally {
    killGroup(k.pgid, 'SIGKILL');
  }
}

test('killed just after the check was spawned, before its watchdog: the check\'s code never runs, its group ends', { skip: !posix }, async () => {
  const k = await killedAt('before-watchdog');
  await groupEnds(k, 'after its runner died before starting the watchdog');
  assert.equal(k.sleepPid, undefined, 'the check\'s code ran without a watchdog');
});

test('killed just after the watchdog started, before the check was let through: the check\'s group ends', { skip: !posix }, async () => {
  const k = await killedAt('after-watchdog');
  await groupEnds(k, 'after its runner died before letting it through');
  assert.equal(k.sleepPid, undefined, 'the check\'s code ran without being let through');
});

test('killed while the check runs: the watchdog ends the check\'s group, background processes included', { skip: !posix }, async () => {
  const k = await killedAt('running');
  assert.ok(k.sleepPid !== undefined);
  await groupEnds(k, 'after its runner was SIGKILLed');
});

test('a command that cannot start is refused before the gate, with the error spawn itself gives (ENOENT, EACCES)', { skip: !posix }, async () => {
  const dir = tempDir('watchdog');
  const noExec = join(dir, 'noexec.sh');
  writeFileSync(noExec, '#!/bin/sh\necho ran > ran.txt\n');
  chmodSync(noExec, 0o644);
  const spec = { args: [], cwd: dir, env: { PATH: process.env.PATH ?? '' }, signal: new AbortController().signal };
  const spawnCode = (command: string) => new Promise<string | undefined>((done) => {
    const child = spawn(command, [], { cwd: dir });
    child.on('error', (e: NodeJS.ErrnoException) => done(e.code));
    child.on('exit', () => done(undefined));
  });
  for (const command of [noExec, join(dir, 'missing'), 'runbook-no-such-command', dir]) {
    const expected = await spawnCode(command);
    await assert.rejects(runProcessTree({ ...spec, command }), (e: NodeJS.ErrnoException) => e.code === expected, `${command}: ${expected}`);
  }
  assert.equal(existsSync(join(dir, 'ran.txt')), false);
});
