/**
 * A process that runs one check through runProcessTree and is SIGKILLed at a chosen moment, for
 * watchdog.test.ts: `node --import tsx watchdog-child.ts <mode> <pid file> <group file>`.
 * The check (`sh`) starts `sleep 300` in the background, writes its pid to <pid file> and waits.
 * Modes (the group's pid is written to <group file> first):
 * - `before-watchdog`: dies as the watchdog is about to be started (just after the check's spawn);
 * - `after-watchdog`: dies just after the watchdog started, before anything else;
 * - `running`: writes the group file once the watchdog started and runs on (the test kills it).
 */
import childProcess from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { runProcessTree } from '../../../src/core/process/tree';

const [mode, pidFile, groupFile] = process.argv.slice(2) as [string, string, string];
const realSpawn = childProcess.spawn;
(childProcess as { spawn: typeof childProcess.spawn }).spawn = function (this: unknown, ...a: unknown[]) {
  const args = a[1] as string[] | undefined;
  const at = args?.indexOf('runbook-watchdog') ?? -1;
  if (at < 0) return (realSpawn as (...x: unknown[]) => childProcess.ChildProcess).apply(this, a);
  writeFileSync(groupFile, args![at + 1]!);
  if (mode === 'before-watchdog') process.kill(process.pid, 'SIGKILL');
  const w = (realSpawn as (...x: unknown[]) => childProcess.ChildProcess).apply(this, a);
  if (mode === 'after-watchdog') process.kill(process.pid, 'SIGKILL');
  return w;
} as typeof childProcess.spawn;

void runProcessTree({
  command: '/bin/sh',
  args: ['-c', `sleep 300 & echo $! > '${pidFile}'; wait`],
  cwd: process.cwd(),
  env: process.env,
  signal: new AbortController().signal,
});
