/**
 * Agent code analysis in a REAL VS Code: diagnostics on the sample agent file, CodeLens, a quick
 * fix, fix-all (`source.fixAll.engramia`), "Disable for this line", the workspace scan command and
 * a Jupyter notebook analysed across cells.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, workspaceDir } from './helpers';
import { waitFor } from '../support/waitFor';

const SOURCE = 'engramia';

function engramiaDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

async function waitForDiagnostics(uri: vscode.Uri, expected: string[], what: string): Promise<vscode.Diagnostic[]> {
  return waitFor(() => {
    const ds = engramiaDiagnostics(uri);
    const codes = ds.map(codeOf).sort();
    return JSON.stringify(codes) === JSON.stringify([...expected].sort()) ? ds : undefined;
  }, { timeout: 30_000, what: () => `${what}: diagnostics ${expected.join(', ') || '(none)'} (have ${engramiaDiagnostics(uri).map(codeOf).join(', ') || 'none'})` });
}

async function applyAction(action: vscode.CodeAction | undefined, what: string): Promise<void> {
  assert.ok(action, `no code action: ${what}`);
  assert.ok(action.edit, `${what} has an edit`);
  assert.equal(await vscode.workspace.applyEdit(action.edit), true, `${what} applied`);
}

suite('Agent code analysis', () => {
  suiteSetup(async () => {
    await api();
  });
  teardown(closeAll);

  test('diagnostics, lenses, a quick fix and fix-all on the sample agent file', async () => {
    const uri = vscode.Uri.file(path.join(workspaceDir(), 'agents_app', 'agent.py'));
    // VS Code for the web saves an edited file after 1 s by default; the harness turns that off,
    // so agent.py changes on disk only if the product itself saves it.
    assert.equal(vscode.workspace.getConfiguration('files').get('autoSave'), 'off', 'the harness runs VS Code with files.autoSave off');
    const onDisk = fs.readFileSync(uri.fsPath);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'python');

    const diags = await waitForDiagnostics(uri, ['ENG001', 'ENG002'], 'sample file');
    const hooks = diags.find((d) => codeOf(d) === 'ENG001')!;
    assert.equal(doc.getText(hooks.range), 'Runner.run_sync', 'short range: the callee');
    assert.equal(hooks.severity, vscode.DiagnosticSeverity.Warning);
    const target = (hooks.code as { target: vscode.Uri }).target;
    assert.ok(target.toString().endsWith('ENG001.md'), `docs link: ${target.toString()}`);

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => t.includes('Add hooks=EngramiaAgentsHooks(memory)')), titles.join(' | '));
    assert.ok(titles.some((t) => t.includes('Wrap with engramia_instructions')), titles.join(' | '));
    assert.ok(titles.includes('Engramia: 2 issues — Fix all'), titles.join(' | '));

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, hooks.range);
    const quickFix = actions.find((a) => a.title.includes('Add hooks=EngramiaAgentsHooks'));
    assert.ok(actions.some((a) => a.title.includes('Disable ENG001 for this line')), actions.map((a) => a.title).join(' | '));
    await applyAction(quickFix, 'ENG001 quick fix');
    assert.ok(doc.getText().includes('from engramia.sdk.openai_agents import EngramiaRunHooks\n'), doc.getText());
    assert.ok(doc.getText().includes('\nclass EngramiaAgentsHooks(EngramiaRunHooks, RunHooks):\n'), doc.getText());
    assert.ok(doc.getText().includes('result = Runner.run_sync(assistant, question, hooks=EngramiaAgentsHooks(memory))'), doc.getText());
    await waitForDiagnostics(uri, ['ENG002'], 'after the quick fix');

    const fixAll = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(0, 0, doc.lineCount, 0), 'source.fixAll.engramia');
    await applyAction(fixAll.find((a) => a.kind?.value === 'source.fixAll.engramia'), 'fix-all');
    const text = doc.getText();
    assert.ok(text.includes('from engramia.sdk.openai_agents import EngramiaRunHooks, engramia_instructions\n'), text);
    assert.ok(text.includes('    instructions=engramia_instructions(memory, base="You are a helpful assistant."),\n'), text);
    assert.ok(text.includes('Runner.run_sync(assistant, question, hooks=EngramiaAgentsHooks(memory), context=question)'), text);
    assert.equal(text.split('class EngramiaAgentsHooks').length, 2, 'the hooks class is defined once');
    await waitForDiagnostics(uri, [], 'after fix-all');
    // the fixes went into the editor's buffer; nothing was saved
    assert.equal(doc.isDirty, true);
    assert.deepEqual(fs.readFileSync(uri.fsPath), onDisk, 'agent.py on disk is unchanged by the quick fix and fix-all');
  });

  test('"Disable for this line" writes a suppression comment', async () => {
    const file = path.join(workspaceDir(), 'agents_app', 'suppress_me.py');
    fs.writeFileSync(file, 'from agents import Runner\n\n\ndef go(a, x):\n    return Runner.run_sync(a, x)\n');
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const [d] = await waitForDiagnostics(uri, ['ENG001'], 'suppress_me.py');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d!.range);
    await applyAction(actions.find((a) => a.title.includes('Disable ENG001 for this line')), 'suppression');
    assert.equal(doc.lineAt(4).text, '    return Runner.run_sync(a, x)  # engramia: ignore[ENG001]');
    await waitForDiagnostics(uri, [], 'after suppression');
  });

  test('typing updates the diagnostics (debounced, incremental)', async () => {
    const file = path.join(workspaceDir(), 'agents_app', 'typing.py');
    fs.writeFileSync(file, 'from agents import Runner\n\nRunner.run_sync(a, x, hooks=h)\n');
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    await waitForDiagnostics(uri, [], 'typing.py with hooks');
    const start = doc.getText().indexOf(', hooks=h');
    await editor.edit((b) => b.delete(new vscode.Range(doc.positionAt(start), doc.positionAt(start + ', hooks=h'.length))));
    await waitForDiagnostics(uri, ['ENG001'], 'after deleting hooks');
  });

  test('ENG008 resolves run hooks imported from another module of the workspace, and sees a saved change', async () => {
    const dir = fs.mkdtempSync(path.join(workspaceDir(), 'hooks-'));
    fs.mkdirSync(path.join(dir, 'app'));
    const hooksFile = path.join(dir, 'app', 'hooks.py');
    fs.writeFileSync(hooksFile, 'from agents import RunHooks\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n\n\nclass ProjectHooks(EngramiaRunHooks, RunHooks):\n    pass\n');
    fs.writeFileSync(path.join(dir, 'app', 'main.py'), 'from agents import Runner\nfrom app.hooks import ProjectHooks\nRunner.run_sync(a, x, hooks=ProjectHooks(memory))\nRunner.run_sync(a, x, hooks=Unknown(memory))\n');
    const config = vscode.workspace.getConfiguration('runbook.analysis');
    await config.update('rules.ENG008', true, vscode.ConfigurationTarget.Workspace);
    try {
      const main = vscode.Uri.file(path.join(dir, 'app', 'main.py'));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(main));
      const linesOf = () => engramiaDiagnostics(main).map((d) => `${d.range.start.line + 1} ${codeOf(d)}`).sort();
      // the project's class (line 3) is resolved; the unknown one (line 4) is reported
      await waitFor(() => JSON.stringify(linesOf()) === JSON.stringify(['4 ENG008']), { timeout: 30_000, what: () => `only line 4 reported (have ${linesOf().join(', ') || 'none'})` });
      // the class stops being a RunHooks: after hooks.py is saved, line 3 is reported too
      const hooksDoc = await vscode.workspace.openTextDocument(hooksFile);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(hooksDoc.uri, new vscode.Range(4, 0, 4, hooksDoc.lineAt(4).text.length), 'class ProjectHooks(EngramiaRunHooks):');
      assert.equal(await vscode.workspace.applyEdit(edit), true);
      assert.equal(await hooksDoc.save(), true);
      await waitFor(() => linesOf().some((l) => l.startsWith('3 ')), { timeout: 30_000, what: () => `line 3 reported after the save (have ${linesOf().join(', ') || 'none'})` });
    } finally {
      await config.update('rules.ENG008', undefined, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Scan Workspace reports the files on disk', async () => {
    assert.deepEqual(vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file').map((d) => d.uri.fsPath), [], 'no edited file is open');
    const result = await vscode.commands.executeCommand<{ findings: { file: string; rule: string }[]; files: number } | undefined>('runbook.analysis.scanWorkspace');
    assert.ok(result, 'scan result');
    assert.ok(result.findings.some((f) => f.file === 'agents_app/agent.py' && f.rule === 'ENG001'), JSON.stringify(result.findings));
    assert.ok(result.files >= 1);
  });

  test('a Jupyter notebook is analysed across cells', async function () {
    const file = path.join(workspaceDir(), 'agents_app', 'agents.ipynb');
    fs.writeFileSync(file, JSON.stringify({
      cells: [
        { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: ['from agents import Agent, Runner'] },
        { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: ['agent = Agent(name="nb", instructions="Be brief.")'] },
        { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: ['result = Runner.run_sync(agent, "hi")'] },
      ],
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' } },
      nbformat: 4,
      nbformat_minor: 5,
    }));
    let nb: vscode.NotebookDocument;
    try {
      nb = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    } catch (err) {
      this.skip(); // no ipynb serializer in this build
      return;
    }
    if (nb.notebookType !== 'jupyter-notebook') this.skip();
    await vscode.window.showNotebookDocument(nb);
    const cells = nb.getCells();
    await waitFor(() => cells[0]!.document.languageId === 'python' || undefined, { timeout: 10_000, what: 'python cells' }).catch(() => undefined);
    if (cells[1]!.document.languageId !== 'python') this.skip();
    await waitForDiagnostics(cells[1]!.document.uri, ['ENG002'], 'cell 2');
    const [d] = await waitForDiagnostics(cells[2]!.document.uri, ['ENG001'], 'cell 3');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', cells[2]!.document.uri, d!.range);
    await applyAction(actions.find((a) => a.title.includes('Add hooks=')), 'notebook quick fix');
    assert.equal(cells[2]!.document.getText(), 'result = Runner.run_sync(agent, "hi", hooks=EngramiaAgentsHooks(memory))');
    assert.ok(cells[0]!.document.getText().includes('from engramia.sdk.openai_agents import EngramiaRunHooks'), 'import goes to the import cell');
    assert.ok(cells[0]!.document.getText().includes('class EngramiaAgentsHooks(EngramiaRunHooks, RunHooks):'), 'the hooks class goes to the import cell');
  });
});
