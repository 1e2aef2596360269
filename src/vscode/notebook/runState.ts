/**
 * What the extension knows about a notebook's checks while it is open: the last run of each
 * check and who ticked each box. The file holds only the `[x]`; results go to the evidence log.
 */
import * as vscode from 'vscode';
import type { CheckRun } from '../../core/checks/types';
import { isFailing } from '../../core/plan';

export interface TickRecord {
  readonly by: 'check' | 'hand';
  readonly at: number;
  readonly checked: boolean;
}

interface NotebookState {
  readonly runs: Map<string, CheckRun>;
  /** Keyed by check id for items with a check, else by `cell:<index>`. */
  readonly ticks: Map<string, TickRecord>;
}

export class RunState {
  private readonly byNotebook = new Map<string, NotebookState>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  private of(uri: vscode.Uri): NotebookState {
    let s = this.byNotebook.get(uri.toString());
    if (!s) this.byNotebook.set(uri.toString(), (s = { runs: new Map(), ticks: new Map() }));
    return s;
  }

  record(uri: vscode.Uri, run: CheckRun): void {
    this.of(uri).runs.set(run.checkId, run);
    this.changed.fire(uri);
  }

  lastRun(uri: vscode.Uri, checkId: string): CheckRun | undefined {
    return this.of(uri).runs.get(checkId);
  }

  /** True when the check's last run failed (verdict fail or error). */
  failing(uri: vscode.Uri, checkId: string): boolean {
    const run = this.lastRun(uri, checkId);
    return !!run && isFailing(run.verdict);
  }

  runs(uri: vscode.Uri): CheckRun[] {
    return [...this.of(uri).runs.values()];
  }

  tick(uri: vscode.Uri, key: string, record: TickRecord): void {
    this.of(uri).ticks.set(key, record);
    this.changed.fire(uri);
  }

  lastTick(uri: vscode.Uri, key: string): TickRecord | undefined {
    return this.of(uri).ticks.get(key);
  }

  forget(uri: vscode.Uri): void {
    this.byNotebook.delete(uri.toString());
  }

  dispose(): void {
    this.changed.dispose();
  }
}
