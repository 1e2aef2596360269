/**
 * Scans a folder's Python files (and Jupyter notebooks) with the analyzer. Skips virtual
 * environments, node_modules, .git, site-packages and caches; files that never mention `agents`
 * or `engramia` are skipped without parsing. Cancellable through an AbortSignal.
 */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { AnalyzeOptions, Finding } from './analyze';
import { analyzeCells, analyzeText, mayContainAgentCode } from './document';
import { indentDepth, isWasmTrap, loadPythonParser, MAX_INDENT_DEPTH, renewParser, type LoadOptions, type PythonParser } from './parser';
import type { RuleId, Severity } from './rules';

export interface WorkspaceFinding {
  /** Path relative to the scanned root, with `/` separators. */
  readonly file: string;
  readonly absolutePath: string;
  /** 1-based line and UTF-16 column (within the cell for notebooks). */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly cell?: number;
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly message: string;
  readonly fixable: boolean;
}

export interface ScanOptions extends AnalyzeOptions, LoadOptions {
  readonly signal?: AbortSignal;
  /** Called after each file: files done so far, files found, the current file. */
  readonly onProgress?: (done: number, total: number, file: string) => void;
  /** Relative paths or globs (`src/**\/*.py`) to limit the scan to. */
  readonly paths?: readonly string[];
  /** Extra directory names to skip. */
  readonly exclude?: readonly string[];
  readonly parser?: PythonParser;
}

export interface ScanResult {
  readonly findings: WorkspaceFinding[];
  readonly filesFound: number;
  readonly filesAnalyzed: number;
  /**
   * Files NOT analysed because they could not be read or parsed (or the parser trapped on them):
   * their findings are unknown, so a scan with errors must never be reported as "no findings".
   */
  readonly errors: readonly { file: string; error: string }[];
}

export const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'venv', '.venv', 'env', '.env', 'site-packages', 'dist-packages', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.ipynb_checkpoints', 'build', '.eggs']);

export class ScanCancelled extends Error {
  constructor() {
    super('scan cancelled');
  }
}

/** Lists the Python files and notebooks under `root` (relative paths, sorted). */
export async function listPythonFiles(root: string, options: Pick<ScanOptions, 'signal' | 'paths' | 'exclude'> = {}): Promise<string[]> {
  const skip = new Set([...SKIP_DIRS, ...(options.exclude ?? [])]);
  const matchers = (options.paths ?? []).filter((p) => p.trim()).map(globToMatcher);
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    if (options.signal?.aborted) throw new ScanCancelled();
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (dir !== root && entries.some((e) => e.name === 'pyvenv.cfg')) return; // a virtual environment
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!skip.has(e.name) && !e.name.endsWith('.egg-info')) await walk(p);
      } else if (e.isFile() && (e.name.endsWith('.py') || e.name.endsWith('.ipynb'))) {
        const rel = relative(root, p).split(sep).join('/');
        if (!matchers.length || matchers.some((m) => m(rel))) out.push(rel);
      }
    }
  };
  await walk(root);
  return out.sort();
}

