/**
 * The evidence recorder: one core `CutoverSession` per open runbook. Every finished check, every
 * hand tick or untick, every rollout step and drill event goes to the sidecar log beside the
 * runbook (`<name>.runbook.evidence.jsonl`), masked with the secret values in play.
 */
import * as vscode from 'vscode';
import { CutoverSession, type Clock, type RolloutStep, type WindowStatus } from '../../core/cutover';
import { isExcludedFromRunAll, sectionKey } from '../../core/plan';
import type { EvidenceRecord } from '../../core/evidence';
import type { CheckRun } from '../../core/checks/types';
import type { RunMeta } from '../notebook/controller';
import type { DerivedRunbooks } from '../notebook/derivedRunbooks';
import type { InputStore } from '../inputs/inputStore';
import { documentOf, itemIdOf, rollbackSection } from '../notebook/notebookDoc';

export interface RecorderDeps {
  readonly runbooks: DerivedRunbooks;
  readonly inputs: InputStore;
  readonly clock: Clock;
  /** Checks a run all leaves out (excluded or destructive): they do not end a drill split. */
  readonly isLeftOut: (check: { kind: string; attributes: Readonly<Record<string, string>>; body: string }) => boolean;
  readonly log: { warn(msg: string): void; info(msg: string): void };
}

/** A rollout smoke window closed (green or not). */
export interface WindowCloseEvent {
  readonly uri: vscode.Uri;
  readonly status: WindowStatus;
}

export class EvidenceRecorder implements vscode.Disposable {
  private readonly sessions = new Map<string, CutoverSession>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after records were appended for a notebook (or its timers changed). */
  readonly onDidChange = this.changed.event;
  private readonly windowClosed = new vscode.EventEmitter<WindowCloseEvent>();
  /** Fires when a rollout smoke window closes. */
  readonly onDidCloseWindow = this.windowClosed.event;

  constructor(private readonly deps: RecorderDeps) {}

  dispose(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.changed.dispose();
    this.windowClosed.dispose();
  }

  /** Drops every session (timers included); the logs on disk stay. Used when the clock is swapped. */
  reset(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
  }

  /** The session of a notebook (created on first use), with its checks brought up to date. */
  session(notebook: vscode.NotebookDocument): CutoverSession {
    const key = notebook.uri.toString();
    let s = this.sessions.get(key);
    const derived = this.deps.runbooks.of(notebook);
    if (!s) {
      const uri = notebook.uri;
      s = new CutoverSession({
        rollbackSection: rollbackSection(derived)?.title,
        runbookPath: uri.fsPath,
        clock: this.deps.clock,
        windowMs: Math.max(1, vscode.workspace.getConfiguration('runbook').get<number>('rollout.windowMinutes', 30)) * 60_000,
        onWindowClose: (status) => this.windowClosed.fire({ uri, status }),
        onError: (m) => this.deps.log.warn(m),
        onRecord: () => this.changed.fire(uri),
      });
      this.sessions.set(key, s);
    }
    // Checks left out of run all do not end a drill split (a run all never reaches them).
    s.setChecks(derived.cells.flatMap((c, i) => {
      const check = c.check;
      if (!check || isExcludedFromRunAll(check)) return [];
      if (this.deps.isLeftOut({ kind: check.kind, attributes: check.attributes, body: notebook.cellAt(i).document.getText() })) return [];
      return [{ id: check.id, sectionPath: check.headingPath }];
    }));
    return s;
  }

  has(notebook: vscode.NotebookDocument): boolean {
    return this.sessions.has(notebook.uri.toString());
  }

  evidenceFile(notebook: vscode.NotebookDocument): string {
    return this.session(notebook).evidenceFile;
  }

  /** Secret values of the notebook's secret inputs that are stored (to mask text written outside a run). */
  async addStoredSecrets(notebook: vscode.NotebookDocument): Promise<void> {
    const s = this.session(notebook);
    const secrets = (this.deps.runbooks.of(notebook).frontMatter?.inputs ?? []).filter((i) => i.secret);
    for (const input of secrets) s.addSecrets([await this.deps.inputs.getSecret(input, notebook.uri)]);
  }

  /** A check finished (the controller's onDidRunCheck). */
  recordRun(notebook: vscode.NotebookDocument, run: CheckRun, meta: RunMeta): EvidenceRecord[] {
    // A check cut short by Cancel proves nothing (as in the CLI): no record.
    if (run.verdict === 'skipped' && run.reason === 'cancelled') return [];
    if (notebook.uri.scheme !== 'file') return [];
    try {
      return this.session(notebook).recordRun(run, {
        label: meta.label,
        sectionPath: meta.sectionPath,
        inputs: meta.inputs,
        secretInputs: meta.secretInputs,
      });
    } catch (e) {
      this.deps.log.warn(`evidence: ${(e as Error).message}`);
      return [];
    }
  }

  /** A box was ticked or unticked by hand. */
  async recordHandTick(notebook: vscode.NotebookDocument, cellIndex: number, checked: boolean, checkId: string | undefined): Promise<EvidenceRecord | undefined> {
    // An untitled runbook has no place beside it for a log.
    if (notebook.uri.scheme !== 'file') return undefined;
    try {
      await this.addStoredSecrets(notebook);
      const doc = documentOf(notebook, this.deps.runbooks.of(notebook));
      return this.session(notebook).recordTick(itemIdOf(doc, cellIndex, checkId), checked);
    } catch (e) {
      this.deps.log.warn(`evidence: ${(e as Error).message}`);
      return undefined;
    }
  }

  markRollout(notebook: vscode.NotebookDocument, step: RolloutStep): EvidenceRecord {
    const r = this.session(notebook).markRollout(step);
    this.changed.fire(notebook.uri);
    return r;
  }

  windowStatus(notebook: vscode.NotebookDocument): WindowStatus | undefined {
    return this.sessions.get(notebook.uri.toString())?.windowStatus();
  }

  startDrill(notebook: vscode.NotebookDocument): EvidenceRecord {
    return this.session(notebook).startDrill();
  }

  splitDrill(notebook: vscode.NotebookDocument, sectionPath: readonly string[]): EvidenceRecord | undefined {
    return this.session(notebook).splitDrill(sectionKey(sectionPath));
  }

  stopDrill(notebook: vscode.NotebookDocument): EvidenceRecord | undefined {
    return this.session(notebook).stopDrill();
  }

  drillRunning(notebook: vscode.NotebookDocument): boolean {
    return this.sessions.get(notebook.uri.toString())?.drillRunning ?? false;
  }

  drillTotal(notebook: vscode.NotebookDocument): number {
    return this.sessions.get(notebook.uri.toString())?.drillTotal() ?? 0;
  }

  /** The cutover report (markdown) of the notebook from its whole evidence log. */
  async report(notebook: vscode.NotebookDocument): Promise<string> {
    await this.addStoredSecrets(notebook);
    const derived = this.deps.runbooks.of(notebook);
    return this.session(notebook).report(documentOf(notebook, derived));
  }
}
