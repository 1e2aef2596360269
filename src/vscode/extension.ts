/**
 * The extension's entry point, kept to registrations so that activation costs next to nothing.
 * The features live in bundles loaded with require() on first use:
 *   dist/serializer.js  markdown ↔ cells (the first runbook opened)
 *   dist/runbooks.js    engine, controller, views, operations, commands (runbooks.ts)
 *   dist/analysis.js    the Python agent-code analysis (agentCode/start.ts)
 * Every command contributed in package.json gets a stub here that loads its bundle (commands named
 * `runbook.analysis.*`: the analysis; all others: the runbook features), which registers the real
 * command, and then forwards the call. A new command needs no change here.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type * as Serializer from './notebook/serializer';
import type * as Runbooks from './runbooks';
import type * as Analysis from './agentCode/start';
import { isRunbookNotebook, NOTEBOOK_TYPES } from './notebook/types';

export type { RunbookExtensionApi } from './runbooks';

const JUPYTER = 'jupyter-notebook';
const ANALYSIS_COMMANDS = 'runbook.analysis.';

/** Loads dist/<name>.js (a sibling bundle) with require(); esbuild leaves this call alone. */
function bundle<T>(name: string): T {
  return require(path.join(__dirname, `${name}.js`)) as T;
}

/** A feature loaded once, on first use; `stubs` (the command stubs) are removed right before. */
class Lazy<T> {
  private value: T | undefined;
  private stubs: vscode.Disposable[] = [];
  constructor(private readonly load: () => T) {}
  get loaded(): boolean { return this.value !== undefined; }
  get(): T {
    if (this.value === undefined) {
      for (const s of this.stubs.splice(0)) s.dispose();
      this.value = this.load();
    }
    return this.value;
  }
  /** Loads after the current work (e.g. a notebook being opened) is done. */
  soon(): void {
    if (this.value === undefined) setTimeout(() => this.get(), 0);
  }
  /** A stub for each command: the first call loads the feature (which registers the real one) and forwards. */
  stubCommands(ids: readonly string[]): vscode.Disposable {
    this.stubs = ids.map((id) => vscode.commands.registerCommand(id, (...args: unknown[]) => {
      this.get();
      return vscode.commands.executeCommand(id, ...args);
    }));
    return { dispose: () => { for (const s of this.stubs.splice(0)) s.dispose(); } };
  }
}

let runbooks: Lazy<Runbooks.RunbookFeatures> | undefined;

export function activate(context: vscode.ExtensionContext): Runbooks.RunbookExtensionApi {
  const channel = vscode.window.createOutputChannel('Runbook', { log: true });
  context.subscriptions.push(channel);
  const own = <T extends vscode.Disposable[] | { disposables: vscode.Disposable[] }>(v: T): T => {
    context.subscriptions.push(...(Array.isArray(v) ? v : v.disposables));
    return v;
  };
  const features = runbooks = new Lazy(() => own(bundle<typeof Runbooks>('runbooks').startRunbooks(context, channel)));
  const analysis = new Lazy(() => own(bundle<typeof Analysis>('analysis').startAnalysis(context, channel)));

  const commands = ((context.extension.packageJSON.contributes?.commands ?? []) as { command: string }[]).map((c) => c.command);
  context.subscriptions.push(
    features.stubCommands(commands.filter((id) => !id.startsWith(ANALYSIS_COMMANDS))),
    analysis.stubCommands(commands.filter((id) => id.startsWith(ANALYSIS_COMMANDS))),
  );

  registerSerializers(context, () => features.soon());
  registerFirstUse(context, {
    runbooks: () => features.soon(),
    analysis: () => analysis.soon(),
  });

  // The API (integration tests, other extensions) loads the runbook features on first access.
  return new Proxy({} as Runbooks.RunbookExtensionApi, {
    get: (_target, key) => (typeof key === 'symbol' || key === 'then' ? undefined : Reflect.get(features.get().api, key)),
  });
}

/** Notebook serializers: the parser loads when the first runbook is read; the features right after. */
function registerSerializers(context: vscode.ExtensionContext, afterOpen: () => void): void {
  let serializer: Serializer.RunbookSerializer | undefined;
  const real = () => (serializer ??= new (bundle<typeof Serializer>('serializer').RunbookSerializer)());
  const lazy: vscode.NotebookSerializer = {
    deserializeNotebook(content) {
      const data = real().deserializeNotebook(content);
      afterOpen();
      return data;
    },
    serializeNotebook: (data) => real().serializeNotebook(data),
  };
  for (const type of NOTEBOOK_TYPES) {
    context.subscriptions.push(vscode.workspace.registerNotebookSerializer(type, lazy, { transientOutputs: true }));
  }
}

/** Loads a feature when a document it serves is (or already was) open. */
function registerFirstUse(context: vscode.ExtensionContext, load: { runbooks(): void; analysis(): void }): void {
  const isPython = (d: vscode.TextDocument) => d.languageId === 'python';
  const onNotebook = (nb: vscode.NotebookDocument) => {
    if (isRunbookNotebook(nb)) load.runbooks();
    else if (nb.notebookType === JUPYTER) load.analysis();
  };
  if (vscode.workspace.notebookDocuments.some(isRunbookNotebook)) load.runbooks();
  if (vscode.workspace.textDocuments.some(isPython) || vscode.workspace.notebookDocuments.some((nb) => nb.notebookType === JUPYTER)) load.analysis();
  context.subscriptions.push(
    vscode.workspace.onDidOpenNotebookDocument(onNotebook),
    vscode.workspace.onDidOpenTextDocument((d) => { if (isPython(d)) load.analysis(); }),
  );
}

export async function deactivate(): Promise<void> {
  if (runbooks?.loaded) await bundle<typeof Runbooks>('runbooks').stopRunbooks();
}
