/**
 * Diagnostics (debounced), CodeLens and code actions over the shared analysis cache.
 */
import * as vscode from 'vscode';
import { AnalysisService, DIAGNOSTIC_SOURCE, type Entry } from './service';
import type { Finding } from '../../core/analyzer/analyze';
import { ruleDocPath, ruleInfo, type RuleId } from '../../core/analyzer/rules';
import { plural } from '../../core/runbook/plural';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('engramia');
export const APPLY_FIX_COMMAND = 'runbook.analysis.applyFix';
export const DEBOUNCE_MS = 300;

export function toRange(f: Finding): vscode.Range {
  return new vscode.Range(f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character);
}

function severity(f: Finding): vscode.DiagnosticSeverity {
  return f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

export class AgentDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after diagnostics were refreshed (CodeLens listens). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly service: AnalysisService, private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {}

  docTarget(rule: RuleId): vscode.Uri {
    const base = this.service.settings().docsBaseUrl;
    if (base) return vscode.Uri.parse(`${base.replace(/\/+$/, '')}/${rule}.md`);
    return vscode.Uri.joinPath(this.extensionUri, ruleDocPath(rule));
  }

  toDiagnostic(f: Finding): vscode.Diagnostic {
    const d = new vscode.Diagnostic(toRange(f), f.message, severity(f));
    d.source = DIAGNOSTIC_SOURCE;
    d.code = { value: f.rule, target: this.docTarget(f.rule) };
    return d;
  }

  /** Debounced refresh of a document (a cell refreshes its whole notebook). */
  schedule(document: vscode.TextDocument, delay = DEBOUNCE_MS): void {
    if (!AnalysisService.isPython(document)) return;
    const notebook = AnalysisService.notebookOf(document);
    const key = (notebook?.uri ?? document.uri).toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void (notebook ? this.refreshNotebook(notebook) : this.refresh(document));
    }, delay));
  }

  scheduleNotebook(notebook: vscode.NotebookDocument, delay = DEBOUNCE_MS): void {
    const key = notebook.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.refreshNotebook(notebook);
    }, delay));
  }

  async refresh(document: vscode.TextDocument): Promise<void> {
    try {
      const entry = await this.service.analyze(document);
      if (document.isClosed) return;
      this.collection.set(document.uri, entry ? AnalysisService.findingsFor(entry, document).map((f) => this.toDiagnostic(f)) : []);
      this.changed.fire();
    } catch (err) {
      this.log.error(`analysis of ${document.uri.fsPath} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }

  async refreshNotebook(notebook: vscode.NotebookDocument): Promise<void> {
    try {
      const entry = await this.service.analyzeNotebook(notebook);
      for (const cell of notebook.getCells()) {
        if (cell.kind !== vscode.NotebookCellKind.Code) continue;
        this.collection.set(cell.document.uri, entry ? AnalysisService.findingsFor(entry, cell.document).map((f) => this.toDiagnostic(f)) : []);
      }
      this.changed.fire();
    } catch (err) {
      this.log.error(`analysis of ${notebook.uri.fsPath} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Findings of the workspace scan for files that are not open (open ones stay live). */
  setFromScan(uri: vscode.Uri, diagnostics: vscode.Diagnostic[]): void {
    this.collection.set(uri, diagnostics);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.collection.dispose();
    this.changed.dispose();
  }
}

/** One lens above each finding, naming the fix; clicking applies it. */
export class AgentCodeLens implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly service: AnalysisService, diagnostics: AgentDiagnostics) {
    this.onDidChangeCodeLenses = diagnostics.onDidChange;
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const s = this.service.settings();
    if (!s.enabled || !s.codeLens) return [];
    const entry = await this.service.analyze(document);
    if (!entry) return [];
    const findings = AnalysisService.findingsFor(entry, document);
    const lenses: vscode.CodeLens[] = [];
    const fixable = entry.result.findings.filter((f) => f.fix).length;
    if (!entry.notebook && fixable > 1 && !entry.result.hasSyntaxErrors) {
      // a file-level lens on line 0: applies source.fixAll.engramia in the active editor
      lenses.push(new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
        title: `Engramia: ${plural(entry.result.findings.length, 'issue')} — Fix all`,
        tooltip: 'Apply every Engramia fix in this file (unsafe fixes: they change runtime behaviour)',
        command: 'editor.action.sourceAction',
        arguments: [{ kind: FIX_ALL_KIND.value, apply: 'first' }],
      }));
    }
    return lenses.concat(findings.map((f) => {
      const line = new vscode.Range(f.range.start.line, 0, f.range.start.line, 0);
      const fixName = f.fix ? ` — ${f.fix.title.replace(/^Engramia \(ENG\d+\): /, '')}` : '';
      return new vscode.CodeLens(line, {
        title: `⚠ ${ruleInfo(f.rule).title}${fixName}`,
        tooltip: f.message,
        command: f.fix ? APPLY_FIX_COMMAND : '',
        arguments: f.fix ? [document.uri, entry.version, f.rule, f.range.startOffset] : [],
      });
    }));
  }
}

