/**
 * One Run All, in a REAL VS Code: the notebook's own Run All (`notebook.execute`) runs the plan
 * "Run All Checks" runs (excluded and destructive checks left out, stop at the first failure,
 * the same evidence), and after a run with a failure — or "Show First Failing Item" — the failing
 * check's cell (whose output says why) is in view.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvidenceRecord } from '../../src/core/evidence';
import type { RunAllResult } from '../../src/vscode/ops';
import { api, closeAll, openRunbook, scriptedUi, workspaceDir } from './helpers';
import { waitFor } from '../support/waitFor';

let copies = 0;

/**
 * A runbook whose failing check sits far below the first screen: `filler` plain items first,
 * then a passing check, one excluded from run all, a destructive one (it would write a file), the
 * failing one and one after it.
 */
function writeRunbook(filler: number, tallScript = 0): { file: string; marker: string; excludedMarker: string } {
  const dir = workspaceDir();
  const n = `${process.pid}-${++copies}`;
  const file = path.join(dir, `one-run-all-${n}.runbook.md`);
  const marker = path.join(dir, `one-run-all-purged-${n}.txt`);
  const excludedMarker = path.join(dir, `one-run-all-excluded-${n}.txt`);
  fs.writeFileSync(file, [
    '# One Run All', '', '## Prepare', '',
    ...Array.from({ length: filler }, (_, i) => `- [ ] Read note ${i + 1}\n`),
    '## Cutover', '',
    '- [ ] The shell works', '  ```shell {id=one.ok}', '  echo ok', '  ```',
    '- [ ] Left out of run all', '  ```shell {id=one.excluded excludeFromRunAll=true}', `  echo x > ${JSON.stringify(excludedMarker)}`, '  ```',
    '- [ ] Purge the old side', '  ```shell {id=one.purge destructive=true}', `  echo purged > ${JSON.stringify(marker)}`, '  ```',
    '- [ ] Switch the traffic', '  ```shell {id=one.switch}', ...Array.from({ length: tallScript }, (_, i) => `  : step ${i + 1} of a long script`), '  echo "switch refused by the router"', '  exit 1', '  ```',
    '- [ ] After the switch', '  ```shell {id=one.after}', '  echo after', '  ```', '',
  ].join('\n'));
  return { file, marker, excludedMarker };
}

function checkRecords(file: string): string[] {
  const log = file.replace(/\.md$/, '.evidence.jsonl');
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as EvidenceRecord)
    .filter((r) => (r.event ?? 'check') === 'check').map((r) => `${r.checkId}:${r.verdict}`);
}

function cellOf(nb: vscode.NotebookDocument, derived: { cells: readonly { check?: { id: string } }[] }, id: string): number {
  const i = derived.cells.findIndex((c) => c.check?.id === id);
  assert.ok(i >= 0, `check ${id} in ${path.basename(nb.uri.fsPath)}`);
  return i;
}

const inView = (editor: vscode.NotebookEditor, cell: number) => editor.visibleRanges.some((r) => r.start <= cell && cell < r.end);

