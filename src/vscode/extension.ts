/**
 * The composition root: the one place where the core's parts and the VS Code adapters are
 * created and wired together. Everything else in src/vscode only adapts.
 */
import * as vscode from 'vscode';
import { createRegistry, disposeKinds } from './registry';
import { MaskingLogger } from './log';
import { InputStore } from './inputs/inputStore';
import { SwitchableInputUi, VsCodeInputUi, type InputUi } from './inputs/inputUi';
import { SwitchableOperatorUi, VsCodeOperatorUi } from './operatorUi';
import type { OperatorUi } from '../core/checks/types';
import { RunbookSerializer } from './notebook/serializer';
import { RunbookController } from './notebook/controller';
import { RunbookStatusBar } from './notebook/statusBar';
import { DerivedRunbooks } from './notebook/derivedRunbooks';
import { RunState } from './notebook/runState';
import { TaskContextKeys } from './notebook/taskContext';
import { collapseLongFrontMatter } from './notebook/collapseFrontMatter';
import { SectionsView, revealCellCommand } from './notebook/sectionsView';
import { NOTEBOOK_TYPES } from './notebook/types';
import { registerRunbookCommands } from './commands/runbookCommands';
import { pythonInterpreterService } from './python';
import { registerAgentAnalysis } from './analysis';
import { registerOperations, type OperationsApi } from './ops';

/** What `activate` returns: used by the integration tests and by other extensions. */
export interface RunbookExtensionApi {
  readonly controller: RunbookController;
  readonly state: RunState;
  readonly inputs: InputStore;
  readonly statusBar: RunbookStatusBar;
  /** Replaces the operator prompts (quick picks, typed confirmations); undefined restores them. */
  setOperatorUi(ui: OperatorUi | undefined): void;
  /** Replaces the input questions (values, the send-approval modal, revocation); undefined restores them. */
  setInputUi(ui: InputUi | undefined): void;
  /** Cutover operations: injectable clock, evidence recorder, status bar items, notices shown. */
  readonly ops: OperationsApi;
}

export function activate(context: vscode.ExtensionContext): RunbookExtensionApi {
  const channel = vscode.window.createOutputChannel('Runbook', { log: true });
  const log = new MaskingLogger(channel);
  const registry = createRegistry();
  const state = new RunState();
  const inputUi = new SwitchableInputUi(new VsCodeInputUi());
  const inputs = new InputStore(context.workspaceState, context.secrets, inputUi);
  const ui = new SwitchableOperatorUi(new VsCodeOperatorUi());
  const isCheckKind = (word: string) => !!registry.resolve(word);

  const serializer = new RunbookSerializer(isCheckKind);
  for (const type of NOTEBOOK_TYPES) {
    context.subscriptions.push(vscode.workspace.registerNotebookSerializer(type, serializer, {
      transientOutputs: true,
    }));
  }
  const runbooks = new DerivedRunbooks(isCheckKind);
  const statusBar = new RunbookStatusBar(runbooks, state);
  // Operations (run all, evidence, timers) take the controller lazily: its hooks feed the evidence log.
  let controllerRef: RunbookController | undefined;
  const ops = registerOperations({ registry, statusBar, state, inputs, log, controller: () => controllerRef! });
  const python = pythonInterpreterService(log);
  const controller = new RunbookController({
    registry, runbooks, inputs, state, log, ui,
    services: { pythonInterpreter: python },
    onRun: ops.onRun, onTick: ops.onTick,
  });
  controllerRef = controller;
  context.subscriptions.push(...registerAgentAnalysis(context, {
    log: channel,
    extensionUri: context.extensionUri,
    pythonPath: async () => (await python())?.path,
  }));
  context.subscriptions.push(
    channel, state, statusBar, controller, new TaskContextKeys(statusBar), collapseLongFrontMatter(),
    new SectionsView(statusBar, state), vscode.commands.registerCommand('runbook.revealCell', revealCellCommand),
    ...registerRunbookCommands({ extensionUri: context.extensionUri, inputs, state, statusBar, log: channel, onHandTick: ops.onHandTick }),
    ...ops.disposables,
  );
  log.info(`Runbook Notebooks ${context.extension.packageJSON.version} activated (check kinds: ${registry.words().join(', ')})`);
  return { controller, state, inputs, statusBar, setOperatorUi: (u) => ui.set(u), setInputUi: (u) => inputUi.set(u), ops: ops.api };
}

export async function deactivate(): Promise<void> {
  await disposeKinds();
}
