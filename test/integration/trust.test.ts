/**
 * Untrusted workspace: no process starts. Runs only under test/integration/run-untrusted.mjs,
 * which starts code-server with workspace trust on (restricted mode, no prompt) and sets
 * RUNBOOK_EXPECT_UNTRUSTED; in the ordinary (trusted) run these tests are skipped.
 * A shell and a python check that would each create a marker file run through the notebook
 * controller: both are skipped, no marker appears, and the cell says why and how to trust.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, openRunbook, scriptedUi, workspaceDir } from './helpers';
import { cellOfCheck, outputText, runCells, verdictLine } from './support/runbooks';

/** A runbook whose shell and python checks each create a marker file in the workspace. */
function writeMarkerRunbook(): { shellMarker: string; pyMarker: string; file: string } {
  const tag = randomBytes(6).toString('hex');
  const shellMarker = path.join(workspaceDir(), `marker-${tag}`);
  const pyMarker = path.join(workspaceDir(), `marker-py-${tag}`);
  const file = path.join(workspaceDir(), `untrusted-${tag}.runbook.md`);
  fs.writeFileSync(file, [
    '# Untrusted', '', '## Steps', '',
    '- [ ] Create the marker', '  ```shell {id=trust.marker}', `  touch ${JSON.stringify(shellMarker)}`, '  ```', '',
    '- [ ] Create the python marker', '  ```python {id=trust.py-marker}', `  open(${JSON.stringify(pyMarker)}, "w").write("ran")`, '  ```', '',
    '- [ ] Confirm by hand', '  ```manual {id=trust.manual}', '  Did you read this?', '  ```', '',
  ].join('\n'));
  return { shellMarker, pyMarker, file };
}

suite('Untrusted workspace', () => {
  suiteSetup(function () {
    if (process.env.RUNBOOK_EXPECT_UNTRUSTED !== '1') this.skip();
  });
  teardown(async () => {
    (await api()).setOperatorUi(undefined);
    await closeAll();
  });

  test('the workspace is not trusted (restricted mode) and the extension is active', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const a = await api();
    assert.ok(a.controller, 'the extension activated in restricted mode');
  });

  test('shell and python checks do not start a process: skipped, no marker file, the cell says how to trust', async () => {
    const a = await api();
    a.setOperatorUi(scriptedUi('yes'));
    const { shellMarker, pyMarker, file } = writeMarkerRunbook();
    const nb = (await openRunbook(file)).notebook;
    const derived = a.statusBar.derived(nb);
    const cells = ['trust.marker', 'trust.py-marker', 'trust.manual'].map((id) => cellOfCheck(derived, id));
    const runs = await runCells(a, nb, cells);

    for (const [i, id] of [[0, 'trust.marker'], [1, 'trust.py-marker']] as const) {
      const run = runs.get(id);
      assert.ok(run, `${id} returned a run`);
      assert.equal(run.verdict, 'skipped', `${id}: ${run.verdict} — ${run.reason}`);
      const out = outputText(nb.cellAt(cells[i]!));
      assert.match(verdictLine(nb.cellAt(cells[i]!)), /skipped.*not trusted/, `${id}: the verdict line says the workspace is not trusted`);
      assert.match(out, /Manage Workspace Trust/, `${id}: the cell says how to trust the folder`);
      const task = a.statusBar.derived(nb).cells[cells[i]!]!.check!.taskCell!;
      assert.equal(a.statusBar.derived(nb).cells[task]!.task!.checked, false, `${id}: the box stays unticked`);
    }
    // Give a process that should not exist every chance to show itself.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(fs.existsSync(shellMarker), false, 'the shell check did not run');
    assert.equal(fs.existsSync(pyMarker), false, 'the python check did not run');
    // Checks that start no process still run in restricted mode.
    assert.equal(runs.get('trust.manual')?.verdict, 'pass');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});

/** The control, in the ordinary trusted run: the same checks do create their markers. */
suite('Trusted control for the marker checks', () => {
  suiteSetup(function () {
    if (process.env.RUNBOOK_EXPECT_UNTRUSTED === '1') this.skip();
  });
  teardown(async () => {
    (await api()).setOperatorUi(undefined);
    await closeAll();
  });

  test('in a trusted workspace the shell and python marker checks run and pass', async () => {
    assert.equal(vscode.workspace.isTrusted, true);
    const a = await api();
    a.setOperatorUi(scriptedUi('yes'));
    const { shellMarker, pyMarker, file } = writeMarkerRunbook();
    const nb = (await openRunbook(file)).notebook;
    const derived = a.statusBar.derived(nb);
    const runs = await runCells(a, nb, ['trust.marker', 'trust.py-marker'].map((id) => cellOfCheck(derived, id)));
    assert.equal(runs.get('trust.marker')?.verdict, 'pass', runs.get('trust.marker')?.reason);
    assert.equal(runs.get('trust.py-marker')?.verdict, 'pass', runs.get('trust.py-marker')?.reason);
    assert.ok(fs.existsSync(shellMarker), 'the shell check created its marker');
    assert.ok(fs.existsSync(pyMarker), 'the python check created its marker');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
