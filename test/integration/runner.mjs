// Shared by run.mjs and run-untrusted.mjs: a fresh workspace copy, and one runTests call of the
// integration suites inside a REAL VS Code (vscodeExecutablePath = test/harness/vscode.sh),
// with the counts written to `results` even when the harness itself fails.
//
// Temporary folders: a run's scratch folder is `<prefix>XXXXXX` under os.tmpdir(), and every other
// temporary folder the run makes (the launcher's user-data and run folder, the suites' tempDir())
// is named `<that folder's name>-…` ($RUNBOOK_TEST_TMP_PREFIX). When the run ends, also when it
// fails or is interrupted, the scratch folder is removed; a folder of the run still left after that
// is listed, counted as a failure in `results`, and removed.
import { runTests } from '@vscode/test-electron';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A scratch folder holding a copy of test/fixtures/workspace (and the round-trip corpus as *.runbook.md). */
export function freshWorkspace(prefix) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const workspace = join(work, 'workspace');
  cpSync(join(root, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  const corpus = join(root, 'test', 'fixtures', 'roundtrip');
  if (existsSync(corpus)) {
    mkdirSync(join(workspace, 'roundtrip'), { recursive: true });
    for (const f of readdirSync(corpus)) {
      if (!f.endsWith('.md')) continue;
      cpSync(join(corpus, f), join(workspace, 'roundtrip', f.endsWith('.runbook.md') ? f : f.replace(/\.md$/, '.runbook.md')));
    }
  }
  return { work, workspace };
}

/** The name prefix of every temporary folder a run with this scratch folder makes. */
export const tempPrefixOf = (work) => `${basename(work)}-`;

/** The run's folders in `dir` (default os.tmpdir()): the scratch folder and every `<its name>-…`. */
export function runFolders(work, dir = tmpdir()) {
  const name = basename(work);
  return readdirSync(dir).filter((n) => n === name || n.startsWith(`${name}-`)).sort().map((n) => join(dir, n));
}

/**
 * Removes the scratch folder, then returns the run's folders still left in `dir` (what the run
 * forgot to remove) after removing them too.
 */
export function cleanUpRun(work, dir = tmpdir()) {
  rmSync(work, { recursive: true, force: true, maxRetries: 3 });
  const left = runFolders(work, dir);
  for (const f of left) rmSync(f, { recursive: true, force: true, maxRetries: 3 });
  return left;
}

/** Adds a failure to the results file (creating it when the run wrote none). */
function recordFailure(results, title, error) {
  let j = { passed: 0, failed: 0, failures: [] };
  try { j = JSON.parse(readFileSync(results, 'utf8')); } catch { /* no results yet */ }
  j.failures = [...(j.failures ?? []), { title, error }];
  j.failed = (j.failed ?? 0) + 1;
  writeFileSync(results, JSON.stringify(j, null, 2));
}

/**
 * Runs the bundled suites; sets process.exitCode (0 pass, 1 fail). `env` reaches the extension host;
 * `launchArgs` go to the launcher (e.g. `--workspace-trust`). `work` is removed at the end.
 */
export async function runSuites({ work, workspace, results, outDir, env = {}, launchArgs = [], label = 'integration tests' }) {
  mkdirSync(outDir, { recursive: true });
  mkdirSync(dirname(results), { recursive: true });
  process.env.RUNBOOK_VSCODE_OUT = outDir;
  // The launcher (a child of runTests) and the extension host inherit this environment.
  process.env.RUNBOOK_TEST_TMP_PREFIX = tempPrefixOf(work);
  const interrupted = (sig) => {
    cleanUpRun(work);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, interrupted);
  try {
    process.exitCode = await runTests({
      vscodeExecutablePath: join(root, 'test', 'harness', 'vscode.sh'),
      extensionDevelopmentPath: root,
      extensionTestsPath: resolve(root, process.env.RUNBOOK_IT_OUT ?? 'out/integration', 'index.js'),
      launchArgs: [workspace, ...launchArgs],
      extensionTestsEnv: { RUNBOOK_TEST_RESULTS: results, RUNBOOK_TEST_WORKSPACE: workspace, RUNBOOK_REPO_ROOT: root, ...env },
    });
  } catch (err) {
    console.error(`${label} failed to run:`, err?.message ?? err);
    if (!existsSync(results)) writeFileSync(results, JSON.stringify({ passed: 0, failed: 1, failures: [{ title: 'harness', error: String(err) }] }));
    process.exitCode = 1;
  } finally {
    for (const sig of ['SIGINT', 'SIGTERM']) process.off(sig, interrupted);
    const left = cleanUpRun(work);
    if (left.length) {
      const list = left.map((f) => `  ${f}`).join('\n');
      console.error(`${label}: temporary folders left behind by the run (now removed):\n${list}`);
      recordFailure(results, `${label}: temporary folders left behind`, `the run left ${left.length} folder(s) under ${tmpdir()}:\n${list}`);
      process.exitCode = 1;
    } else {
      console.log(`${label}: no temporary folders left behind (${tempPrefixOf(work)}*)`);
    }
  }
}
