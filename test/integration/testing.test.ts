/**
 * The Test Explorer in the real VS Code: an open runbook's checks appear as tests with its
 * sections as nested suites; running a suite from the Test Explorer runs its checks through the
 * notebook controller (boxes ticked, results recorded) and reports pass/fail with the reason; a
 * check run in the notebook shows its result in the Test Explorer too.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, openRunbook, workspaceDir } from './helpers';
import { waitFor } from '../support/waitFor';

suite('Test Explorer', () => {
  teardown(async () => {
    for (const nb of vscode.workspace.notebookDocuments) if (nb.isDirty) await vscode.commands.executeCommand('workbench.action.files.revert');
    await closeAll();
  });

  test('sections are suites, checks are tests; a suite runs from the Test Explorer; notebook runs show there too', async () => {
    const a = await api();
    const file = path.join(workspaceDir(), 'testing.runbook.md');
    const editor = await openRunbook(file);
    const nb = editor.notebook;
    const root = await waitFor(() => a.tests.ctrl.items.get(nb.uri.toString()), { what: 'the runbook in the Test Explorer' });
    assert.equal(root.label, 'Test Explorer demo');
    const tree = (item: vscode.TestItem): unknown => {
      const kids: vscode.TestItem[] = [];
      item.children.forEach((c) => kids.push(c));
      kids.sort((x, y) => (x.sortText ?? '').localeCompare(y.sortText ?? ''));
      return kids.length ? { [item.label]: kids.map(tree) } : item.label;
    };
    assert.deepEqual(tree(root), {
      'Test Explorer demo': [{ 'Test Explorer demo': [
        { Local: ['t.pass — A check that passes', 't.fail — A check that fails'] },
        { Later: [{ Deep: ['t.deep — A check two headings down'] }] },
      ] }],
    });
    // A test's location is its cell.
    let local: vscode.TestItem | undefined;
    root.children.forEach((top) => top.children.forEach((s) => { if (s.label === 'Local') local = s; }));
    assert.ok(local);
    const passItem = local.children.get(`${nb.uri.toString()}::t.pass`)!;
    assert.equal(passItem.uri?.scheme, 'vscode-notebook-cell');

    const source = new vscode.CancellationTokenSource();
    await a.tests.runTests(new vscode.TestRunRequest([local]), source.token);
    assert.equal(a.tests.reported.get(`${nb.uri.toString()}::t.pass`), 'passed');
    assert.equal(a.tests.reported.get(`${nb.uri.toString()}::t.fail`), 'failed');
    assert.equal(a.tests.reported.get(`${nb.uri.toString()}::t.deep`), undefined, 'only the Local suite ran');
    assert.equal(a.state.lastRun(nb.uri, 't.fail')?.reason, 'broken on purpose');
    // The passing check ticked its box, as a run in the notebook does.
    await waitFor(() => nb.getCells().some((c) => c.document.getText().startsWith('- [x] A check that passes')), { what: 'the box of t.pass to be ticked' });

    // Run in the notebook → the Test Explorer shows it.
    const deepCell = nb.getCells().find((c) => c.document.getText().includes('echo deep'))!;
    await a.controller.run(nb, [deepCell], { stopOnFirstFailure: false });
    await waitFor(() => a.tests.reported.get(`${nb.uri.toString()}::t.deep`) === 'passed', { what: 'the notebook run to show in the Test Explorer' });
  });

  test('a suite run from the Test Explorer is reported once: its checks do not come back as notebook runs', async () => {
    const a = await api();
    const file = path.join(workspaceDir(), `testing-once-${process.pid}.runbook.md`);
    fs.copyFileSync(path.join(workspaceDir(), 'testing.runbook.md'), file);
    const nb = (await openRunbook(file)).notebook;
    const root = await waitFor(() => a.tests.ctrl.items.get(nb.uri.toString()), { what: 'the runbook in the Test Explorer' });
    let local: vscode.TestItem | undefined;
    root.children.forEach((top) => top.children.forEach((s) => { if (s.label === 'Local') local = s; }));
    assert.ok(local);
    const before = a.tests.notebookRunReports.length;
    await a.tests.runTests(new vscode.TestRunRequest([local]), new vscode.CancellationTokenSource().token);
    assert.equal(a.tests.reported.get(`${nb.uri.toString()}::t.fail`), 'failed');
    // A notebook run afterwards still shows (the sync works), and it is the only one reported as such.
    const deepCell = nb.getCells().find((c) => c.document.getText().includes('echo deep'))!;
    await a.controller.run(nb, [deepCell], { stopOnFirstFailure: false });
    await waitFor(() => a.tests.reported.get(`${nb.uri.toString()}::t.deep`) === 'passed', { what: 'the notebook run to show' });
    assert.deepEqual(a.tests.notebookRunReports.slice(before), [`${nb.uri.toString()}::t.deep`]);
  });
});
