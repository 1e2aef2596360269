// Shared by run.mjs and run-untrusted.mjs: a fresh workspace copy, and one runTests call of the
// integration suites inside a REAL VS Code (vscodeExecutablePath = test/harness/vscode.sh),
// with the counts written to `results` even when the harness itself fails.
import { runTests } from '@vscode/test-electron';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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

/**
 * Runs the bundled suites; sets process.exitCode (0 pass, 1 fail). `env` reaches the extension host;
 * `launchArgs` go to the launcher (e.g. `--workspace-trust`).
 */
export async function runSuites({ workspace, results, outDir, env = {}, launchArgs = [], label = 'integration tests' }) {
  mkdirSync(outDir, { recursive: true });
  process.env.RUNBOOK_VSCODE_OUT = outDir;
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
  }
}
