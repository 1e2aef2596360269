// Runs the "Untrusted workspace" suite inside a REAL VS Code whose workspace is NOT trusted: the
// launcher (test/harness/vscode.sh) gets --workspace-trust, which turns Workspace Trust on with no
// startup prompt, so the folder opens in Restricted Mode. Same runTests flow as run.mjs.
//   node test/integration/run-untrusted.mjs   → exit code 0/1; counts in $RUNBOOK_TEST_RESULTS
//   (default .test-output/integration-untrusted/results.json)
import { join } from 'node:path';
import { freshWorkspace, root, runSuites } from './runner.mjs';

const { work, workspace } = freshWorkspace('runbook-it-untrusted-');
const outDir = process.env.RUNBOOK_VSCODE_OUT ?? join(root, '.test-output', 'integration-untrusted');
await runSuites({
  work,
  workspace,
  results: process.env.RUNBOOK_TEST_RESULTS ?? join(outDir, 'results.json'),
  outDir,
  launchArgs: ['--workspace-trust'],
  env: { RUNBOOK_TEST_GREP: 'Untrusted workspace', RUNBOOK_EXPECT_UNTRUSTED: '1' },
  label: 'untrusted integration tests',
});
