/**
 * Runbook notebooks in a REAL VS Code: opening, templates, ticking, saving byte for byte,
 * malformed files, the manual check kind end to end, status bar items.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, diffPositions, openRunbook, read, repoRoot, scriptedUi, workspaceDir } from './helpers';
import { waitFor } from '../support/waitFor';

const TEMPLATES = ['engramia-verification-and-rollback.runbook.md', 'september-engine-rollback.runbook.md'];

suite('Runbook notebooks', () => {
  teardown(async () => {
    (await api()).setOperatorUi(undefined);
    await closeAll();
  });

  test('activates and offers its check kinds', async () => {
    const a = await api();
    assert.ok(a.controller, 'controller');
    const ext = vscode.extensions.getExtension('runbook-notebooks.runbook-notebooks')!;
    assert.equal(ext.isActive, true);
  });

  test('*.runbook.md opens as a runbook notebook by default', async () => {
    const nb = await vscode.workspace.openNotebookDocument(vscode.Uri.file(path.join(workspaceDir(), 'demo.runbook.md')));
    assert.equal(nb.notebookType, 'runbook');
    assert.ok(nb.cellCount >= 5, `expected several cells, got ${nb.cellCount}`);
  });

  test('an ordinary .md opens as text, and as a runbook only when asked', async () => {
    const file = path.join(workspaceDir(), 'notes.md');
    fs.writeFileSync(file, '# Notes\n\n- [ ] one thing\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file, 'plain .md opens in the text editor');
    assert.equal(vscode.window.activeNotebookEditor, undefined);
    await vscode.commands.executeCommand('runbook.openAsRunbook', vscode.Uri.file(file));
    const editor = await waitFor(() => vscode.window.activeNotebookEditor, { what: 'the runbook editor' });
    assert.equal(editor.notebook.notebookType, 'runbook-markdown');
  });

  for (const template of TEMPLATES) {
    test(`New from Template copies ${template} under a dated name, opens it, and a tick changes exactly one byte`, async () => {
      const a = await api();
      const folder = vscode.Uri.file(workspaceDir());
      const uri = await vscode.commands.executeCommand<vscode.Uri>('runbook.newFromTemplate', template, folder);
      assert.ok(uri, 'a runbook was created');
      const date = new Date().toISOString().slice(0, 10);
      assert.match(path.basename(uri.fsPath), new RegExp(`^${template.replace('.runbook.md', '')}-${date}(-\\d+)?\\.runbook\\.md$`));
      const original = read(path.join(repoRoot(), 'runbooks', template));
      assert.deepEqual(read(uri.fsPath), original, 'the copy is byte-identical to the template');

      const editor = await waitFor(() => vscode.window.visibleNotebookEditors.find((e) => e.notebook.uri.fsPath === uri.fsPath), { what: 'the new runbook to open' });
      const nb = editor.notebook;
      assert.equal(nb.notebookType, 'runbook');
      const derived = a.statusBar.derived(nb);
      assert.ok(derived.sections.length >= 5, `sections: ${derived.sections.length}`);
      const taskIndex = derived.cells.findIndex((c) => c.task && !c.task.checked);
      assert.ok(taskIndex >= 0, 'the runbook has an unticked checklist item');

      // The status bar shows the box and the heading shows progress.
      const items = a.statusBar.provideCellStatusBarItems(nb.cellAt(taskIndex));
      assert.ok(items.some((i) => i.text.includes('Not done')), 'task cell shows "Not done"');
      const headingWithProgress = derived.sections.some((s) => a.statusBar.provideCellStatusBarItems(nb.cellAt(s.cell)).some((i) => /\d+\/\d+/.test(i.text)));
      assert.ok(headingWithProgress, 'some heading shows n/m progress');

      assert.equal(await vscode.commands.executeCommand('runbook.toggleTask', nb.uri, taskIndex), true);
      assert.ok(a.statusBar.derived(nb).cells[taskIndex]!.task!.checked, 'the cell now holds [x]');
      assert.ok(await nb.save(), 'saved');
      const saved = read(uri.fsPath);
      const diffs = diffPositions(original, saved);
      assert.equal(diffs.length, 1, `exactly one byte differs, found ${diffs.length}`);
      assert.equal(String.fromCharCode(original[diffs[0]!]!), ' ');
      assert.equal(String.fromCharCode(saved[diffs[0]!]!), 'x');
      assert.equal(original.subarray(diffs[0]! - 1, diffs[0]! + 2).toString(), '[ ]');
    });
  }

  test('the Runbook Sections view shows section names and items as plain text, counted in the right form', async () => {
    const a = await api();
    const file = path.join(workspaceDir(), 'plain-text.runbook.md');
    fs.writeFileSync(file, [
      '# Plain *text*', '',
      '## Keys start with `engramia_sk_` (*local*)', '',
      '- [ ] The new key starts with `engramia_sk_` (*local*)',
      '- [ ] A **second** item', '',
      '## [Linked](http://127.0.0.1/x) section', '',
      '- [ ] One \\*escaped\\* item', '',
    ].join('\n'));
    await openRunbook(file);
    const roots = await waitFor(() => {
      const r = a.sections.getChildren();
      return r.length === 2 && r;
    }, { what: 'the two sections in the Runbook Sections view' });
    const label = (n: (typeof roots)[number]) => String(a.sections.getTreeItem(n).label);
    assert.deepEqual(roots.map(label), ['Keys start with engramia_sk_ (local)', 'Linked section']);
    assert.deepEqual(a.sections.getChildren(roots[0]).map(label), ['The new key starts with engramia_sk_ (local)', 'A second item']);
    assert.deepEqual(a.sections.getChildren(roots[1]).map(label), ['One *escaped* item']);
    assert.equal(a.sections.getTreeItem(roots[0]!).tooltip, 'Plain text › Keys start with engramia_sk_ (local): 0 of 2 items done');
    assert.equal(a.sections.getTreeItem(roots[1]!).tooltip, 'Plain text › Linked section: 0 of 1 item done');
  });

  test('round-trip fixtures: tick and untick, save, the bytes on disk are unchanged', async () => {
    const a = await api();
    const dir = path.join(workspaceDir(), 'roundtrip');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.runbook.md')).sort();
    assert.ok(files.length >= 10, `fixtures copied: ${files.length}`);
    let withTasks = 0;
    for (const f of files) {
      const file = path.join(dir, f);
      const before = read(file);
      // The document without an editor: the bytes go through VS Code's notebook model and the
      // serializer all the same, without rendering every fixture (about 2 s each).
      const nb = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
      assert.equal(nb.notebookType, 'runbook', `${f} opens as a runbook`);
      const tasks = a.statusBar.derived(nb).cells.map((c, i) => (c.task ? i : -1)).filter((i) => i >= 0);
      if (tasks.length) {
        withTasks++;
        await vscode.commands.executeCommand('runbook.toggleTask', nb.uri, tasks[0]);
        await vscode.commands.executeCommand('runbook.toggleTask', nb.uri, tasks[0]);
      } else {
        // No box: add a cell and take it away again, so that the save still goes through the serializer.
        const add = new vscode.WorkspaceEdit();
        add.set(nb.uri, [vscode.NotebookEdit.insertCells(nb.cellCount, [new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, 'x', 'markdown')])]);
        await vscode.workspace.applyEdit(add);
        const del = new vscode.WorkspaceEdit();
        del.set(nb.uri, [vscode.NotebookEdit.deleteCells(new vscode.NotebookRange(nb.cellCount - 1, nb.cellCount))]);
        await vscode.workspace.applyEdit(del);
      }
      assert.ok(nb.isDirty, `${f} became dirty`);
      await nb.save();
      assert.deepEqual(read(file), before, `${f} is byte-identical after save`);
    }
    assert.ok(withTasks >= 3, 'several fixtures have checklist items');
  });

  test('a malformed file opens with one error cell and a save does not rewrite it', async () => {
    const file = path.join(workspaceDir(), 'malformed.runbook.md');
    const bytes = Buffer.from([0x23, 0x20, 0x42, 0x61, 0x64, 0x0a, 0xff, 0xfe, 0xc3, 0x28, 0x0a]); // invalid UTF-8
    fs.writeFileSync(file, bytes);
    const editor = await openRunbook(file);
    const nb = editor.notebook;
    assert.equal(nb.cellCount, 1, 'one error cell');
    assert.match(nb.cellAt(0).document.getText(), /UTF-8|could not/i);
    const add = new vscode.WorkspaceEdit();
    add.set(nb.uri, [vscode.NotebookEdit.insertCells(1, [new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, 'tmp', 'markdown')])]);
    await vscode.workspace.applyEdit(add);
    const del = new vscode.WorkspaceEdit();
    del.set(nb.uri, [vscode.NotebookEdit.deleteCells(new vscode.NotebookRange(1, 2))]);
    await vscode.workspace.applyEdit(del);
    await nb.save();
    assert.deepEqual(read(file), bytes, 'the original bytes are kept');
  });

  test('a manual check ticks its box when confirmed, fails and unticks when denied', async () => {
    const a = await api();
    const file = path.join(workspaceDir(), 'demo.runbook.md');
    const editor = await openRunbook(file);
    const nb = editor.notebook;
    const derived = a.statusBar.derived(nb);
    const checkIndex = derived.cells.findIndex((c) => c.check?.id === 'demo.announce');
    assert.ok(checkIndex > 0, 'the demo check is found');
    const taskIndex = derived.cells[checkIndex]!.check!.taskCell!;
    assert.equal(derived.cells[taskIndex]!.task!.checked, false);

    const yes = scriptedUi('yes');
    a.setOperatorUi(yes);
    const [pass] = await a.controller.run(nb, [nb.cellAt(checkIndex)]);
    assert.equal(pass?.verdict, 'pass');
    assert.match(yes.asked[0] ?? '', /Tell the team/);
    assert.ok(a.statusBar.derived(nb).cells[taskIndex]!.task!.checked, 'a pass ticks the box');
    await waitFor(() => nb.cellAt(checkIndex).executionSummary?.success === true, { what: 'the cell to end green' });

    a.setOperatorUi(scriptedUi('no'));
    const [fail] = await a.controller.run(nb, [nb.cellAt(checkIndex)]);
    assert.equal(fail?.verdict, 'fail');
    await waitFor(() => nb.cellAt(checkIndex).executionSummary?.success === false, { what: 'a failed pass condition to end the cell red' });
    assert.equal(a.statusBar.derived(nb).cells[taskIndex]!.task!.checked, false, 'a failure unticks a box its check ticked');
    const out = nb.cellAt(checkIndex).outputs.flatMap((o) => o.items).map((i) => Buffer.from(i.data).toString()).join('\n');
    assert.match(out, /failed/);
    assert.match(out, /operator answered no/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('"Run" from VS Code executes the cell with the runbook controller', async () => {
    const a = await api();
    const editor = await openRunbook(path.join(workspaceDir(), 'demo.runbook.md'));
    const nb = editor.notebook;
    const checkIndex = a.statusBar.derived(nb).cells.findIndex((c) => c.check?.id === 'demo.announce');
    a.setOperatorUi(scriptedUi('skip'));
    await vscode.commands.executeCommand('notebook.selectKernel', { id: 'runbook-notebooks.checks.runbook', extension: 'runbook-notebooks.runbook-notebooks' });
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: checkIndex, end: checkIndex + 1 }] }, nb.uri);
    await waitFor(() => nb.cellAt(checkIndex).outputs.length > 0, { what: 'an output' });
    const out = nb.cellAt(checkIndex).outputs.flatMap((o) => o.items).map((i) => Buffer.from(i.data).toString()).join('\n');
    assert.match(out, /skipped/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
