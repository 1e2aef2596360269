// Runs the integration suites inside a REAL VS Code through @vscode/test-electron's runTests,
// with vscodeExecutablePath pointing at the project's launcher (test/harness/vscode.sh).
// The workspace is a fresh copy of test/fixtures/workspace plus the bundled runbooks.
//   node test/integration/run.mjs [--grep TEXT]   → exit code 0/1; counts in $RUNBOOK_TEST_RESULTS
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync, mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'runbook-it-'));
const workspace = join(work, 'workspace');
cpSync(join(root, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
// The round-trip corpus, renamed so that each file opens as a runbook by default.
const corpus = join(root, 'test', 'fixtures', 'roundtrip');
if (existsSync(corpus)) {
  mkdirSync(join(workspace, 'roundtrip'), { recursive: true });
  for (const f of readdirSync(corpus)) {
    if (!f.endsWith('.md')) continue;
    cpSync(join(corpus, f), join(workspace, 'roundtrip', f.endsWith('.runbook.md') ? f : f.replace(/\.md$/, '.runbook.md')));
  }
}
const results = process.env.RUNBOOK_TEST_RESULTS ?? join(work, 'results.json');
const outDir = process.env.REAL_VSCODE_OUT ?? join(root, '.test-output', 'integration');
mkdirSync(outDir, { recursive: true });
process.env.REAL_VSCODE_OUT = outDir;
const grepIndex = process.argv.indexOf('--grep');

try {
  const code = await runTests({
    vscodeExecutablePath: join(root, 'test', 'harness', 'vscode.sh'),
    extensionDevelopmentPath: root,
    extensionTestsPath: resolve(root, process.env.RUNBOOK_IT_OUT ?? 'out/integration', 'index.js'),
    launchArgs: [workspace],
    extensionTestsEnv: {
      RUNBOOK_TEST_RESULTS: results,
      RUNBOOK_TEST_WORKSPACE: workspace,
      RUNBOOK_REPO_ROOT: root,
      ...(grepIndex > 0 ? { RUNBOOK_TEST_GREP: process.argv[grepIndex + 1] } : {}),
    },
  });
  process.exitCode = code;
} catch (err) {
  console.error('integration tests failed to run:', err?.message ?? err);
  if (!existsSync(results)) writeFileSync(results, JSON.stringify({ passed: 0, failed: 1, failures: [{ title: 'harness', error: String(err) }] }));
  process.exitCode = 1;
}
