// Runs the integration suites inside a REAL VS Code through @vscode/test-electron's runTests,
// with vscodeExecutablePath pointing at the project's launcher (test/harness/vscode.sh).
// The workspace is a fresh copy of test/fixtures/workspace plus the round-trip corpus, in a
// scratch folder removed when the run ends (runner.mjs).
//   node test/integration/run.mjs [--grep TEXT]   → exit code 0/1; counts in $RUNBOOK_TEST_RESULTS
//   (default .test-output/integration/results.json)
import { join } from 'node:path';
import { freshWorkspace, root, runSuites } from './runner.mjs';

const { work, workspace } = freshWorkspace('runbook-it-');
const grepIndex = process.argv.indexOf('--grep');
const outDir = process.env.RUNBOOK_VSCODE_OUT ?? join(root, '.test-output', 'integration');
await runSuites({
  work,
  workspace,
  results: process.env.RUNBOOK_TEST_RESULTS ?? join(outDir, 'results.json'),
  outDir,
  env: grepIndex > 0 ? { RUNBOOK_TEST_GREP: process.argv[grepIndex + 1] } : {},
});
