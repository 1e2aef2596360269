/**
 * "Runbook Sections" in the Explorer: the active runbook's sections with their progress
 * ("Data 3/4 · 1 failing") and their checklist items; a click reveals the cell. Markdown cells
 * draw no status bar outside edit mode, so this is where section progress is always visible.
 */
import * as vscode from 'vscode';
import { plainText, plural, sectionProgress, type DerivedRunbook } from '../../core/runbook';
import type { RunState } from './runState';
import type { DerivedRunbooks } from './derivedRunbooks';
import { isRunbookNotebook } from './types';
import { findNotebook, revealCell } from './notebookDoc';

type Node =
  | { readonly kind: 'section'; readonly index: number }
  | { readonly kind: 'item'; readonly cell: number };

export class SectionsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private notebook: vscode.NotebookDocument | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly runbooks: DerivedRunbooks, private readonly state: RunState) {
    const view = vscode.window.createTreeView('runbook.sections', { treeDataProvider: this, showCollapseAll: true });
    const refresh = () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.changed.fire(undefined), 100);
    };
    const follow = () => {
      const nb = vscode.window.activeNotebookEditor?.notebook;
      if (isRunbookNotebook(nb)) this.notebook = nb;
      else if (this.notebook && !vscode.workspace.notebookDocuments.includes(this.notebook)) this.notebook = undefined;
      void vscode.commands.executeCommand('setContext', 'runbook.hasRunbook', !!this.notebook);
      view.message = this.notebook ? undefined : 'Open a runbook to see its sections and progress.';
      refresh();
    };
    this.disposables.push(
      view,
      vscode.window.onDidChangeActiveNotebookEditor(follow),
      vscode.workspace.onDidCloseNotebookDocument(follow),
      vscode.workspace.onDidChangeNotebookDocument((e) => { if (e.notebook === this.notebook) refresh(); }),
      state.onDidChange(refresh),
    );
    follow();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }

  private derived(): DerivedRunbook | undefined {
    return this.notebook ? this.runbooks.of(this.notebook) : undefined;
  }

  getChildren(node?: Node): Node[] {
    const derived = this.derived();
    if (!derived) return [];
    const sections = derived.sections;
    const totals = new Map(sectionProgress(derived).map((p) => [p.section.id, p.total]));
    const hasItems = (i: number) => (totals.get(sections[i]!.id) ?? 0) > 0;
    // A section's parent: the nearest earlier section one heading level up its path.
    const parentOf = (i: number): number | undefined => {
      const s = sections[i]!;
      for (let j = i - 1; j >= 0; j--) if (sections[j]!.level < s.level && sections[j]!.endCell >= s.endCell) return j;
      return undefined;
    };
    const childSections = (parent: number | undefined) =>
      sections.map((_, i) => i).filter((i) => parentOf(i) === parent && hasItems(i)).map((index): Node => ({ kind: 'section', index }));
    const ownItems = (i: number): Node[] => {
      const s = sections[i]!;
      const next = sections.find((x) => x.cell > s.cell && x.cell < s.endCell);
      const end = next ? next.cell : s.endCell;
      const items: Node[] = [];
      for (let c = s.cell; c < end; c++) if (derived.cells[c]?.task) items.push({ kind: 'item', cell: c });
      return items;
    };
    if (!node) {
      const roots = childSections(undefined);
      // One title heading around everything: show its sections directly.
      if (roots.length === 1 && roots[0]!.kind === 'section' && ownItems(roots[0]!.index).length === 0) return childSections(roots[0]!.index);
      return roots;
    }
    if (node.kind !== 'section') return [];
    return [...ownItems(node.index), ...childSections(node.index)];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const derived = this.derived()!;
    const nb = this.notebook!;
    if (node.kind === 'section') {
      const section = derived.sections[node.index]!;
      const p = sectionProgress(derived).find((x) => x.section.id === section.id)!;
      const failing = derived.cells
        .slice(section.cell, section.endCell)
        .filter((c) => c.check && this.state.failing(nb.uri, c.check.id)).length;
      const item = new vscode.TreeItem(plainText(section.title), vscode.TreeItemCollapsibleState.Collapsed);
      item.description = `${p.done}/${p.total}${failing ? ` · ${failing} failing` : ''}`;
      item.iconPath = new vscode.ThemeIcon(failing ? 'error' : p.done === p.total ? 'pass-filled' : 'checklist');
      item.tooltip = `${section.path.map(plainText).join(' › ')}: ${p.done} of ${plural(p.total, 'item')} done${failing ? `, ${failing} failing` : ''}`;
      item.command = { title: 'Reveal', command: 'runbook.revealCell', arguments: [nb.uri, section.cell] };
      item.contextValue = 'runbookSection';
      return item;
    }
    const info = derived.cells[node.cell]!;
    const check = derived.cells.find((c) => c.check?.taskCell === node.cell)?.check;
    const run = check ? this.state.lastRun(nb.uri, check.id) : undefined;
    const label = plainText(info.task!.label);
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    const failed = run && (run.verdict === 'fail' || run.verdict === 'error');
    item.iconPath = new vscode.ThemeIcon(info.task!.checked ? (failed ? 'warning' : 'pass-filled') : failed ? 'error' : 'circle-large-outline');
    item.description = run ? `${run.verdict}: ${plainText(run.reason)}` : check ? check.id : undefined;
    item.tooltip = run ? `${plainText(run.reason)}${run.next ? `\nNext: ${plainText(run.next)}` : ''}` : label;
    item.command = { title: 'Reveal', command: 'runbook.revealCell', arguments: [nb.uri, node.cell] };
    return item;
  }
}

/** The `runbook.revealCell` command: reveals and selects a cell of an open runbook. */
export async function revealCellCommand(uri: vscode.Uri, index: number): Promise<void> {
  const nb = findNotebook(uri);
  if (nb) await revealCell(nb, index);
}