/** Quick fixes per finding, "Disable for this line", fix-all in file (`source.fixAll.engramia`). */
export class AgentCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND],
  };

  constructor(private readonly service: AnalysisService, private readonly diagnostics: AgentDiagnostics) {}

  async provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const entry = await this.service.analyze(document);
    if (!entry) return [];
    const findings = AnalysisService.findingsFor(entry, document);
    const actions: vscode.CodeAction[] = [];
    const wantsFixAll = context.only ? FIX_ALL_KIND.intersects(context.only) : false;
    if (context.only && !wantsFixAll && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
    if (wantsFixAll) {
      const all = fixAllAction(entry, document, FIX_ALL_KIND);
      return all ? [all] : [];
    }
    const touched = findings.filter((f) => toRange(f).intersection(range) !== undefined || context.diagnostics.some((d) => d.source === DIAGNOSTIC_SOURCE && codeOf(d) === f.rule && d.range.isEqual(toRange(f))));
    for (const f of touched) {
      const diagnostic = context.diagnostics.find((d) => d.source === DIAGNOSTIC_SOURCE && codeOf(d) === f.rule && d.range.isEqual(toRange(f))) ?? this.diagnostics.toDiagnostic(f);
      if (f.fix) {
        const a = new vscode.CodeAction(f.fix.title, vscode.CodeActionKind.QuickFix);
        a.edit = AnalysisService.toWorkspaceEdit(entry, f.fix.edits);
        a.diagnostics = [diagnostic];
        a.isPreferred = true;
        actions.push(a);
      }
      const s = new vscode.CodeAction(`Engramia (${f.rule}): Disable ${f.rule} for this line`, vscode.CodeActionKind.QuickFix);
      s.edit = AnalysisService.toWorkspaceEdit(entry, f.suppress.edits);
      s.diagnostics = [diagnostic];
      actions.push(s);
    }
    if (touched.length && entry.result.findings.filter((f) => f.fix).length > 1) {
      const all = fixAllAction(entry, document, vscode.CodeActionKind.QuickFix);
      if (all) actions.push(all);
    }
    return actions;
  }
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  return typeof d.code === 'object' ? String(d.code.value) : d.code !== undefined ? String(d.code) : undefined;
}

export function fixAllAction(entry: Entry, document: vscode.TextDocument, kind: vscode.CodeActionKind): vscode.CodeAction | undefined {
  if (entry.result.hasSyntaxErrors) return undefined; // no fix-all while the tree has errors
  const edits = entry.result.fixAll();
  if (!edits.length) return undefined;
  const title = entry.notebook ? 'Engramia: Fix all in notebook' : 'Engramia: Fix all in file';
  const a = new vscode.CodeAction(title, kind);
  a.edit = AnalysisService.toWorkspaceEdit(entry, edits);
  void document;
  return a;
}
