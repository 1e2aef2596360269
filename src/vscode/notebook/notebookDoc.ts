/**
 * Adapters between a live notebook and the core's runbook model: a `RunbookDocument` view of
 * the notebook (for planning and reports), sections, and revealing a cell.
 */
import * as vscode from 'vscode';
import type { DerivedRunbook, RunbookDocument, Section } from '../../core/runbook';
import { sectionOfCell } from '../../core/plan';
import { taskItemId } from '../../core/evidence';
import { isRunbookNotebook } from './types';

/** The live notebook as the core's document model (cells carry their current text). */
export function documentOf(notebook: vscode.NotebookDocument, derived: DerivedRunbook): RunbookDocument {
  const cells = derived.cells.map((c, i) => ({
    ...c,
    kind: notebook.cellAt(i).kind === vscode.NotebookCellKind.Code ? 'code' : 'markup',
    value: notebook.cellAt(i).document.getText(),
    language: notebook.cellAt(i).document.languageId,
  }));
  return { cells: cells as unknown as RunbookDocument['cells'], sections: derived.sections, frontMatter: derived.frontMatter, eol: '\n' };
}

/** The evidence id of a checklist item: its check's id, else the derived task id. */
export function itemIdOf(doc: RunbookDocument, cellIndex: number, checkId: string | undefined): { id: string; label?: string; sectionPath: readonly string[] } {
  const section = sectionOfCell(doc, cellIndex);
  const path = section?.path ?? [];
  const label = doc.cells[cellIndex]?.task?.label;
  return { id: checkId ?? taskItemId(path, label ?? `cell ${cellIndex + 1}`), label, sectionPath: path };
}

/** The rollback section: a heading titled "Rollback", else the first below the top level that mentions it. */
export function rollbackSection(derived: DerivedRunbook): Section | undefined {
  const s = derived.sections;
  return s.find((x) => x.title.trim().toLowerCase() === 'rollback')
    ?? s.find((x) => x.level > 1 && /rollback|roll back/i.test(x.title))
    ?? s.find((x) => /rollback|roll back/i.test(x.title));
}

export function findNotebook(uri?: vscode.Uri | string): vscode.NotebookDocument | undefined {
  if (uri) {
    const key = typeof uri === 'string' ? uri : uri.toString();
    return vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === key || n.uri.fsPath === key);
  }
  const nb = vscode.window.activeNotebookEditor?.notebook;
  return isRunbookNotebook(nb) ? nb : undefined;
}

/** Shows the notebook and puts the cell in view, selected. */
export async function revealCell(notebook: vscode.NotebookDocument, index: number): Promise<vscode.NotebookEditor> {
  const editor = await vscode.window.showNotebookDocument(notebook, { preserveFocus: false });
  const range = new vscode.NotebookRange(index, index + 1);
  editor.selections = [range];
  editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/**
 * Puts a failing check's reason on screen: its cell and the red output below it (the output
 * belongs to the check cell). The item and the check cell are selected (`itemCell`, when the check
 * belongs to a checklist item, comes first). A check cell out of view is revealed in the centre;
 * one at the bottom edge whose output runs off the screen (the next cell is not in view) goes to
 * the top. A cell taller than the screen still leaves its output below the edge at the top: then
 * the cell after it is brought to the centre, which puts the output — it ends where that cell
 * begins, the verdict and the reason last — in the upper half.
 */
export async function revealFailure(notebook: vscode.NotebookDocument, checkCell: number, itemCell?: number | null): Promise<vscode.NotebookEditor> {
  const editor = await vscode.window.showNotebookDocument(notebook, { preserveFocus: false });
  const first = itemCell !== undefined && itemCell !== null && itemCell < checkCell ? itemCell : checkCell;
  editor.selections = [new vscode.NotebookRange(first, checkCell + 1)];
  const inView = (i: number) => editor.visibleRanges.some((r) => r.start <= i && i < r.end);
  const range = new vscode.NotebookRange(checkCell, checkCell + 1);
  const next = checkCell + 1 < notebook.cellCount ? checkCell + 1 : undefined;
  let moved = true;
  if (!inView(checkCell)) editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
  else if (next !== undefined && !inView(next)) editor.revealRange(range, vscode.NotebookEditorRevealType.AtTop);
  else moved = false;
  if (moved && next !== undefined) {
    await visibleRangesSettled(editor);
    if (!inView(next)) editor.revealRange(new vscode.NotebookRange(next, next + 1), vscode.NotebookEditorRevealType.InCenter);
  }
  return editor;
}

/** Resolves when the editor reports its new visible ranges after a reveal (or after `ms`, if it does not). */
function visibleRangesSettled(editor: vscode.NotebookEditor, ms = 500): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const sub = vscode.window.onDidChangeNotebookEditorVisibleRanges((e) => {
      if (e.notebookEditor === editor) done();
    });
  });
}
