/**
 * Window status bar items for the active runbook notebook:
 * - progress: ticked/total items and the failing count; a click reveals the first failing item;
 * - the rollout smoke window: step, time left and smoke states; red with a rollback button once
 *   it closed with a smoke not run or not green;
 * - the drill timer while a drill runs.
 */
import * as vscode from 'vscode';
import { type WindowStatus } from '../../core/cutover';
import { formatDuration } from '../../core/text';
import { plainText, plural, type DerivedRunbook } from '../../core/runbook';
import type { RunState } from '../notebook/runState';
import type { DerivedRunbooks } from '../notebook/derivedRunbooks';
import { isRunbookNotebook } from '../notebook/types';
import type { EvidenceRecorder } from './recorder';

export interface Progress {
  readonly ticked: number;
  readonly total: number;
  readonly failing: number;
  /** Cell to reveal for the first failing item (its task cell, else the check cell). */
  readonly firstFailingCell?: number;
  /** The first failing check's own cell (its output shows why). */
  readonly firstFailingCheckCell?: number;
}

export function progressOf(notebook: vscode.NotebookDocument, derived: DerivedRunbook, state: RunState): Progress {
  let ticked = 0, total = 0, failing = 0;
  let first: number | undefined;
  let firstCheck: number | undefined;
  derived.cells.forEach((c, i) => {
    if (c.role === 'task' && c.task) { total++; if (c.task.checked) ticked++; }
    if (c.check) {
      if (state.failing(notebook.uri, c.check.id)) {
        failing++;
        if (first === undefined) { first = c.check.taskCell ?? i; firstCheck = i; }
      }
    }
  });
  return { ticked, total, failing, firstFailingCell: first, firstFailingCheckCell: firstCheck };
}

const SMOKE_ICON: Record<string, string> = { pass: '✔', warn: '⚠', fail: '✘', error: '✘', skipped: '–', 'not run': '○' };

export function windowText(status: WindowStatus): { text: string; tooltip: string; bad: boolean } {
  const ids = Object.keys(status.smokes);
  const green = ids.filter((id) => status.smokes[id] === 'pass' || status.smokes[id] === 'warn').length;
  const list = ids.length
    ? ids.map((id) => `${SMOKE_ICON[status.smokes[id]!] ?? '?'} ${id}: ${status.smokes[id]}`).join('\n')
    : 'This runbook has no smoke tests (check ids starting with "smoke.").';
  const smokes = ids.length ? `smokes ${green}/${ids.length}` : 'no smoke tests';
  if (status.state === 'open') {
    return {
      text: `$(watch) Rollout ${status.step}%: ${formatDuration(status.remainingMs, 'clock')} left · ${smokes}`,
      tooltip: `Smoke window of the ${status.step}% step: every smoke test must pass before it closes.\n${list}`,
      bad: false,
    };
  }
  if (status.state === 'closed-green') {
    return { text: `$(pass) Rollout ${status.step}%: smokes green`, tooltip: `The smoke window closed with every smoke green.\n${list}`, bad: false };
  }
  return {
    text: `$(error) Rollout ${status.step}%: window closed · ${smokes} — roll back`,
    tooltip: `${status.message ?? 'The smoke window closed with smokes not run or not green.'}\n${list}\nClick to go to the rollback section.`,
    bad: true,
  };
}

export class OpsStatusItems implements vscode.Disposable {
  readonly progress: vscode.StatusBarItem;
  readonly window: vscode.StatusBarItem;
  readonly drill: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly interval: ReturnType<typeof setInterval>;

  constructor(
    private readonly runbooks: DerivedRunbooks,
    private readonly state: RunState,
    private readonly recorder: EvidenceRecorder,
  ) {
    this.progress = vscode.window.createStatusBarItem('runbook.progress', vscode.StatusBarAlignment.Left, 100);
    this.progress.name = 'Runbook progress';
    this.window = vscode.window.createStatusBarItem('runbook.rolloutWindow', vscode.StatusBarAlignment.Left, 99);
    this.window.name = 'Runbook rollout window';
    this.drill = vscode.window.createStatusBarItem('runbook.drill', vscode.StatusBarAlignment.Left, 98);
    this.drill.name = 'Runbook drill timer';
    this.disposables.push(
      this.progress, this.window, this.drill,
      vscode.window.onDidChangeActiveNotebookEditor(() => this.refresh()),
      vscode.workspace.onDidChangeNotebookDocument((e) => { if (e.notebook === this.active()) this.refresh(); }),
      state.onDidChange(() => this.refresh()),
      recorder.onDidChange(() => this.refresh()),
    );
    // The countdowns read the (injectable) clock; this only repaints them.
    this.interval = setInterval(() => { if (this.window.text || this.drill.text) this.refresh(); }, 1000);
    this.refresh();
  }

  dispose(): void {
    clearInterval(this.interval);
    for (const d of this.disposables) d.dispose();
  }

  private active(): vscode.NotebookDocument | undefined {
    const nb = vscode.window.activeNotebookEditor?.notebook;
    return isRunbookNotebook(nb) ? nb : undefined;
  }

  refresh(notebook: vscode.NotebookDocument | undefined = this.active()): void {
    if (!notebook) {
      this.progress.hide(); this.window.hide(); this.drill.hide();
      this.progress.text = this.window.text = this.drill.text = '';
      return;
    }
    const derived = this.runbooks.of(notebook);
    const p = progressOf(notebook, derived, this.state);
    this.progress.text = `$(checklist) ${p.ticked}/${p.total}${p.failing ? ` · $(error) ${p.failing} failing` : ''}`;
    this.progress.tooltip = `${plainText(derived.frontMatter?.title ?? 'Runbook')}: ${p.ticked} of ${plural(p.total, 'item')} ticked${p.failing ? `, ${plural(p.failing, 'check')} failing — click to show the first` : ''}`;
    this.progress.command = { title: 'Show first failing item', command: 'runbook.revealFirstFailing', arguments: [notebook.uri] };
    this.progress.backgroundColor = p.failing ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.progress.show();

    const status = this.recorder.windowStatus(notebook);
    if (status) {
      const w = windowText(status);
      this.window.text = w.text;
      this.window.tooltip = w.tooltip;
      this.window.backgroundColor = w.bad ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      this.window.command = w.bad
        ? { title: 'Go to rollback', command: 'runbook.revealRollback', arguments: [notebook.uri] }
        : { title: 'Rollout step', command: 'runbook.rolloutStep', arguments: [notebook.uri] };
      this.window.show();
    } else {
      this.window.text = '';
      this.window.hide();
    }

    if (this.recorder.drillRunning(notebook)) {
      this.drill.text = `$(clock) Drill ${formatDuration(this.recorder.drillTotal(notebook))}`;
      this.drill.tooltip = 'Rollback drill running — click to split a section or stop';
      this.drill.command = { title: 'Drill timer', command: 'runbook.drillTimer', arguments: [notebook.uri] };
      this.drill.show();
    } else {
      this.drill.text = '';
      this.drill.hide();
    }
  }

  /** Texts of the items as shown now (for tests). */
  texts(): { progress: string; window: string; drill: string } {
    this.refresh();
    return { progress: this.progress.text, window: this.window.text, drill: this.drill.text };
  }
}
