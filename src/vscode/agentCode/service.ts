/**
 * The one analysis cache shared by diagnostics, CodeLens and code actions: results per document
 * (or per notebook, its Python cells analysed together) keyed by version. Python files keep an
 * incrementally re-parsed tree (`tree.edit`) fed from change events. The parser is loaded lazily,
 * from the wasm bytes shipped in `dist/`, on the first Python document.
 */
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { defaultWorkerCount } from '../../core/analyzer/pool';
import { indentDepth, isWasmTrap, loadPythonParser, MAX_INDENT_DEPTH, renewParser, RUNTIME_WASM, PYTHON_WASM, type PythonParser } from '../../core/analyzer/parser';
import { IncrementalDocument, analyzeCells, mayContainAgentCode } from '../../core/analyzer/document';
import type { AnalysisResult, AnalyzeOptions, Finding, HooksClassInfo } from '../../core/analyzer/analyze';
import { workspaceHooksClasses } from '../../core/analyzer/hooksClasses';
import { DEFAULT_RULES, RULE_IDS, type RuleId } from '../../core/analyzer/rules';
import type { TextEdit } from '../../core/analyzer/text';
import { findInstalledVersion } from '../../core/analyzer/engramiaVersion';
import { localAgentsPackageNames } from '../../core/analyzer/workspace';
import { formatDuration } from '../../core/text';

export const SECTION = 'runbook.analysis';

/** The settings under `engramia.*` that shape the hooks and memory the fixes write. */
function engramiaFixSettings(): Pick<AnalyzeOptions, 'hooksClass' | 'storagePath' | 'engramiaHooksAreRunHooks'> {
  const e = vscode.workspace.getConfiguration('engramia');
  const hooksClass = e.get<string>('hooksClass', '').trim();
  const storagePath = e.get<string>('storagePath', '').trim();
  return { ...(hooksClass ? { hooksClass } : {}), ...(storagePath ? { storagePath } : {}), ...(e.get<boolean>('engramiaRunHooksIsRunHooks', false) ? { engramiaHooksAreRunHooks: true } : {}) };
}
export const DIAGNOSTIC_SOURCE = 'engramia';
export const JUPYTER = 'jupyter-notebook';

/** A cached analysis: a file (one unit) or a notebook (one unit per Python code cell). */
export interface Entry {
  readonly key: string;
  readonly version: string;
  readonly result: AnalysisResult;
  /** Unit index → document URI (the file, or each cell's document). */
  readonly uris: readonly vscode.Uri[];
  readonly notebook: boolean;
}

export interface AnalysisDeps {
  readonly log: vscode.LogOutputChannel;
  readonly extensionUri: vscode.Uri;
  /** Python interpreter for the engramia version (ENG006); optional. */
  readonly pythonPath?: () => Promise<string | undefined>;
  /** The workspace storage folder: home of the scan's content-hash cache (none when unset). */
  readonly storagePath?: string;
  /** Mixed into the cache key (the extension's version). */
  readonly cacheSalt?: string;
}

export class AnalysisService implements vscode.Disposable {
  private parser?: Promise<PythonParser>;
  private readonly cache = new Map<string, Entry>();
  private readonly docs = new Map<string, { doc: IncrementalDocument; version: number }>();
  private engramiaVersion?: Promise<string | undefined>;

  constructor(private readonly deps: AnalysisDeps) {}

  settings(): { enabled: boolean; options: AnalyzeOptions; codeLens: boolean; docsBaseUrl: string } {
    const c = vscode.workspace.getConfiguration(SECTION);
    const rules: RuleId[] = RULE_IDS.filter((id) => c.get<boolean>(`rules.${id}`, DEFAULT_RULES.includes(id)));
    return {
      enabled: c.get<boolean>('enabled', true),
      codeLens: c.get<boolean>('codeLens', true),
      docsBaseUrl: c.get<string>('docsBaseUrl', '').trim(),
      options: { rules, memoryVariable: c.get<string>('memoryVariable', 'memory'), noqa: c.get<boolean>('noqa', false), ...engramiaFixSettings() },
    };
  }

  /** Loads the parser once (wasm bytes from `dist/`, else from `node_modules` in development). */
  getParser(): Promise<PythonParser> {
    this.parser ??= (async () => {
      const started = Date.now();
      const read = async (file: string, pkg: string): Promise<Uint8Array> => {
        for (const uri of [vscode.Uri.joinPath(this.deps.extensionUri, 'dist', file), vscode.Uri.joinPath(this.deps.extensionUri, 'node_modules', pkg, file)]) {
          try {
            return await vscode.workspace.fs.readFile(uri);
          } catch {
            /* try the next place */
          }
        }
        throw new Error(`${file} is missing from the extension (dist/ or node_modules/${pkg}/)`);
      };
      const [runtimeWasm, pythonWasm] = await Promise.all([read(RUNTIME_WASM, 'web-tree-sitter'), read(PYTHON_WASM, 'tree-sitter-python')]);
      const py = await loadPythonParser({ runtimeWasm, pythonWasm });
      this.deps.log.info(`analysis: Python parser loaded in ${formatDuration(Date.now() - started)} (grammar ABI ${py.language.abiVersion})`);
      return py;
    })();
    this.parser.catch((err) => {
      this.deps.log.error(`analysis: cannot load the Python parser: ${err instanceof Error ? err.message : String(err)}`);
      this.parser = undefined;
    });
    return this.parser;
  }

