// Runs the "Untrusted workspace" suite inside a REAL VS Code whose workspace is NOT trusted.
// The shared launcher (../shared/tools/real-vscode.sh) starts code-server with
// --disable-workspace-trust; this script makes a patched temporary copy without that flag, and a
// small wrapper that calls it the way the launcher's own runTests compatibility mode does, plus
// --settings turning workspace trust on with no startup prompt (so the folder opens in restricted
// mode). test/harness/vscode.sh picks the wrapper up through $REAL_VSCODE. Same runTests flow as run.mjs.
//   node test/integration/run-untrusted.mjs   → exit code 0/1; counts in $RUNBOOK_TEST_RESULTS
//   (default .test-output/integration-untrusted/results.json)
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freshWorkspace, root, runSuites } from './runner.mjs';

const { work, workspace } = freshWorkspace('runbook-it-untrusted-');

const launcher = process.env.REAL_VSCODE ?? resolve(root, '..', 'shared', 'tools', 'real-vscode.sh');
if (!existsSync(launcher)) {
  console.error(`run-untrusted: the real-VS Code launcher was not found at ${launcher}`);
  process.exit(2);
}
const original = readFileSync(launcher, 'utf8');
const flagsLine = /^FLAGS=\(.*--disable-workspace-trust.*\)$/m;
if (!flagsLine.test(original)) {
  console.error('run-untrusted: the launcher has no FLAGS=(… --disable-workspace-trust …) line to patch; update this script');
  process.exit(2);
}
const patched = join(work, 'real-vscode-untrusted.sh');
writeFileSync(patched, original.replace(flagsLine, (line) => line.replace(/\s*--disable-workspace-trust/, '')));
chmodSync(patched, 0o755);

const settings = join(work, 'untrusted-settings.json');
writeFileSync(settings, JSON.stringify({ 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' }, null, 2));

// Called by test/harness/vscode.sh with runTests' arguments: translate them to the launcher's test
// mode (as its compatibility branch does) and add --settings, which that branch would drop.
const wrapper = join(work, 'real-vscode-wrapper.sh');
writeFileSync(wrapper, `#!/usr/bin/env bash
set -euo pipefail
t='' e='' w=''
for a in "$@"; do case "$a" in
  --extensionTestsPath=*) t=\${a#*=} ;;
  --extensionDevelopmentPath=*) [ -n "$e" ] || e=\${a#*=} ;;
  -*) ;;
  *) [ -d "$a" ] && w=$a ;;
esac; done
[ -n "$t" ] && [ -n "$e" ] || { echo "run-untrusted wrapper: expected --extensionTestsPath= and --extensionDevelopmentPath=" >&2; exit 2; }
exec bash ${JSON.stringify(patched)} --settings ${JSON.stringify(settings)} --tests "$t" \${w:+--workspace "$w"} "$e" "\${REAL_VSCODE_OUT:-$(mktemp -d /tmp/real-vscode-out.XXXXXX)}"
`);
chmodSync(wrapper, 0o755);

const outDir = process.env.REAL_VSCODE_OUT ?? join(root, '.test-output', 'integration-untrusted');
process.env.REAL_VSCODE = wrapper;
await runSuites({
  workspace,
  results: process.env.RUNBOOK_TEST_RESULTS ?? join(outDir, 'results.json'),
  outDir,
  env: { RUNBOOK_TEST_GREP: 'Untrusted workspace', RUNBOOK_EXPECT_UNTRUSTED: '1' },
  label: 'untrusted integration tests',
});
