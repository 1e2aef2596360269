/**
 * The run commands: Run All Checks (stop at the first failure or continue), Run Section…, Show
 * First Failing Item; and the end of VS Code's own multi-cell runs (the controller's
 * onDidRunPlan), which get the same summary and the same failure reveal as the commands.
 */
import * as vscode from 'vscode';
import { planRun } from '../../core/plan';
import { plainText, plural } from '../../core/runbook';
import { documentOf, revealFailure } from '../notebook/notebookDoc';
import type { OpsContext } from './context';
import { finishRun, runAll, type RunAllDeps, type RunAllOptions, type RunAllResult } from './runAll';
import { progressOf } from './statusItems';

export interface RunCommands {
  readonly disposables: vscode.Disposable[];
  /** Runs the whole runbook or one section (the rollout's "Run Smoke Tests" button uses it). */
  readonly runAll: (notebook: vscode.NotebookDocument, options?: RunAllOptions) => Promise<RunAllResult>;
}

export function registerRunCommands(ctx: OpsContext): RunCommands {
  const { deps } = ctx;
  const runDeps: RunAllDeps = {
    controller: deps.controller,
    runbooks: deps.runbooks,
    isDestructive: ctx.isDestructive,
    notify: ctx.notify,
    status: ctx.status,
    revealFailure,
  };

  const revealFirstFailing = async (notebook: vscode.NotebookDocument): Promise<number | undefined> => {
    const p = progressOf(notebook, deps.runbooks.of(notebook), deps.state);
    if (p.firstFailingCell === undefined || p.firstFailingCheckCell === undefined) {
      void ctx.notify('info', 'No failing item: every check that ran passed.');
      return undefined;
    }
    await revealFailure(notebook, p.firstFailingCheckCell, p.firstFailingCell);
    return p.firstFailingCell;
  };

  const runSection = async (uri?: vscode.Uri | string, sectionId?: string, options: RunAllOptions = {}): Promise<RunAllResult | undefined> => {
    const notebook = ctx.need(uri);
    if (!notebook) return undefined;
    let section = sectionId;
    if (section === undefined) {
      const derived = deps.runbooks.of(notebook);
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

  const disposables: vscode.Disposable[] = [
    // "Run All Checks (Stop at First Failure)": stops, whatever the setting (a caller's option wins).
    vscode.commands.registerCommand('runbook.runAll', async (uri?: vscode.Uri | string, options?: RunAllOptions) => {
      const notebook = ctx.need(uri);
      return notebook ? runAll(runDeps, notebook, { stopOnFirstFailure: true, ...options }) : undefined;
    }),
    vscode.commands.registerCommand('runbook.runAllContinue', async (uri?: vscode.Uri | string) => {
      const notebook = ctx.need(uri);
      return notebook ? runAll(runDeps, notebook, { stopOnFirstFailure: false }) : undefined;
    }),
    vscode.commands.registerCommand('runbook.runSection', runSection),
    vscode.commands.registerCommand('runbook.revealFirstFailing', async (uri?: vscode.Uri | string) => {
      const nb = ctx.need(uri);
      return nb ? revealFirstFailing(nb) : undefined;
    }),
    // VS Code's own Run All (or Run Above/Below) ended: the same summary and failure reveal as the commands.
    deps.controller.onDidRunPlan(({ notebook, plan, result }) => {
      const all = planRun(documentOf(notebook, deps.runbooks.of(notebook))).entries.length;
      void finishRun(runDeps, notebook, plan, result, { where: plan.entries.length === all ? 'Run all' : 'Run', toasts: false });
    }),
  ];
  return { disposables, runAll: (notebook, options) => runAll(runDeps, notebook, options) };
}