  /** The installed engramia version (for ENG006), read once from the workspace interpreter's package metadata. */
  installedEngramiaVersion(): Promise<string | undefined> {
    if (!vscode.workspace.isTrusted) return Promise.resolve(undefined);
    this.engramiaVersion ??= (async () => {
      const python = (await this.deps.pythonPath?.().catch(() => undefined)) ?? 'python3';
      // installed package metadata only: no workspace code is imported, an interpreter inside the workspace is never run
      const workspace = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
      const v = (await findInstalledVersion('engramia', { python, workspace, timeoutMs: 5000 }))?.version;
      this.deps.log.info(`analysis: installed engramia version ${v ?? 'unknown'} (${python})`);
      return v;
    })();
    return this.engramiaVersion;
  }

  private shadowed?: Promise<string[]>;
  private hooksClasses?: Promise<HooksClassInfo[]>;

  async options(): Promise<AnalyzeOptions> {
    const { options } = this.settings();
    const engramiaVersion = (options.rules ?? []).includes('ENG006') ? await this.installedEngramiaVersion() : undefined;
    // a workspace with its own top-level `agents` package (§4 guard)
    const folder = vscode.workspace.workspaceFolders?.[0];
    this.shadowed ??= folder?.uri.scheme === 'file' ? this.getParser().then((py) => localAgentsPackageNames(folder.uri.fsPath, py)).catch(() => []) : Promise.resolve([]);
    const shadowedAgentsNames = await this.shadowed;
    // the workspace's own run-hooks classes (read and parsed, never run), so `hooks=H(memory)` with H
    // imported from another module is resolved as the CLI and the analyze check resolve it
    this.hooksClasses ??= folder?.uri.scheme === 'file' ? this.getParser().then((py) => workspaceHooksClasses(folder.uri.fsPath, py)).catch(() => []) : Promise.resolve([]);
    const hooksClasses = await this.hooksClasses;
    return {
      ...options,
      ...(engramiaVersion ? { engramiaVersion } : {}),
      ...(shadowedAgentsNames.length ? { shadowedAgentsNames } : {}),
      ...(hooksClasses.length ? { workspaceHooksClasses: hooksClasses } : {}),
    };
  }

  /**
   * A saved Python file that may define or change a run-hooks class: the workspace's hooks classes
   * are read again and every analysis is redone. Returns true when that happened.
   */
  async onSaved(document: vscode.TextDocument): Promise<boolean> {
    if (!AnalysisService.isPython(document) || document.uri.scheme !== 'file' || !this.hooksClasses) return false;
    const text = document.getText();
    const known = await this.hooksClasses;
    if (!text.includes('RunHooks') && !known.some((k) => text.includes(k.name))) return false;
    this.hooksClasses = undefined;
    this.cache.clear();
    return true;
  }

  /** Workspace scans: worker threads, and the content-hash cache of this folder in the workspace storage. */
  scanOptions(folder: vscode.WorkspaceFolder): { workers: number; cacheDir?: string; cacheSalt?: string } {
    const cacheDir = this.deps.storagePath ? join(this.deps.storagePath, 'analysis-cache', createHash('sha256').update(folder.uri.toString()).digest('hex').slice(0, 16)) : undefined;
    return { workers: defaultWorkerCount(), ...(cacheDir ? { cacheDir } : {}), ...(this.deps.cacheSalt ? { cacheSalt: this.deps.cacheSalt } : {}) };
  }

  /** True for documents the analyzer looks at: Python files and Python cells of Jupyter notebooks. */
  static isPython(document: vscode.TextDocument): boolean {
    return document.languageId === 'python' && (document.uri.scheme === 'file' || document.uri.scheme === 'untitled' || document.uri.scheme === 'vscode-notebook-cell' || document.uri.scheme === 'vscode-remote');
  }

