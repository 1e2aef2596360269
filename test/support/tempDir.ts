/**
 * Temporary folders that remove themselves. `withTempDir(fn)` makes a folder under os.tmpdir(),
 * passes it to `fn` and removes it when `fn` ends, also when it throws. `tempDir()` makes one that
 * lives until the test process exits (removed then, whatever the outcome); `removeTempDirs()`
 * removes them earlier (from a suite's teardown).
 *
 * Names start with $RUNBOOK_TEST_TMP_PREFIX (default `runbook-`): the integration runner sets
 * it per run, so that it can list what a run left behind (test/integration/runner.mjs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();
let hooked = false;

function prefix(name: string): string {
  return `${process.env.RUNBOOK_TEST_TMP_PREFIX ?? 'runbook-'}${name}-`;
}

/** Removes `dir`; one that cannot be removed now stays listed for the exit sweep (never masks a test's own error). */
function remove(dir: string): void {
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
  if (!hooked) {
    hooked = true;
    process.on('exit', removeTempDirs);
  }
  return dir;
}

/** Removes every folder `tempDir()` made in this process so far. */
export function removeTempDirs(): void {
  for (const dir of [...made]) remove(dir);
}

/** Runs `fn` with a fresh temporary folder and removes the folder afterwards, also on failure. */
export async function withTempDir<T>(fn: (dir: string) => T | Promise<T>, name = 'tmp'): Promise<T> {
  const dir = tempDir(name);
  try {
    return await fn(dir);
  } finally {
    remove(dir);
  }
}
