/**
 * Temporary folders that remove themselves. `withTempDir(fn)` makes a folder under os.tmpdir(),
 * passes it to `fn` and removes it when `fn` ends, also when it throws. `tempDir()` makes one that
 * lives until the test process exits (removed then, whatever the outcome); `removeTempDir(dir)`
 * and `removeTempDirs()` remove them earlier (from a test's end or a suite's teardown).
 *
 * Names start with $RUNBOOK_TEST_TMP_PREFIX (default `runbook-`): the integration runner sets
 * it per run, so that it can list what a run left behind (test/integration/runner.mjs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// One list per process, also when several bundles each carry a copy of this module (the
// integration suites are bundled one file each; their index removes what all of them made).
const registry = globalThis as { [key: symbol]: { made: Set<string>; hooked: boolean } | undefined };
const state = (registry[Symbol.for('runbook.test.tempDirs')] ??= { made: new Set(), hooked: false });
const made = state.made;

function prefix(name: string): string {
  return `${process.env.RUNBOOK_TEST_TMP_PREFIX ?? 'runbook-'}${name}-`;
}

/** Removes `dir` now; one that cannot be removed stays listed for the exit sweep (never masks a test's own error). */
export function removeTempDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    made.delete(dir);
  } catch {
    // left for removeTempDirs at exit
  }
}

/** A fresh folder `<prefix><name>-XXXXXX` under os.tmpdir(), removed when the process exits. */
export function tempDir(name = 'tmp'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix(name)));
  made.add(dir);
  if (!state.hooked) {
    state.hooked = true;
    process.on('exit', removeTempDirs);
  }
  return dir;
}

/** Removes every folder `tempDir()` made in this process so far. */
export function removeTempDirs(): void {
  for (const dir of [...made]) removeTempDir(dir);
}

/** Runs `fn` with a fresh temporary folder and removes the folder afterwards, also on failure. */
export async function withTempDir<T>(fn: (dir: string) => T | Promise<T>, name = 'tmp'): Promise<T> {
  const dir = tempDir(name);
  try {
    return await fn(dir);
  } finally {
    removeTempDir(dir);
  }
}
