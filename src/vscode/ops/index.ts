/**
 * Cutover operations in VS Code, by command group: the run commands (Run All Checks, Run
 * Section, Show First Failing Item: `runCommands.ts`, the run itself in `runAll.ts`), the
 * cutover timers (rollout steps with their smoke window, the drill timer: `cutoverCommands.ts`)
 * and the evidence (the log of every check result and hand tick, the report:
 * `evidenceCommands.ts`, `recorder.ts`), with the progress/window/drill status bar items.
 * `registerOperations` is called by the composition root with the controller, whose
 * `onDidRunCheck` feeds the evidence log; its `api` is exposed to tests (injectable clock,
 * recorder, notices).
 */
import * as vscode from 'vscode';
import type { Clock } from '../../core/cutover';
import { SwitchableClock } from './clock';
import { destructiveIn, messages, needNotebook, type Notice, type OperationsDeps, type OpsContext } from './context';
import { registerCutoverCommands } from './cutoverCommands';
import { registerEvidenceCommands } from './evidenceCommands';
import { EvidenceRecorder } from './recorder';
import { registerRunCommands } from './runCommands';
import { OpsStatusItems } from './statusItems';

export { EvidenceRecorder } from './recorder';
export { SwitchableClock } from './clock';
export { reportPathFor } from './evidenceCommands';
export type { RunAllOptions, RunAllResult } from './runAll';
export type { Notice, OperationsDeps } from './context';

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
  /** A box was ticked or unticked by hand (the tick commands): recorded in the evidence log. */
  readonly recordHandTick: (notebook: vscode.NotebookDocument, cellIndex: number, checked: boolean, checkId: string | undefined) => void;
}

export function registerOperations(deps: OperationsDeps): Operations {
  const clock = new SwitchableClock();
  const shown = messages();
  const isDestructive = destructiveIn(deps.registry);
  const recorder = new EvidenceRecorder({
    runbooks: deps.runbooks,
    inputs: deps.inputs,
    clock,
    isLeftOut: isDestructive,
    log: deps.log,
  });
  const items = new OpsStatusItems(deps.runbooks, deps.state, recorder);
  const ctx: OpsContext = {
    deps, clock, recorder, items,
    notices: shown.notices, notify: shown.notify, status: shown.status,
    need: needNotebook(shown.notify),
    isDestructive,
  };
  // Hand ticks are recorded in order; commands that tick wait for the record (e.g. the rollout window).
  let pendingTicks: Promise<unknown> = Promise.resolve();

  const run = registerRunCommands(ctx);
  const disposables: vscode.Disposable[] = [
    recorder, items, shown,
    deps.controller.onDidRunCheck(({ notebook, run: checkRun, meta }) => { recorder.recordRun(notebook, checkRun, meta); }),
    ...run.disposables,
    ...registerCutoverCommands(ctx, run, { pendingTicks: () => pendingTicks }),
    ...registerEvidenceCommands(ctx),
  ];

  const api: OperationsApi = {
    clock,
    setClock: (c) => { recorder.reset(); clock.set(c); items.refresh(); },
    recorder,
    statusItems: items,
    notices: shown.notices,
  };

  return {
    api,
    disposables,
    recordHandTick: (notebook, cellIndex, checked, checkId) => {
      pendingTicks = pendingTicks.then(() => recorder.recordHandTick(notebook, cellIndex, checked, checkId)).then(() => items.refresh(), () => undefined);
    },
  };
}