  /** The notebook a cell document belongs to. */
  static notebookOf(document: vscode.TextDocument): vscode.NotebookDocument | undefined {
    if (document.uri.scheme !== 'vscode-notebook-cell') return undefined;
    return vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document || c.document.uri.toString() === document.uri.toString()));
  }

  /** Feeds an edit to the incremental tree of an open file (kept in step with VS Code's versions). */
  onChange(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.toString();
    const held = this.docs.get(key);
    if (!held || !e.contentChanges.length) return;
    try {
      const changes = [...e.contentChanges].sort((a, b) => b.rangeOffset - a.rangeOffset);
      held.doc.update(changes.map((c) => ({ rangeOffset: c.rangeOffset, rangeLength: c.rangeLength, text: c.text })));
      held.version = e.document.version;
    } catch (err) {
      this.deps.log.warn(`analysis: incremental update failed, re-parsing: ${String(err)}`);
      this.forget(e.document.uri);
    }
  }

  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.cache.delete(key);
    this.docs.get(key)?.doc.dispose();
    this.docs.delete(key);
  }

  /** The analysis of a document (a notebook cell → its notebook's), computed if the cache is stale. */
  async analyze(document: vscode.TextDocument): Promise<Entry | undefined> {
    if (!this.settings().enabled || !AnalysisService.isPython(document)) return undefined;
    const notebook = AnalysisService.notebookOf(document);
    if (notebook) return this.analyzeNotebook(notebook);
    const key = document.uri.toString();
    const version = String(document.version);
    const cached = this.cache.get(key);
    if (cached?.version === version) return cached;
    const text = document.getText();
    if (!mayContainAgentCode(text)) {
      this.forget(document.uri);
      return undefined;
    }
    if (indentDepth(text) > MAX_INDENT_DEPTH) {
      this.forget(document.uri);
      this.deps.log.warn(`analysis: ${document.uri.fsPath} not analysed: nested deeper than ${MAX_INDENT_DEPTH} indentation levels`);
      return undefined;
    }
    const py = await this.getParser();
    const options = await this.options();
    try {
      let held = this.docs.get(key);
      if (!held) {
        held = { doc: new IncrementalDocument(py, text), version: document.version };
        this.docs.set(key, held);
      } else if (held.version !== document.version || held.doc.source !== text) {
        held.doc.reset(text);
        held.version = document.version;
      }
      if (String(document.version) !== version) return this.analyze(document);
      const entry: Entry = { key, version, result: held.doc.analyze(options), uris: [document.uri], notebook: false };
      this.cache.set(key, entry);
      return entry;
    } catch (err) {
      this.recover(py, document.uri, err);
      return undefined;
    }
  }

  /** A file the parser failed on is not analysed (no diagnostics, logged); after a WebAssembly trap the parser is renewed. */
  private recover(py: PythonParser, uri: vscode.Uri, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (isWasmTrap(err)) {
      for (const k of [...this.docs.keys()]) this.forget(vscode.Uri.parse(k));
      try {
        renewParser(py);
      } catch {
        this.parser = undefined;
      }
    } else this.forget(uri);
    this.deps.log.warn(`analysis: ${uri.fsPath || uri.toString()} not analysed: ${message}`);
  }

  /** All Python code cells of a Jupyter notebook, analysed together. */
  async analyzeNotebook(notebook: vscode.NotebookDocument): Promise<Entry | undefined> {
    if (!this.settings().enabled || notebook.notebookType !== JUPYTER) return undefined;
    const cells = notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === 'python');
    const key = notebook.uri.toString();
    const version = `${notebook.version}:${cells.map((c) => `${c.document.uri.fragment}@${c.document.version}`).join(',')}`;
    const cached = this.cache.get(key);
    if (cached?.version === version) return cached;
    const texts = cells.map((c) => c.document.getText());
    if (!texts.some(mayContainAgentCode) || texts.some((t) => indentDepth(t) > MAX_INDENT_DEPTH)) {
      this.cache.delete(key);
      return undefined;
    }
    const py = await this.getParser();
    const options = await this.options();
    try {
      const entry: Entry = { key, version, result: analyzeCells(py, texts, options), uris: cells.map((c) => c.document.uri), notebook: true };
      this.cache.set(key, entry);
      return entry;
    } catch (err) {
      this.recover(py, notebook.uri, err);
      return undefined;
    }
  }

  /** The findings of one document (for a cell: the findings in that cell). */
  static findingsFor(entry: Entry, document: vscode.TextDocument): Finding[] {
    if (!entry.notebook) return [...entry.result.findings];
    const unit = entry.uris.findIndex((u) => u.toString() === document.uri.toString());
    return entry.result.findings.filter((f) => f.cell === unit);
  }

  /** Core edits (cell-tagged for notebooks) → a WorkspaceEdit. */
  static toWorkspaceEdit(entry: Entry, edits: readonly TextEdit[], edit = new vscode.WorkspaceEdit(), metadata?: vscode.WorkspaceEditEntryMetadata): vscode.WorkspaceEdit {
    for (const e of edits) {
      const uri = entry.uris[e.cell ?? 0]!;
      const range = new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character);
      if (metadata) edit.replace(uri, range, e.newText, metadata);
      else edit.replace(uri, range, e.newText);
    }
    return edit;
  }

  dispose(): void {
    this.shadowed = undefined;
    this.hooksClasses = undefined;
    for (const { doc } of this.docs.values()) doc.dispose();
    this.docs.clear();
    this.cache.clear();
  }
}
