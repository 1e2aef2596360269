/**
 * The runbook features, composed: check registry and engine, the notebook controller, status bar,
 * sections view, operations (run all, evidence, timers) and the runbook commands. This is where the
 * core's parts and the VS Code adapters are created and wired together; everything else in
 * src/vscode only adapts. Built as its own bundle (dist/runbooks.js) that extension.ts loads on first
 * use (a runbook opened, a runbook command run), so activation does not pay for it.
 * To add a command: contribute it in package.json and register it here (or in a register* function
 * called from here); extension.ts forwards the first call of every contributed command on its own.
 */
import * as vscode from 'vscode';
import { createRegistry, disposeKinds } from './registry';
import { MaskingLogger } from './log';
import { InputStore } from './inputs/inputStore';
import { SwitchableInputUi, VsCodeInputUi, type InputUi } from './inputs/inputUi';
import { SwitchableOperatorUi, VsCodeOperatorUi } from './operatorUi';
import type { OperatorUi } from '../core/checks/types';
import { RunbookController } from './notebook/controller';
import { RunbookStatusBar } from './notebook/statusBar';
import { DerivedRunbooks } from './notebook/derivedRunbooks';
import { RunState } from './notebook/runState';
import { TaskContextKeys } from './notebook/taskContext';
import { collapseLongFrontMatter } from './notebook/collapseFrontMatter';
import { SectionsView, revealCellCommand } from './notebook/sectionsView';
import { registerRunbookCommands } from './commands/runbookCommands';
import { pythonInterpreterService } from './python';
import { registerOperations, type OperationsApi } from './ops';
import { registerConvertCommand } from './convert';
import { RunbookTests } from './testing/runbookTests';

/** What `activate` returns: used by the integration tests and by other extensions. */
export interface RunbookExtensionApi {
  readonly controller: RunbookController;
  readonly state: RunState;
  readonly inputs: InputStore;
  readonly statusBar: RunbookStatusBar;
  /** The derived view (tasks, checks, sections) of each open runbook, shared by every feature. */
  readonly runbooks: DerivedRunbooks;
  /** Replaces the operator prompts (quick picks, typed confirmations); undefined restores them. */
  setOperatorUi(ui: OperatorUi | undefined): void;
  /** Replaces the input questions (values, the send-approval modal, revocation); undefined restores them. */
  setInputUi(ui: InputUi | undefined): void;
  /** Cutover operations: injectable clock, evidence recorder, status bar items, notices shown. */
  readonly ops: OperationsApi;
  /** The runbooks' checks in the Test Explorer. */
  readonly tests: RunbookTests;
  /** The Explorer's "Runbook Sections" view (its tree data). */
  readonly sections: SectionsView;
}

export interface RunbookFeatures {
  readonly api: RunbookExtensionApi;
  /** Everything to dispose when the extension deactivates. */
  readonly disposables: vscode.Disposable[];
}

/** Creates and registers the runbook features; `channel` is the extension's one output channel. */
export function startRunbooks(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): RunbookFeatures {
  const log = new MaskingLogger(channel);
  const registry = createRegistry();
  const state = new RunState();
  const inputUi = new SwitchableInputUi(new VsCodeInputUi());
  const inputs = new InputStore(context.workspaceState, context.secrets, inputUi);
  const ui = new SwitchableOperatorUi(new VsCodeOperatorUi());
  const isCheckKind = (word: string) => !!registry.resolve(word);

  // One derived view per open runbook, injected into every feature that reads the runbook.
  const runbooks = new DerivedRunbooks(isCheckKind);
  const statusBar = new RunbookStatusBar(runbooks, state);
  const python = pythonInterpreterService(log);
  const controller = new RunbookController({ registry, runbooks, inputs, state, log, ui, services: { pythonInterpreter: python } });
  // Operations (run all, evidence, timers) subscribe to the controller's events.
  const ops = registerOperations({ registry, runbooks, state, inputs, log, controller });
  const tests = new RunbookTests({ controller, runbooks, state });
  const sections = new SectionsView(runbooks, state);
  const disposables: vscode.Disposable[] = [
    state, statusBar, controller, tests, new TaskContextKeys(runbooks), collapseLongFrontMatter(),
    sections, vscode.commands.registerCommand('runbook.revealCell', revealCellCommand),
    ...registerRunbookCommands({ extensionUri: context.extensionUri, inputs, state, runbooks, log: channel, onHandTick: ops.recordHandTick }),
    ...ops.disposables,
    registerConvertCommand(),
  ];
  log.info(`Runbook Notebooks ${context.extension.packageJSON.version}: runbook features loaded (check kinds: ${registry.words().join(', ')})`);
  return { api: { controller, state, inputs, statusBar, runbooks, setOperatorUi: (u) => ui.set(u), setInputUi: (u) => inputUi.set(u), ops: ops.api, tests, sections }, disposables };
}

/** Releases what the check kinds hold (HTTP connection pools). */
export async function stopRunbooks(): Promise<void> {
  await disposeKinds();
}
