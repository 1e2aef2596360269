/**
 * Publishes which cells are checklist items, ticked or not, as context keys holding cell URIs,
 * so that the cell toolbar shows "Tick" / "Untick" only on checklist cells
 * (`notebookCellResource in runbook.uncheckedTaskCells`). Markdown cells do not draw their status
 * bar outside edit mode, so the toolbar is the one-click channel there.
 */
import * as vscode from 'vscode';
import type { DerivedRunbooks } from './derivedRunbooks';
import { isRunbookNotebook } from './types';

export class TaskContextKeys implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly runbooks: DerivedRunbooks) {
    const schedule = () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.update(), 50);
    };
    this.disposables.push(
      vscode.workspace.onDidOpenNotebookDocument(schedule),
      vscode.workspace.onDidCloseNotebookDocument(schedule),
      vscode.workspace.onDidChangeNotebookDocument((e) => { if (isRunbookNotebook(e.notebook)) schedule(); }),
    );
    this.update();
  }

  update(): void {
    const checked: string[] = [];
    const unchecked: string[] = [];
    for (const nb of vscode.workspace.notebookDocuments) {
      if (!isRunbookNotebook(nb)) continue;
      const derived = this.runbooks.of(nb);
      derived.cells.forEach((c, i) => {
        if (c.task && i < nb.cellCount) (c.task.checked ? checked : unchecked).push(nb.cellAt(i).document.uri.toString());
      });
    }
    void vscode.commands.executeCommand('setContext', 'runbook.checkedTaskCells', checked);
    void vscode.commands.executeCommand('setContext', 'runbook.uncheckedTaskCells', unchecked);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
