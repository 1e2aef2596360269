/**
 * Cell status bar items: the checkbox on task cells (click to tick or untick), the last verdict on
 * check cells, section progress on heading cells, and the inputs summary on the front matter.
 * (`command:` links inside markdown cells are blocked by VS Code; status bar items are not.)
 */
import * as vscode from 'vscode';
import { plainText, plural, sectionProgress, type DerivedRunbook } from '../../core/runbook';
import { oneLine } from '../../core/text';
import type { RunState } from './runState';
import type { DerivedRunbooks } from './derivedRunbooks';
import { isRunbookNotebook, NOTEBOOK_TYPES } from './types';

export class RunbookStatusBar implements vscode.NotebookCellStatusBarItemProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCellStatusBarItems = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly runbooks: DerivedRunbooks, private readonly state: RunState) {
    for (const type of NOTEBOOK_TYPES) this.disposables.push(vscode.notebooks.registerNotebookCellStatusBarItemProvider(type, this));
    this.disposables.push(
      state.onDidChange(() => this.changed.fire()),
      vscode.workspace.onDidChangeNotebookDocument((e) => { if (isRunbookNotebook(e.notebook)) this.changed.fire(); }),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }

  /** The live runbook's derived view, as this status bar reads it (the extension API's tests use it; features get DerivedRunbooks injected). */
  derived(notebook: vscode.NotebookDocument): DerivedRunbook {
    return this.runbooks.of(notebook);
  }

  provideCellStatusBarItems(cell: vscode.NotebookCell): vscode.NotebookCellStatusBarItem[] {
    const notebook = cell.notebook;
    const derived = this.derived(notebook);
    const info = derived.cells[cell.index];
    if (!info) return [];
    const items: vscode.NotebookCellStatusBarItem[] = [];
    const L = vscode.NotebookCellStatusBarAlignment.Left;
    const R = vscode.NotebookCellStatusBarAlignment.Right;

    if (info.task) {
      const check = derived.cells.find((c) => c.check?.taskCell === cell.index)?.check;
      const run = check ? this.state.lastRun(notebook.uri, check.id) : undefined;
      const tick = this.state.lastTick(notebook.uri, check?.id ?? `cell:${cell.index}`);
      const checked = info.task.checked;
      const item = new vscode.NotebookCellStatusBarItem(checked ? '$(pass-filled) Done' : '$(circle-large-outline) Not done', L);
      item.command = { title: 'Toggle checkbox', command: 'runbook.toggleTask', arguments: [notebook.uri, cell.index] };
      const how = tick ? `ticked ${tick.by === 'hand' ? 'by hand' : 'by its check'} at ${new Date(tick.at).toLocaleTimeString()}` : checked ? 'ticked in the file' : 'not ticked';
      item.tooltip = `${plainText(info.task.label)}\n${how}\nClick to ${checked ? 'untick' : 'tick'} (Alt+C)`;
      items.push(item);
      if (checked && run && (run.verdict === 'fail' || run.verdict === 'error')) {
        const warn = new vscode.NotebookCellStatusBarItem(`$(warning) Ticked by hand — its check failed: ${oneLine(plainText(run.reason), 60)}`, L);
        warn.tooltip = `Override: the box is ticked although "${check!.id}" last failed.\n${plainText(run.reason)}`;
        items.push(warn);
      } else if (check) {
        items.push(new vscode.NotebookCellStatusBarItem(run ? verdictText(run.verdict, run.reason) : '$(beaker) has a check', R));
      }
    }

    if (info.check) {
      const run = this.state.lastRun(notebook.uri, info.check.id);
      if (info.check.error) {
        const e = new vscode.NotebookCellStatusBarItem(`$(error) ${oneLine(info.check.error, 80)}`, L);
        e.tooltip = info.check.error;
        items.push(e);
      } else if (run) {
        const v = new vscode.NotebookCellStatusBarItem(`${verdictText(run.verdict, run.reason)} · ${new Date(run.startedAt).toLocaleTimeString()}`, L);
        v.tooltip = `${plainText(run.reason)}${run.next ? `\nNext: ${plainText(run.next)}` : ''}`;
        items.push(v);
      } else {
        items.push(new vscode.NotebookCellStatusBarItem('$(circle-outline) Not run yet', L));
      }
      const owner = info.check.taskCell !== null && info.check.taskCell !== undefined ? derived.cells[info.check.taskCell]?.task : undefined;
      if (owner) {
        const failed = !!run && (run.verdict === 'fail' || run.verdict === 'error');
        const box = new vscode.NotebookCellStatusBarItem(
          owner.checked ? (failed ? '$(warning) Item ticked by hand (override)' : '$(pass-filled) Item ticked') : '$(circle-large-outline) Item not ticked', L);
        box.command = { title: 'Toggle checkbox', command: 'runbook.toggleTask', arguments: [notebook.uri, info.check.taskCell] };
        box.tooltip = `${plainText(owner.label)}\nA pass ticks this item; click to ${owner.checked ? 'untick' : 'tick'} it by hand.`;
        items.push(box);
      }
      const id = new vscode.NotebookCellStatusBarItem(`$(tag) ${info.check.id}`, R);
      id.tooltip = `Check id${info.check.explicitId ? '' : ' (derived from the heading and item; set id=… to pin it)'}`;
      items.push(id);
    }

    if (info.role === 'section') {
      const section = derived.sections.find((s) => s.cell === cell.index);
      if (section) {
        const progress = sectionProgress(derived).find((p) => p.section.id === section.id);
        if (progress && progress.total > 0) {
          const failing = derived.cells
            .slice(section.cell, section.endCell)
            .filter((c) => c.check && this.state.failing(notebook.uri, c.check.id))
            .length;
          const p = new vscode.NotebookCellStatusBarItem(`$(checklist) ${progress.done}/${progress.total}${failing ? ` · $(error) ${failing} failing` : ''}`, L);
          p.tooltip = `${plainText(section.title)}: ${progress.done} of ${plural(progress.total, 'item')} done`;
          p.command = { title: 'Run this section', command: 'runbook.runSection', arguments: [notebook.uri, section.id] };
          items.push(p);
        }
      }
    }

    if (info.role === 'frontMatter') {
      const fm = derived.frontMatter;
      const s = new vscode.NotebookCellStatusBarItem(fm?.error ? `$(error) ${oneLine(fm.error, 80)}` : `$(symbol-variable) ${plural(fm?.inputs.length ?? 0, 'input')} — edit`, L);
      s.command = { title: 'Edit inputs', command: 'runbook.editInputs', arguments: [notebook.uri] };
      items.push(s);
    }
    return items;
  }
}

function verdictText(verdict: string, reason: string): string {
  const icon = verdict === 'pass' ? '$(pass)' : verdict === 'warn' ? '$(warning)' : verdict === 'skipped' ? '$(circle-slash)' : '$(error)';
  return `${icon} ${verdict === 'pass' ? 'Passed' : verdict === 'warn' ? 'Warning' : verdict === 'skipped' ? 'Skipped' : 'Failed'}: ${oneLine(plainText(reason), 70)}`;
}
