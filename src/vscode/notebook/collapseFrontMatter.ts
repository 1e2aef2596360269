/**
 * A long front matter (the inputs) would fill the first screen: collapse its input the first
 * time a runbook opens in an editor, so the checklist is what the user sees. One click expands it.
 */
import * as vscode from 'vscode';
import { cellMeta } from './serializer';
import { isRunbookNotebook } from './types';

const LONG = 8;

export function collapseLongFrontMatter(): vscode.Disposable {
  const seen = new WeakSet<vscode.NotebookDocument>();
  /** Notebooks whose front matter still waits for its editor to draw. */
  const pending = new Set<vscode.NotebookDocument>();
  const collapse = (nb: vscode.NotebookDocument) => {
    if (!vscode.window.visibleNotebookEditors.some((e) => e.notebook === nb)) return;
    void vscode.commands.executeCommand('notebook.cell.collapseCellInput', { ranges: [{ start: 0, end: 1 }], document: nb.uri })
      .then(undefined, () => undefined);
  };
  const handle = (editors: readonly vscode.NotebookEditor[]) => {
    for (const editor of editors) {
      const nb = editor.notebook;
      if (!isRunbookNotebook(nb) || seen.has(nb) || nb.cellCount === 0) continue;
      seen.add(nb);
      const first = nb.cellAt(0);
      if (cellMeta(first.metadata).role !== 'frontMatter' || first.document.lineCount <= LONG) continue;
      // The editor ignores the command until it has drawn its cells. It has when it reports its
      // first visible ranges; on a busy machine that can take seconds, so the timed tries stay as
      // a fallback (collapsing is idempotent).
      if (editor.visibleRanges.length) collapse(nb);
      else pending.add(nb);
      for (const delay of [300, 1200, 3000]) setTimeout(() => collapse(nb), delay);
    }
  };
  handle(vscode.window.visibleNotebookEditors);
  return vscode.Disposable.from(
    vscode.window.onDidChangeVisibleNotebookEditors(handle),
    vscode.window.onDidChangeNotebookEditorVisibleRanges((e) => {
      const nb = e.notebookEditor.notebook;
      if (!pending.has(nb) || !e.visibleRanges.length) return;
      pending.delete(nb);
      collapse(nb);
    }),
  );
}
