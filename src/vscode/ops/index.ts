/**
 * Cutover operations in VS Code: Run All Checks (stop on first failure or continue), Run
 * Section, the evidence log (every check result and hand tick), the cutover report, rollout
 * steps with their smoke window, the drill timer, and the progress/window/drill status bar items.
 * `registerOperations` is called by the composition root; its hooks feed the controller and the
 * tick commands; its `api` is exposed to tests (injectable clock, recorder, notices).
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { formatDuration } from '../../core/text';
import { ROLLOUT_STEPS, rolloutStepOf, type Clock, type RolloutStep, type WindowStatus } from '../../core/cutover';
import type { PlannedCheck } from '../../core/plan';
import type { CheckRun } from '../../core/checks/types';
import type { CheckRegistry } from '../../core/checks/registry';
import { plainText, plural, type DerivedRunbook, type Section } from '../../core/runbook';
import { isDestructiveCheck } from '../../core/kinds';
import type { InputStore } from '../inputs/inputStore';
import type { RunbookController, RunMeta } from '../notebook/controller';
import type { RunState } from '../notebook/runState';
import type { RunbookStatusBar } from '../notebook/statusBar';
import { SwitchableClock } from './clock';
import { findNotebook, revealCell, rollbackSection } from '../notebook/notebookDoc';
import { EvidenceRecorder } from './recorder';
import { runAll, type RunAllOptions, type RunAllResult } from './runAll';
import { OpsStatusItems, progressOf } from './statusItems';

export { EvidenceRecorder } from './recorder';
export { SwitchableClock } from './clock';
export type { RunAllOptions, RunAllResult } from './runAll';

export interface OperationsDeps {
  readonly registry: CheckRegistry;
  readonly statusBar: RunbookStatusBar;
  readonly state: RunState;
  readonly inputs: InputStore;
  /** The controller is created after the hooks it takes, hence a getter. */
  readonly controller: () => RunbookController;
  readonly log: { warn(msg: string): void; info(msg: string): void };
}

export interface Notice {
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
  readonly at: number;
}

/** What the extension API exposes of the operations layer (integration tests drive it). */
export interface OperationsApi {
  readonly clock: SwitchableClock;
  /** Swaps the clock the timers read (undefined: the system clock); open windows and drills are dropped. */
  setClock(clock: Clock | undefined): void;
  readonly recorder: EvidenceRecorder;
  readonly statusItems: OpsStatusItems;
  /** Every message the operations layer showed, oldest first. */
  readonly notices: Notice[];
}

export interface Operations {
  readonly api: OperationsApi;
  readonly disposables: vscode.Disposable[];
  /** Controller hook (`onRun`). */
  readonly onRun: (notebook: vscode.NotebookDocument, run: CheckRun, meta: RunMeta) => void;
  /** Controller hook (`onTick`); ticks by checks are already in the check's record. */
  readonly onTick: (notebook: vscode.NotebookDocument, cellIndex: number, checked: boolean, by: 'check' | 'hand') => void;
  /** Commands hook (`onHandTick`). */
  readonly onHandTick: (notebook: vscode.NotebookDocument, cellIndex: number, checked: boolean, checkId: string | undefined) => void;
}

