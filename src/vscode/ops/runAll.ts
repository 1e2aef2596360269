/**
 * Run All Checks / Run Section: plans the run with the core (`planRun`: document order, cells
 * marked `excludeFromRunAll` skipped), runs each check cell through the notebook controller one
 * at a time under a cancellable progress notification, and stops at the first failure unless
 * told to continue (setting `runbook.run.stopOnFirstFailure`, default on).
 */
import * as vscode from 'vscode';
import { DESTRUCTIVE_REASON, isFailing, PlanError, planRun, type PlannedCheck, type RunPlan } from '../../core/plan';
import type { Verdict } from '../../core/checks/types';
import type { RunbookController } from '../notebook/controller';
import type { RunbookStatusBar } from '../notebook/statusBar';
import { documentOf } from '../notebook/notebookDoc';
import { plainText, plural } from '../../core/runbook';

export interface RunAllOptions {
  /** Default: the setting `runbook.run.stopOnFirstFailure`. */
  readonly stopOnFirstFailure?: boolean;
  /** Section id or title; undefined runs the whole runbook. */
  readonly section?: string;
  /** Cancels the run like the notification's Cancel button (callers in the extension host, tests). */
  readonly token?: vscode.CancellationToken;
}

export interface RunAllResult {
  readonly section?: string;
  /** Checks that ran, in order. */
  readonly ran: readonly { checkId: string; verdict: Verdict; reason: string }[];
  /** Checks left out up front: marked `excludeFromRunAll`, or destructive (run those on their own). */
  readonly excluded: readonly string[];
  /** Why each of `excluded` was left out. */
  readonly skipped: readonly { checkId: string; reason: string }[];
  /** Checks not run because the run stopped or was cancelled. */
  readonly notRun: readonly string[];
  readonly stoppedAfter?: string;
  readonly cancelled: boolean;
  /** The message shown at the end. */
  readonly message: string;
}

export interface RunAllDeps {
  readonly controller: () => RunbookController;
  readonly statusBar: RunbookStatusBar;
  /** Destructive checks stay out of run all / run section, as in the CLI. */
  readonly isDestructive: (check: PlannedCheck) => boolean;
  /** Shows (and records) a message; returns the button picked. */
  readonly notify: (level: 'info' | 'warning' | 'error', message: string, ...buttons: string[]) => Thenable<string | undefined>;
  readonly revealFirstFailing: (notebook: vscode.NotebookDocument) => Promise<unknown>;
}

export async function runAll(deps: RunAllDeps, notebook: vscode.NotebookDocument, options: RunAllOptions = {}): Promise<RunAllResult> {
  const stop = options.stopOnFirstFailure ?? vscode.workspace.getConfiguration('runbook').get<boolean>('run.stopOnFirstFailure', true);
  const derived = deps.statusBar.derived(notebook);
  let plan: RunPlan;
  try {
    plan = planRun(documentOf(notebook, derived), { section: options.section, isDestructive: deps.isDestructive });
  } catch (e) {
    if (!(e instanceof PlanError)) throw e;
    const message = e.message;
    void deps.notify('error', `Runbook: ${message}`);
    return { section: options.section, ran: [], excluded: [], skipped: [], notRun: [], cancelled: false, message };
  }
  const title = plan.section ? `Running section "${plainText(plan.section.title)}"` : 'Running all checks';
  const skipped = plan.entries.filter((e) => e.skip !== undefined).map((e) => ({ checkId: e.check.id, reason: e.skip! }));
  const excluded = skipped.map((s) => s.checkId);
  const destructive = skipped.filter((s) => s.reason === DESTRUCTIVE_REASON).length;
  const runnable = plan.entries.filter((e) => e.skip === undefined).map((e) => e.check);
  const ran: { checkId: string; verdict: Verdict; reason: string }[] = [];
  const notRun: string[] = [];
  let stoppedAfter: string | undefined;
  let stoppedLabel: string | undefined;
  let cancelled = false;

  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, uiToken) => {
    const source = new vscode.CancellationTokenSource();
    const subs = [uiToken.onCancellationRequested(() => source.cancel()), options.token?.onCancellationRequested(() => source.cancel())];
    if (options.token?.isCancellationRequested) source.cancel();
    const token = source.token;
    try {
      await runEach(progress, token);
    } finally {
      for (const s of subs) s?.dispose();
      source.dispose();
    }
  });

  async function runEach(progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken): Promise<void> {
    for (let i = 0; i < runnable.length; i++) {
      const check = runnable[i]!;
      if (stoppedAfter !== undefined || token.isCancellationRequested) {
        if (token.isCancellationRequested && stoppedAfter === undefined) cancelled = true;
        notRun.push(check.id);
        continue;
      }
      progress.report({ message: `${i + 1}/${runnable.length}: ${check.label ? plainText(check.label) : check.id}`, increment: 100 / Math.max(1, runnable.length) });
      const cell = check.cell < notebook.cellCount ? notebook.cellAt(check.cell) : undefined;
      if (!cell) { notRun.push(check.id); continue; }
      const runs = await deps.controller().run(notebook, [cell], { stopOnFirstFailure: false, token, honourExclusions: false });
      const run = runs[0];
      if (!run) {
        if (token.isCancellationRequested) { cancelled = true; notRun.push(check.id); continue; }
        ran.push({ checkId: check.id, verdict: 'error', reason: 'the cell could not run (see the Runbook log)' });
        if (stop) { stoppedAfter = check.id; stoppedLabel = check.label; }
        continue;
      }
      ran.push({ checkId: run.checkId, verdict: run.verdict, reason: run.reason });
      // A check cut short by Cancel ends the run as cancelled, not as a failure.
      if (token.isCancellationRequested) { cancelled = true; continue; }
      if (stop && isFailing(run.verdict)) { stoppedAfter = run.checkId; stoppedLabel = check.label; }
    }
  }

  const where = plan.section ? `Section "${plainText(plan.section.title)}"` : 'Run all';
  const failed = ran.filter((r) => isFailing(r.verdict));
  const passed = ran.filter((r) => r.verdict === 'pass' || r.verdict === 'warn').length;
  const tail = `${excluded.length - destructive ? ` ${excluded.length - destructive} excluded from run all.` : ''}` +
    `${destructive ? ` ${plural(destructive, 'destructive check')} left out: run them on their own.` : ''}`;
  let message: string;
  if (stoppedAfter !== undefined) {
    const reason = ran.find((r) => r.checkId === stoppedAfter)?.reason ?? '';
    message = `${where} stopped: "${stoppedLabel ? plainText(stoppedLabel) : stoppedAfter}" failed — ${plainText(reason)}. ${plural(notRun.length, 'check')} not run.${tail}`;
    void deps.notify('warning', message, 'Show Failing Item').then((b) => { if (b) void deps.revealFirstFailing(notebook); });
  } else if (cancelled) {
    message = `${where} cancelled: ${ran.length} ran, ${notRun.length} not run.${tail}`;
    void deps.notify('warning', message);
  } else if (failed.length) {
    message = `${where}: ${passed} passed, ${failed.length} failed (${failed.map((f) => f.checkId).join(', ')}).${tail}`;
    void deps.notify('warning', message, 'Show Failing Item').then((b) => { if (b) void deps.revealFirstFailing(notebook); });
  } else {
    message = `${where}: ${passed} of ${plural(ran.length, 'check')} passed.${tail}`;
    void deps.notify('info', message);
  }
  return { section: plan.section?.id, ran, excluded, skipped, notRun, stoppedAfter, cancelled, message };
}
