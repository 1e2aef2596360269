/**
 * Run All Checks / Run Section: plans the run with the core (`planRun`: document order, checks
 * marked `excludeFromRunAll` and destructive ones skipped) and runs it through the notebook
 * controller (core `executePlan` with the controller's cell execution as the runner) under a
 * cancellable progress notification; it stops at the first failure unless told to continue
 * (the two Run All Checks commands say which; Run Section follows `runbook.run.stopOnFirstFailure`). VS Code's own Run All runs the same plan
 * (see the controller) and ends here too (`finishRun`): the summary, and a failing check's cell
 * and its red output put on screen, with the summary in the status bar rather than a toast over it.
 */
import * as vscode from 'vscode';
import { DESTRUCTIVE_REASON, isFailing, PlanError, planRun, type ExecuteResult, type PlannedCheck, type RunPlan } from '../../core/plan';
import type { Verdict } from '../../core/checks/types';
import type { RunbookController } from '../notebook/controller';
import type { DerivedRunbooks } from '../notebook/derivedRunbooks';
import { documentOf } from '../notebook/notebookDoc';
import { plainText, plural } from '../../core/runbook';

export interface RunAllOptions {
  /** Default: the setting `runbook.run.stopOnFirstFailure` ("Run All Checks (Stop at First Failure)" passes true). */
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
  readonly controller: Pick<RunbookController, 'runPlan'>;
  readonly runbooks: DerivedRunbooks;
  /** Destructive checks stay out of run all / run section, as in the CLI. */
  readonly isDestructive: (check: PlannedCheck) => boolean;
  /** Shows (and records) a message as a notification; returns the button picked. */
  readonly notify: (level: 'info' | 'warning' | 'error', message: string, ...buttons: string[]) => Thenable<string | undefined>;
  /** Records a message and shows it in the window status bar (nothing covers the editor). */
  readonly status: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** Puts a failing check's cell and its output on screen (the item selected with it). */
  readonly revealFailure: (notebook: vscode.NotebookDocument, checkCell: number, itemCell: number | null) => Promise<unknown>;
}

export async function runAll(deps: RunAllDeps, notebook: vscode.NotebookDocument, options: RunAllOptions = {}): Promise<RunAllResult> {
  let plan: RunPlan;
  try {
    plan = planRun(documentOf(notebook, deps.runbooks.of(notebook)), { section: options.section, isDestructive: deps.isDestructive });
  } catch (e) {
    if (!(e instanceof PlanError)) throw e;
    const message = e.message;
    void deps.notify('error', `Runbook: ${message}`);
    return { section: options.section, ran: [], excluded: [], skipped: [], notRun: [], cancelled: false, message };
  }
  const title = plan.section ? `Running section "${plainText(plan.section.title)}"` : 'Running all checks';
  const total = plan.entries.filter((e) => e.skip === undefined).length;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, uiToken) => {
    const source = new vscode.CancellationTokenSource();
    const subs = [uiToken.onCancellationRequested(() => source.cancel()), options.token?.onCancellationRequested(() => source.cancel())];
    if (options.token?.isCancellationRequested) source.cancel();
    let started = 0;
    try {
      return await deps.controller.runPlan(notebook, plan, {
        stopOnFirstFailure: options.stopOnFirstFailure,
        token: source.token,
        onStart: (check) => progress.report({ message: `${++started}/${total}: ${check.label ? plainText(check.label) : check.id}`, increment: 100 / Math.max(1, total) }),
      });
    } finally {
      for (const s of subs) s?.dispose();
      source.dispose();
    }
  });
  return finishRun(deps, notebook, plan, result, { where: plan.section ? `Section "${plainText(plan.section.title)}"` : 'Run all', toasts: true });
}

/**
 * The end of a run (a command's or VS Code's own): the result, the summary message, and when a
 * check failed its cell and red output revealed. A failure's summary goes to the status bar so
 * that no toast sits on the output; `toasts` shows the other outcomes as notifications.
 */
export async function finishRun(deps: Pick<RunAllDeps, 'notify' | 'status' | 'revealFailure'>, notebook: vscode.NotebookDocument, plan: RunPlan, result: ExecuteResult, how: { where: string; toasts: boolean }): Promise<RunAllResult> {
  const upFront = new Set(plan.entries.filter((e) => e.skip !== undefined).map((e) => e.check.id));
  const skipped = plan.entries.filter((e) => e.skip !== undefined).map((e) => ({ checkId: e.check.id, reason: e.skip! }));
  const excluded = skipped.map((s) => s.checkId);
  const destructive = skipped.filter((s) => s.reason === DESTRUCTIVE_REASON).length;
  const ran = result.runs.filter((r) => !r.notRun).map((r) => ({ checkId: r.checkId, verdict: r.verdict, reason: r.reason }));
  const notRun = result.runs.filter((r) => r.notRun && !upFront.has(r.checkId)).map((r) => r.checkId);
  const { stoppedAfter, cancelled } = result;
  const checkOf = (id: string) => plan.entries.find((e) => e.check.id === id)?.check;

  const where = how.where;
  const failed = ran.filter((r) => isFailing(r.verdict));
  const passed = ran.filter((r) => r.verdict === 'pass' || r.verdict === 'warn').length;
  const tail = `${excluded.length - destructive ? ` ${excluded.length - destructive} excluded from run all.` : ''}` +
    `${destructive ? ` ${plural(destructive, 'destructive check')} left out: run them on their own.` : ''}`;
  const show = (level: 'info' | 'warning', message: string) => (how.toasts ? void deps.notify(level, message) : deps.status(level, message));
  let message: string;
  if (stoppedAfter !== undefined) {
    const reason = ran.find((r) => r.checkId === stoppedAfter)?.reason ?? '';
    const label = checkOf(stoppedAfter)?.label;
    message = `${where} stopped: "${label ? plainText(label) : stoppedAfter}" failed — ${plainText(reason)}. ${plural(notRun.length, 'check')} not run.${tail}`;
    deps.status('warning', message);
  } else if (cancelled) {
    message = `${where} cancelled: ${ran.length} ran, ${notRun.length} not run.${tail}`;
    show('warning', message);
  } else if (failed.length) {
    message = `${where}: ${passed} passed, ${failed.length} failed (${failed.map((f) => f.checkId).join(', ')}).${tail}`;
    deps.status('warning', message);
  } else {
    message = `${where}: ${passed} of ${plural(ran.length, 'check')} passed.${tail}`;
    show('info', message);
  }
  // A failure's reason on screen: the check that stopped the run, else the first that failed.
  const failing = !cancelled ? checkOf(stoppedAfter ?? failed[0]?.checkId ?? '') : undefined;
  if (failing) await deps.revealFailure(notebook, failing.cell, failing.taskCell).then(undefined, () => undefined);
  return { section: plan.section?.id, ran, excluded, skipped, notRun, stoppedAfter, cancelled, message };
}