export function registerOperations(deps: OperationsDeps): Operations {
  const clock = new SwitchableClock();
  const notices: Notice[] = [];
  // Hand ticks are recorded in order; commands that tick wait for the record (e.g. the rollout window).
  let pendingTicks: Promise<unknown> = Promise.resolve();
  const notify = (level: Notice['level'], message: string, ...buttons: string[]): Thenable<string | undefined> => {
    notices.push({ level, message, at: Date.now() });
    if (notices.length > 200) notices.splice(0, notices.length - 200);
    const show = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    return show(message, ...buttons);
  };

  const recorder = new EvidenceRecorder({
    statusBar: deps.statusBar,
    inputs: deps.inputs,
    clock,
    isLeftOut: (c) => isDestructiveCheck(deps.registry, c),
    log: deps.log,
    onWindowClose: (uri, status) => onWindowClose(uri, status),
  });
  const items = new OpsStatusItems(deps.statusBar, deps.state, recorder);

  const need = (uri?: vscode.Uri | string): vscode.NotebookDocument | undefined => {
    const nb = findNotebook(uri);
    if (!nb) void notify('info', 'Open a runbook first.');
    return nb;
  };

  const revealFirstFailing = async (notebook: vscode.NotebookDocument): Promise<number | undefined> => {
    const p = progressOf(notebook, deps.statusBar.derived(notebook), deps.state);
    if (p.firstFailingCell === undefined) {
      void notify('info', 'No failing item: every check that ran passed.');
      return undefined;
    }
    await revealCell(notebook, p.firstFailingCell);
    return p.firstFailingCell;
  };

  const revealRollback = async (notebook: vscode.NotebookDocument): Promise<number | undefined> => {
    const s = rollbackSection(deps.statusBar.derived(notebook));
    if (!s) {
      void notify('warning', 'This runbook has no rollback section.');
      return undefined;
    }
    await revealCell(notebook, s.cell);
    return s.cell;
  };

  function onWindowClose(uri: vscode.Uri, status: WindowStatus): void {
    items.refresh();
    const notebook = findNotebook(uri);
    if (status.state === 'closed-green') {
      void notify('info', `Rollout ${status.step}%: the smoke window closed with all ${plural(Object.keys(status.smokes).length, 'smoke test')} green.`);
      return;
    }
    const message = status.message ?? `Rollout ${status.step}%: the smoke window closed with smoke tests not run or not green. Go to the "Rollback" section and roll back.`;
    void notify('warning', message, 'Go to Rollback').then(async (b) => {
      if (!b) return;
      const nb = notebook ?? await vscode.workspace.openNotebookDocument(uri);
      await revealRollback(nb);
    });
  }

  const runSection = async (uri?: vscode.Uri | string, sectionId?: string, options: RunAllOptions = {}): Promise<RunAllResult | undefined> => {
    const notebook = need(uri);
    if (!notebook) return undefined;
    let section = sectionId;
    if (section === undefined) {
      const derived = deps.statusBar.derived(notebook);
      const picks = derived.sections
        .map((s) => ({ s, checks: derived.cells.slice(s.cell, s.endCell).filter((c) => c.check).length }))
        .filter((x) => x.checks > 0)
        .map(({ s, checks }) => ({ label: `${'  '.repeat(Math.max(0, s.level - 1))}${plainText(s.title)}`, description: plural(checks, 'check'), id: s.id }));
      const pick = await vscode.window.showQuickPick(picks, { title: 'Run section', placeHolder: 'Which section’s checks to run?' });
      if (!pick) return undefined;
      section = pick.id;
    }
    return runAll(runDeps, notebook, { ...options, section });
  };

  const runDeps = { controller: deps.controller, statusBar: deps.statusBar, notify, revealFirstFailing, isDestructive: (c: PlannedCheck) => isDestructiveCheck(deps.registry, c) };

  const exportReport = async (uri?: vscode.Uri | string, open = true): Promise<vscode.Uri | undefined> => {
    const notebook = need(uri);
    if (!notebook) return undefined;
    if (notebook.uri.scheme !== 'file') {
      void notify('error', 'Save the runbook to a file first: the report is written beside it.');
      return undefined;
    }
    const text = await recorder.report(notebook);
    const target = vscode.Uri.file(reportPathFor(notebook.uri.fsPath));
    fs.writeFileSync(target.fsPath, text, 'utf8');
    if (open) {
      // The report is for people: show it rendered (the built-in markdown preview), else as text.
      try {
        await vscode.commands.executeCommand('markdown.showPreviewToSide', target);
      } catch {
        const doc = await vscode.workspace.openTextDocument(target);
        await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
      }
    }
    void notify('info', `Cutover report written to ${vscode.workspace.asRelativePath(target)}.`);
    return target;
  };

  const rolloutStep = async (uri?: vscode.Uri | string, step?: RolloutStep | number | string): Promise<RolloutStep | undefined> => {
    const notebook = need(uri);
    if (!notebook) return undefined;
    let chosen: RolloutStep | undefined = step !== undefined ? (Number(String(step).replace('%', '')) as RolloutStep) : undefined;
    const derived = deps.statusBar.derived(notebook);
    if (chosen === undefined) {
      const current = recorder.windowStatus(notebook)?.step;
      const pick = await vscode.window.showQuickPick(ROLLOUT_STEPS.map((s) => ({
        label: `Flipped to ${s} %`, description: current === s ? 'current step' : undefined, step: s,
      })), { title: 'Rollout step', placeHolder: 'Which step did you just flip? The 30-minute smoke window starts now.' });
      chosen = pick?.step;
    }
    if (chosen === undefined) return undefined;
    if (!ROLLOUT_STEPS.includes(chosen)) {
      void notify('error', `A rollout step is one of ${ROLLOUT_STEPS.join(', ')} % (got ${String(step)}).`);
      return undefined;
    }
    // The runbook's own item for this step (e.g. `rollout.5-percent`): tick it by hand, which
    // records the tick and opens the window; otherwise mark the step on its own.
    const item = derived.cells.find((c) => c.check && rolloutStepOf(c.check.id) === chosen)?.check;
    const taskCell = item?.taskCell ?? undefined;
    if (taskCell !== undefined && taskCell !== null && !derived.cells[taskCell]?.task?.checked) {
      await vscode.commands.executeCommand('runbook.toggleTask', notebook.uri, taskCell);
      await pendingTicks;
    }
    if (recorder.windowStatus(notebook)?.step !== chosen || recorder.windowStatus(notebook)?.state !== 'open') {
      recorder.markRollout(notebook, chosen);
    }
    items.refresh();
    const smokes = Object.keys(recorder.windowStatus(notebook)?.smokes ?? {});
    const smokeSection = sectionHolding(deps.statusBar.derived(notebook), smokes);
    const minutes = Math.round(windowMsOf(recorder.windowStatus(notebook)) / 60_000);
    const what = smokes.length ? `run the ${smokes.length} smoke tests within ${minutes} minutes` : `the ${minutes}-minute window is open, but this runbook has no smoke tests (check ids starting with "smoke.")`;
    void notify('info', `Rollout ${chosen}% marked: ${what}.`, ...(smokeSection ? ['Run Smoke Tests'] : []))
      .then((b) => { if (b && smokeSection) void runAll(runDeps, notebook, { section: smokeSection.id }); });
    return chosen;
  };

  const drillTimer = async (uri?: vscode.Uri | string, action?: 'start' | 'split' | 'stop', sectionId?: string): Promise<unknown> => {
    const notebook = need(uri);
    if (!notebook) return undefined;
    const running = recorder.drillRunning(notebook);
    let what = action;
    if (!what) {
      const picks: { label: string; what: 'start' | 'split' | 'stop' }[] = running
        ? [{ label: '$(debug-step-over) Split: end a section now', what: 'split' }, { label: '$(debug-stop) Stop the drill', what: 'stop' }]
        : [{ label: '$(play) Start the drill timer', what: 'start' }];
      const pick = await vscode.window.showQuickPick(picks, { title: running ? `Drill running: ${formatDuration(recorder.drillTotal(notebook))}` : 'Drill timer' });
      what = pick?.what;
    }
    if (!what) return undefined;
    if (what === 'start') {
      const r = recorder.startDrill(notebook);
      items.refresh();
      void notify('info', 'Drill timer started: each section gets a split when its last check finishes (or use "Drill timer" → Split).');
      return r;
    }
    if (!recorder.drillRunning(notebook)) {
      void notify('warning', 'No drill is running: start the drill timer first.');
      return undefined;
    }
    if (what === 'split') {
      const derived = deps.statusBar.derived(notebook);
      let section = sectionId !== undefined ? derived.sections.find((s) => s.id === sectionId || s.title === sectionId) : undefined;
      if (!section) {
        const active = vscode.window.activeNotebookEditor?.notebook === notebook ? vscode.window.activeNotebookEditor.selection.start : -1;
        const pick = await vscode.window.showQuickPick(derived.sections.map((s) => ({
          label: `${'  '.repeat(Math.max(0, s.level - 1))}${plainText(s.title)}`, picked: s.cell <= active && active < s.endCell, s,
        })), { title: 'Split: which section just ended?' });
        section = pick?.s;
      }
      if (!section) return undefined;
      const r = recorder.splitDrill(notebook, section.path);
      items.refresh();
      return r;
    }
    const r = recorder.stopDrill(notebook);
    items.refresh();
    if (r) void notify('info', `Drill stopped: ${r.reason}.`);
    return r;
  };

  const disposables: vscode.Disposable[] = [
    recorder, items,
    vscode.commands.registerCommand('runbook.runAll', async (uri?: vscode.Uri | string, options?: RunAllOptions) => {
      const notebook = need(uri);
      return notebook ? runAll(runDeps, notebook, options ?? {}) : undefined;
    }),
    vscode.commands.registerCommand('runbook.runAllContinue', async (uri?: vscode.Uri | string) => {
      const notebook = need(uri);
      return notebook ? runAll(runDeps, notebook, { stopOnFirstFailure: false }) : undefined;
    }),
    vscode.commands.registerCommand('runbook.runSection', runSection),
    vscode.commands.registerCommand('runbook.exportReport', exportReport),
    vscode.commands.registerCommand('runbook.rolloutStep', rolloutStep),
    vscode.commands.registerCommand('runbook.drillTimer', drillTimer),
    vscode.commands.registerCommand('runbook.revealFirstFailing', async (uri?: vscode.Uri | string) => {
      const nb = need(uri);
      return nb ? revealFirstFailing(nb) : undefined;
    }),
    vscode.commands.registerCommand('runbook.revealRollback', async (uri?: vscode.Uri | string) => {
      const nb = need(uri);
      return nb ? revealRollback(nb) : undefined;
    }),
    vscode.commands.registerCommand('runbook.openEvidenceLog', async (uri?: vscode.Uri | string) => {
      const nb = need(uri);
      if (!nb) return undefined;
      const file = recorder.evidenceFile(nb);
      if (!fs.existsSync(file)) {
        void notify('info', 'No evidence yet: run a check or tick an item first.');
        return undefined;
      }
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
      return vscode.Uri.file(file);
    }),
  ];

  const api: OperationsApi = {
    clock,
    setClock: (c) => { recorder.reset(); clock.set(c); items.refresh(); },
    recorder,
    statusItems: items,
    notices,
  };

  return {
    api,
    disposables,
    onRun: (notebook, run, meta) => { recorder.recordRun(notebook, run, meta); },
    onTick: () => undefined,
    onHandTick: (notebook, cellIndex, checked, checkId) => {
      pendingTicks = pendingTicks.then(() => recorder.recordHandTick(notebook, cellIndex, checked, checkId)).then(() => items.refresh(), () => undefined);
    },
  };
}

/** `ops/cutover.runbook.md` → `ops/cutover.report.md` (beside the runbook). */
export function reportPathFor(runbookPath: string): string {
  return runbookPath.replace(/(\.runbook)?\.md$/i, '') + '.report.md';
}

/** The innermost section holding every given check (e.g. all the smoke tests). */
function sectionHolding(derived: DerivedRunbook, checkIds: readonly string[]): Section | undefined {
  const cells = checkIds.map((id) => derived.cells.findIndex((c) => c.check?.id === id)).filter((i) => i >= 0);
  if (!cells.length) return undefined;
  return derived.sections
    .filter((s) => cells.every((i) => s.cell <= i && i < s.endCell))
    .sort((a, b) => b.level - a.level)[0];
}

function windowMsOf(status: WindowStatus | undefined): number {
  return status ? status.endsAt - status.startedAt : 30 * 60 * 1000;
}