suite('One Run All', () => {
  setup(async () => { (await api()).setOperatorUi(scriptedUi('yes')); });
  teardown(async () => {
    const a = await api();
    a.setOperatorUi(undefined);
    for (const nb of vscode.workspace.notebookDocuments) if (nb.isDirty) await nb.save();
    await closeAll();
  });

  test('VS Code’s own Run All (notebook.execute) runs the plan of "Run All Checks": destructive and excluded checks skipped, stop at the first failure, same evidence', async () => {
    const a = await api();
    // The command, on one copy.
    const byCommand = writeRunbook(3);
    const nb1 = (await openRunbook(byCommand.file)).notebook;
    const result = await vscode.commands.executeCommand<RunAllResult>('runbook.runAll', nb1.uri);
    assert.deepEqual(result.ran.map((r) => `${r.checkId}:${r.verdict}`), ['one.ok:pass', 'one.switch:fail']);
    assert.deepEqual([...result.excluded], ['one.excluded', 'one.purge']);
    assert.deepEqual([...result.notRun], ['one.after']);
    await closeAll();

    // VS Code's Run All button, on another copy.
    const byButton = writeRunbook(3);
    const editor = await openRunbook(byButton.file);
    const nb2 = editor.notebook;
    const before = a.ops.notices.length;
    await vscode.commands.executeCommand('notebook.execute', nb2.uri);
    await waitFor(() => a.state.lastRun(nb2.uri, 'one.switch'), { what: 'the failing check to run' });
    const notice = await waitFor(() => a.ops.notices.slice(before).find((n) => n.level === 'warning'), { what: 'the run summary' });

    assert.equal(a.state.lastRun(nb2.uri, 'one.ok')?.verdict, 'pass');
    assert.equal(a.state.lastRun(nb2.uri, 'one.switch')?.verdict, 'fail');
    assert.equal(a.state.lastRun(nb2.uri, 'one.purge'), undefined, 'the destructive check did not run');
    assert.equal(a.state.lastRun(nb2.uri, 'one.excluded'), undefined, 'the excluded check did not run');
    assert.equal(a.state.lastRun(nb2.uri, 'one.after'), undefined, 'nothing ran after the failure');
    assert.equal(fs.existsSync(byButton.marker), false, 'the destructive shell never ran');
    assert.equal(fs.existsSync(byButton.excludedMarker), false, 'the excluded shell never ran');
    assert.equal(fs.existsSync(byCommand.marker), false, 'nor from the command');
    // The same summary as the command's (same words, other file).
    assert.equal(notice.message, result.message);
    // The same evidence.
    assert.deepEqual(checkRecords(byButton.file), ['one.ok:pass', 'one.switch:fail']);
    assert.deepEqual(checkRecords(byButton.file), checkRecords(byCommand.file));
  });

  test('after a run with a failure, and on "Show First Failing Item", the failing check’s cell and output are in view', async () => {
    const a = await api();
    const { file } = writeRunbook(80);
    const editor = await openRunbook(file);
    const nb = editor.notebook;
    const derived = a.statusBar.derived(nb);
    const failing = cellOf(nb, derived, 'one.switch');
    const item = derived.cells[failing]!.check! as { taskCell?: number | null };
    await waitFor(() => editor.visibleRanges.length > 0 && inView(editor, 0), { what: 'the top of the runbook in view' });
    assert.equal(inView(editor, failing), false, 'the failing check starts out of view (far below)');

    // The command's run.
    const result = await vscode.commands.executeCommand<RunAllResult>('runbook.runAll', nb.uri);
    assert.equal(result.stoppedAfter, 'one.switch');
    const shown = () => vscode.window.visibleNotebookEditors.find((e) => e.notebook === nb);
    await waitFor(() => { const e = shown(); return e && inView(e, failing); }, { what: 'the failing cell in view after Run All Checks' });
    const output = nb.cellAt(failing).outputs.flatMap((o) => o.items).map((i) => Buffer.from(i.data).toString()).join('\n');
    assert.match(output, /switch refused by the router/, 'the cell in view holds the reason');
    assert.equal(shown()!.selection.start, item.taskCell, 'the failing item is selected');
    assert.ok(shown()!.selection.end > failing, 'with its check cell');
    // The summary is in the status bar, not a toast on the output.
    const summary = a.ops.notices.filter((n) => n.level === 'warning').at(-1);
    assert.match(summary?.message ?? '', /stopped: "Switch the traffic" failed/);

    // Scroll away, then Show First Failing Item.
    shown()!.revealRange(new vscode.NotebookRange(0, 1), vscode.NotebookEditorRevealType.AtTop);
    await waitFor(() => !inView(shown()!, failing), { what: 'the failing cell scrolled out of view' });
    await vscode.commands.executeCommand('runbook.revealFirstFailing', nb.uri);
    await waitFor(() => { const e = shown(); return e && inView(e, failing); }, { what: 'the failing cell in view after Show First Failing Item' });

    // VS Code's own Run All.
    shown()!.revealRange(new vscode.NotebookRange(0, 1), vscode.NotebookEditorRevealType.AtTop);
    await waitFor(() => !inView(shown()!, failing), { what: 'the failing cell scrolled out of view again' });
    const runsBefore = a.state.lastRun(nb.uri, 'one.switch')!.startedAt;
    await vscode.commands.executeCommand('notebook.execute', nb.uri);
    await waitFor(() => a.state.lastRun(nb.uri, 'one.switch')!.startedAt !== runsBefore, { what: 'the notebook’s own run' });
    await waitFor(() => { const e = shown(); return e && inView(e, failing); }, { what: 'the failing cell in view after the notebook’s Run All' });
  });

  test('a failing check taller than the screen: its output (which ends where the next cell begins) is brought into view', async () => {
    const a = await api();
    const { file } = writeRunbook(40, 150);
    const editor = await openRunbook(file);
    const nb = editor.notebook;
    const failing = cellOf(nb, a.statusBar.derived(nb), 'one.switch');
    await waitFor(() => editor.visibleRanges.length > 0 && inView(editor, 0), { what: 'the top of the runbook in view' });
    const result = await vscode.commands.executeCommand<RunAllResult>('runbook.runAll', nb.uri);
    assert.equal(result.stoppedAfter, 'one.switch');
    const shown = () => vscode.window.visibleNotebookEditors.find((e) => e.notebook === nb);
    // At the top, a 150-line cell leaves its output below the edge; the cell after it in view means
    // the output's end (the verdict and the reason) is on screen, with the cell itself still showing.
    await waitFor(() => { const e = shown(); return e && inView(e, failing + 1) && inView(e, failing); }, { what: 'the failing output and the next cell in view' });
    assert.equal(shown()!.selection.end, failing + 1, 'the failing check stays selected');
  });
});
