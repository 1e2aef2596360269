/**
 * "Runbook: Convert Guide to Runbook…" in a REAL VS Code: the preview diff shows the guide and the
 * runbook, the runbook is written beside the guide and opens as a runbook notebook.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { convertGuide } from '../../src/core/convert';
import { api, closeAll, repoRoot, workspaceDir } from './helpers';
import { waitFor } from '../support/waitFor';

const NOW = '2026-12-01T10:00:00Z';

suite('Convert guide to runbook', () => {
  teardown(closeAll);

  test('previews, writes <name>.runbook.md and opens it as a runbook notebook', async () => {
    await api();
    const dir = fs.mkdtempSync(path.join(workspaceDir(), 'convert-'));
    const guide = path.join(dir, 'github-guide.md');
    fs.copyFileSync(path.join(repoRoot(), 'test', 'fixtures', 'convert', 'github-guide.md'), guide);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(guide));

    const written = await vscode.commands.executeCommand<vscode.Uri>('runbook.convertGuide', undefined, { yes: true, now: NOW });
    assert.ok(written, 'a runbook was written');
    assert.equal(written.fsPath, path.join(dir, 'github-guide.runbook.md'));
    const expected = convertGuide(fs.readFileSync(guide, 'utf8'), { source: 'github-guide.md', convertedAt: NOW, fileName: guide, format: 'markdown' }).text;
    assert.equal(fs.readFileSync(written.fsPath, 'utf8'), expected);

    const diff = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff);
    assert.ok(diff, 'the preview diff is open');
    const input = diff.input as vscode.TabInputTextDiff;
    assert.equal(input.original.fsPath, guide);
    assert.equal(input.modified.scheme, 'runbook-convert-preview');
    assert.equal((await vscode.workspace.openTextDocument(input.modified)).getText(), expected);

    const editor = await waitFor(() => vscode.window.visibleNotebookEditors.find((e) => e.notebook.uri.fsPath === written.fsPath), { what: 'the runbook notebook' });
    assert.equal(editor.notebook.notebookType, 'runbook');
    const derived = (await api()).statusBar.derived(editor.notebook);
    assert.ok(derived.cells.filter((c) => c.check?.kind === 'http').length >= 7, 'the http checks are cells of the notebook');
  });
});
