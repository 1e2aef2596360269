/**
 * Agent code analysis in the editor: diagnostics, CodeLens and quick fixes for OpenAI Agents SDK
 * code missing the Engramia wiring (rules ENG001–ENG006), in Python files and Jupyter notebooks.
 * Nothing heavy happens on activation: the parser loads on the first Python document that
 * mentions `agents` or `engramia`.
 */
import * as vscode from 'vscode';
import { AnalysisService, JUPYTER, SECTION } from './service';
import { AgentCodeActions, AgentCodeLens, AgentDiagnostics } from './providers';
import { registerAnalysisCommands } from './commands';

export { AnalysisService } from './service';
export { analyzeWorkspaceService, SCAN_COMMAND, FIX_WORKSPACE_COMMAND } from './commands';
export { FIX_ALL_KIND, APPLY_FIX_COMMAND } from './providers';

export interface AgentAnalysisDeps {
  readonly log: vscode.LogOutputChannel;
  readonly extensionUri: vscode.Uri;
  /** The workspace Python interpreter (for the installed engramia version, rule ENG006). */
  readonly pythonPath?: () => Promise<string | undefined>;
}

const SELECTOR: vscode.DocumentSelector = [
  { language: 'python', scheme: 'file' },
  { language: 'python', scheme: 'untitled' },
  { language: 'python', scheme: 'vscode-notebook-cell' },
];

export function registerAgentAnalysis(context: vscode.ExtensionContext, deps: AgentAnalysisDeps): vscode.Disposable[] {
  const service = new AnalysisService({
    ...deps,
    ...(context.storageUri?.scheme === 'file' ? { storagePath: context.storageUri.fsPath } : {}),
    cacheSalt: String(context.extension?.packageJSON?.version ?? ''),
  });
  const diagnostics = new AgentDiagnostics(service, deps.extensionUri, deps.log);
  const refreshAll = () => {
    diagnostics.collection.clear();
    for (const d of vscode.workspace.textDocuments) if (AnalysisService.isPython(d) && d.uri.scheme !== 'vscode-notebook-cell') diagnostics.schedule(d, 0);
    for (const nb of vscode.workspace.notebookDocuments) if (nb.notebookType === JUPYTER) diagnostics.scheduleNotebook(nb, 0);
  };
  const disposables: vscode.Disposable[] = [
    service,
    diagnostics,
    vscode.workspace.onDidOpenTextDocument((d) => diagnostics.schedule(d, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (!AnalysisService.isPython(e.document)) return;
      service.onChange(e);
      diagnostics.schedule(e.document);
    }),
    vscode.workspace.onDidSaveTextDocument((d) => {
      void service.onSaved(d).then((changed) => { if (changed) refreshAll(); }, () => undefined);
    }),
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === 'vscode-notebook-cell') return;
      service.forget(d.uri);
      diagnostics.collection.delete(d.uri);
    }),
    vscode.workspace.onDidOpenNotebookDocument((nb) => { if (nb.notebookType === JUPYTER) diagnostics.scheduleNotebook(nb, 0); }),
    vscode.workspace.onDidChangeNotebookDocument((e) => { if (e.notebook.notebookType === JUPYTER) diagnostics.scheduleNotebook(e.notebook); }),
    vscode.workspace.onDidCloseNotebookDocument((nb) => {
      service.forget(nb.uri);
      for (const c of nb.getCells()) diagnostics.collection.delete(c.document.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      service.dispose();
      refreshAll();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => refreshAll()),
    vscode.languages.registerCodeLensProvider(SELECTOR, new AgentCodeLens(service, diagnostics)),
    vscode.languages.registerCodeActionsProvider(SELECTOR, new AgentCodeActions(service, diagnostics), AgentCodeActions.metadata),
    ...registerAnalysisCommands(service, diagnostics, deps.log),
  ];
  // documents already open when the extension activates (onLanguage:python)
  refreshAll();
  return disposables;
}
