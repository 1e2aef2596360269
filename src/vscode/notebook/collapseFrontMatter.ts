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
  const handle = (editors: readonly vscode.NotebookEditor[]) => {
    for (const editor of editors) {
      const nb = editor.notebook;
      if (!isRunbookNotebook(nb) || seen.has(nb) || nb.cellCount === 0) continue;
      seen.add(nb);
      const first = nb.cellAt(0);
      if (cellMeta(first.metadata).role !== 'frontMatter' || first.document.lineCount <= LONG) continue;
      // The editor draws its cells a moment after it becomes visible, and the command is ignored
      // until then: try a few times (collapsing is idempotent).
      for (const delay of [300, 1200, 3000]) {
        setTimeout(() => {
          if (!vscode.window.visibleNotebookEditors.some((e) => e.notebook === nb)) return;
          void vscode.commands.executeCommand('notebook.cell.collapseCellInput', { ranges: [{ start: 0, end: 1 }], document: nb.uri })
            .then(undefined, () => undefined);
        }, delay);
      }
    }
  };
  handle(vscode.window.visibleNotebookEditors);
  return vscode.window.onDidChangeVisibleNotebookEditors(handle);
}
