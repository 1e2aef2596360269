/**
 * The cutover timers: Rollout Step… (ticks the step's item and opens the smoke window; the
 * warning and Go to Rollback when it closes with a smoke not green), Drill Timer (start, split by
 * section, stop) and Go to Rollback Section.
 */
import * as vscode from 'vscode';
import { formatDuration } from '../../core/text';
import { ROLLOUT_STEPS, rolloutStepOf, type RolloutStep, type WindowStatus } from '../../core/cutover';
import { plainText, plural, type DerivedRunbook, type Section } from '../../core/runbook';
import { findNotebook, revealCell, rollbackSection } from '../notebook/notebookDoc';
import type { OpsContext } from './context';
import type { RunCommands } from './runCommands';

export interface CutoverHooks {
  /** Hand ticks not yet recorded: a rollout step waits for its own tick's record. */
  readonly pendingTicks: () => Promise<unknown>;
}

export function registerCutoverCommands(ctx: OpsContext, run: Pick<RunCommands, 'runAll'>, hooks: CutoverHooks): vscode.Disposable[] {
  const { deps, recorder, items } = ctx;

  const revealRollback = async (notebook: vscode.NotebookDocument): Promise<number | undefined> => {
    const s = rollbackSection(deps.runbooks.of(notebook));
    if (!s) {
      void ctx.notify('warning', 'This runbook has no rollback section.');
      return undefined;
    }
    await revealCell(notebook, s.cell);
    return s.cell;
  };

  const onWindowClose = (uri: vscode.Uri, status: WindowStatus): void => {
    items.refresh();
    const notebook = findNotebook(uri);
    if (status.state === 'closed-green') {
      void ctx.notify('info', `Rollout ${status.step}%: the smoke window closed with all ${plural(Object.keys(status.smokes).length, 'smoke test')} green.`);
      return;
    }
    const message = status.message ?? `Rollout ${status.step}%: the smoke window closed with smoke tests not run or not green. Go to the "Rollback" section and roll back.`;
    void ctx.notify('warning', message, 'Go to Rollback').then(async (b) => {
      if (!b) return;
      const nb = notebook ?? await vscode.workspace.openNotebookDocument(uri);
      await revealRollback(nb);
    });
  };

  const rolloutStep = async (uri?: vscode.Uri | string, step?: RolloutStep | number | string): Promise<RolloutStep | undefined> => {
    const notebook = ctx.need(uri);
    if (!notebook) return undefined;
    let chosen: RolloutStep | undefined = step !== undefined ? (Number(String(step).replace('%', '')) as RolloutStep) : undefined;
    const derived = deps.runbooks.of(notebook);
    if (chosen === undefined) {
      const current = recorder.windowStatus(notebook)?.step;
      const pick = await vscode.window.showQuickPick(ROLLOUT_STEPS.map((s) => ({
        label: `Flipped to ${s} %`, description: current === s ? 'current step' : undefined, step: s,
      })), { title: 'Rollout step', placeHolder: 'Which step did you just flip? The 30-minute smoke window starts now.' });
      chosen = pick?.step;
    }
    if (chosen === undefined) return undefined;
    if (!ROLLOUT_STEPS.includes(chosen)) {
      void ctx.notify('error', `A rollout step is one of ${ROLLOUT_STEPS.join(', ')} % (got ${String(step)}).`);
      return undefined;
    }
    // The runbook's own item for this step (e.g. `rollout.5-percent`): tick it by hand, which
    // records the tick and opens the window; otherwise mark the step on its own.
    const item = derived.cells.find((c) => c.check && rolloutStepOf(c.check.id) === chosen)?.check;
    const taskCell = item?.taskCell ?? undefined;
    if (taskCell !== undefined && taskCell !== null && !derived.cells[taskCell]?.task?.checked) {
      await vscode.commands.executeCommand('runbook.toggleTask', notebook.uri, taskCell);
      await hooks.pendingTicks();
    }
    if (recorder.windowStatus(notebook)?.step !== chosen || recorder.windowStatus(notebook)?.state !== 'open') {
      recorder.markRollout(notebook, chosen);
    }
    items.refresh();
    const smokes = Object.keys(recorder.windowStatus(notebook)?.smokes ?? {});
    const smokeSection = sectionHolding(deps.runbooks.of(notebook), smokes);
    const minutes = Math.round(windowMsOf(recorder.windowStatus(notebook)) / 60_000);
    const what = smokes.length ? `run the ${smokes.length} smoke tests within ${minutes} minutes` : `the ${minutes}-minute window is open, but this runbook has no smoke tests (check ids starting with "smoke.")`;
    void ctx.notify('info', `Rollout ${chosen}% marked: ${what}.`, ...(smokeSection ? ['Run Smoke Tests'] : []))
      .then((b) => { if (b && smokeSection) void run.runAll(notebook, { section: smokeSection.id }); });
    return chosen;
  };

  const drillTimer = async (uri?: vscode.Uri | string, action?: 'start' | 'split' | 'stop', sectionId?: string): Promise<unknown> => {
    const notebook = ctx.need(uri);
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
      void ctx.notify('info', 'Drill timer started: each section gets a split when its last check finishes (or use "Drill timer" → Split).');
      return r;
    }
    if (!recorder.drillRunning(notebook)) {
      void ctx.notify('warning', 'No drill is running: start the drill timer first.');
      return undefined;
    }
    if (what === 'split') {
      const derived = deps.runbooks.of(notebook);
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
    if (r) void ctx.notify('info', `Drill stopped: ${r.reason}.`);
    return r;
  };

  return [
    recorder.onDidCloseWindow(({ uri, status }) => onWindowClose(uri, status)),
    vscode.commands.registerCommand('runbook.rolloutStep', rolloutStep),
    vscode.commands.registerCommand('runbook.drillTimer', drillTimer),
    vscode.commands.registerCommand('runbook.revealRollback', async (uri?: vscode.Uri | string) => {
      const nb = ctx.need(uri);
      return nb ? revealRollback(nb) : undefined;
    }),
  ];
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