/** Scans `root`; throws ScanCancelled when the signal aborts. */
export async function scanWorkspace(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  // eslint-disable-next-line no-param-reassign
  const py = options.parser ?? (await loadPythonParser(options));
  const files = await listPythonFiles(root, options);
  const shadowed = options.shadowedAgentsNames ?? (await localAgentsPackageNames(root, py));
  if (shadowed.length) options = { ...options, shadowedAgentsNames: shadowed };
  const findings: WorkspaceFinding[] = [];
  const errors: { file: string; error: string }[] = [];
  let analyzed = 0;
  for (let i = 0; i < files.length; i++) {
    if (options.signal?.aborted) throw new ScanCancelled();
    const file = files[i]!;
    const abs = join(root, file);
    let text: string | undefined;
    try {
      text = await readFile(abs, 'utf8');
    } catch (err) {
      errors.push({ file, error: `not analysed: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (text !== undefined && mayContainAgentCode(text)) {
      const r = analyzeFileSafely(py, file, abs, text, options);
      if ('error' in r) errors.push({ file, error: r.error });
      else {
        analyzed++;
        findings.push(...r.findings);
      }
    }
    options.onProgress?.(i + 1, files.length, file);
    if (i % 25 === 24) await new Promise((r) => setImmediate(r));
  }
  return { findings, filesFound: files.length, filesAnalyzed: analyzed, errors };
}

/**
 * `analyzeFile` that never throws: a file that cannot be analysed gives `{ error }` ("not analysed:
 * …"). A WebAssembly trap (e.g. 550 nested `if`s) renews the parser so the next file is parsed by a
 * fresh one.
 */
export function analyzeFileSafely(py: PythonParser, file: string, absolutePath: string, text: string, options: AnalyzeOptions = {}): { findings: WorkspaceFinding[] } | { error: string } {
  try {
    return { findings: analyzeFile(py, file, absolutePath, text, options) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!isWasmTrap(err)) return { error: `not analysed: ${message}` };
    try {
      renewParser(py);
    } catch {
      /* the next file reports its own error */
    }
    return { error: `not analysed: the parser failed on this file (${message})` };
  }
}

/** Analyses one file's text (`.py`, or `.ipynb` JSON whose code cells are analysed together). */
export function analyzeFile(py: PythonParser, file: string, absolutePath: string, text: string, options: AnalyzeOptions = {}): WorkspaceFinding[] {
  const toWorkspace = (f: Finding): WorkspaceFinding => ({
    file,
    absolutePath,
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    ...(f.cell !== undefined ? { cell: f.cell } : {}),
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    fixable: !!f.fix,
  });
  const guard = (source: string) => {
    const depth = indentDepth(source);
    if (depth > MAX_INDENT_DEPTH) throw new Error(`nested ${depth} indentation levels deep (the parser handles at most ${MAX_INDENT_DEPTH}; Python itself at most 100)`);
  };
  if (file.endsWith('.ipynb')) {
    const cells = notebookCodeCells(text);
    for (const c of cells) guard(c.source);
    return analyzeCells(py, cells.map((c) => c.source), options).findings.map((f) => ({ ...toWorkspace(f), cell: cells[f.cell ?? 0]!.index }));
  }
  guard(text);
  return analyzeText(py, text, options).findings.map(toWorkspace);
}

/** The code cells of a Jupyter notebook (`.ipynb` JSON) with their cell index. */
export function notebookCodeCells(json: string): { index: number; source: string }[] {
  const nb = JSON.parse(json) as { cells?: { cell_type?: string; source?: string | string[] }[] };
  return (nb.cells ?? []).flatMap((c, index) =>
    c.cell_type === 'code' ? [{ index, source: Array.isArray(c.source) ? c.source.join('') : (c.source ?? '') }] : [],
  );
}

/** `src/**\/*.py`, `*.py`, `agents_app/` or a plain relative path → a predicate on relative paths. */
export function globToMatcher(glob: string): (rel: string) => boolean {
  const g = glob.trim().replace(/^\.\//, '').replace(/\\/g, '/');
  if (!/[*?[]/.test(g)) {
    const prefix = g.replace(/\/$/, '');
    return (rel) => rel === prefix || rel.startsWith(prefix + '/');
  }
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const ch = g[i]!;
    if (ch === '*') {
      if (g[i + 1] === '*') {
        i++;
        if (g[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`);
  return (rel) => rx.test(rel);
}

/**
 * Guard for a workspace with its own top-level `agents` package: the names `Runner` / `Agent` /
 * `SandboxAgent` that its `agents/__init__.py` defines (class, def, assignment or import at top
 * level). Imports of those names from `agents` then refer to local code and are not flagged.
 */
export async function localAgentsPackageNames(root: string, py: PythonParser): Promise<string[]> {
  const init = join(root, 'agents', '__init__.py');
  if (!existsSync(init)) return [];
  const text = await readFile(init, 'utf8').catch(() => '');
  let tree;
  try {
    tree = py.parser.parse(text);
  } catch (err) {
    if (isWasmTrap(err)) renewParser(py);
    return [];
  }
  if (!tree) return [];
  try {
    const wanted = new Set(['Runner', 'Agent', 'SandboxAgent']);
    const found = new Set<string>();
    for (const st of tree.rootNode.namedChildren) {
      if (!st) continue;
      let names: string[] = [];
      if (st.type === 'class_definition' || st.type === 'function_definition') names = [st.childForFieldName('name')?.text ?? ''];
      else if (st.type === 'decorated_definition') names = [st.childForFieldName('definition')?.childForFieldName('name')?.text ?? ''];
      else if (st.type === 'expression_statement' && st.firstNamedChild?.type === 'assignment') names = [st.firstNamedChild.childForFieldName('left')?.text ?? ''];
      else if (st.type === 'import_from_statement') {
        names = st.childrenForFieldName('name').map((n) => (n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text) ?? '');
      }
      for (const n of names) if (wanted.has(n)) found.add(n);
    }
    return [...found];
  } finally {
    tree.delete();
  }
}
