/**
 * Scans a folder's Python files (and Jupyter notebooks) with the analyzer. Skips virtual
 * environments, node_modules, .git, site-packages and caches; files that never mention `agents`
 * or `engramia` are skipped without parsing. Cancellable through an AbortSignal.
 */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync, readFile as readFileCallback } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { AnalyzeOptions, Finding } from './analyze';
import { analyzeCells, analyzeText, mayContainAgentCode } from './document';
import { indentDepth, isWasmTrap, loadPythonParser, MAX_INDENT_DEPTH, renewParser, type LoadOptions, type PythonParser } from './parser';
import type { RuleId, Severity } from './rules';
import { AnalysisPool, locateWorker, type JobResult, type WorkerJob } from './pool';
import { AnalysisCache } from './cache';

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
  /** Worker threads for large scans (0 or 1: this thread only). The results are the same either way. */
  readonly workers?: number;
  /** The worker script (default: `scanWorker.js`/`.ts` beside this module). */
  readonly workerPath?: string;
  /** Folder of the content-hash cache: unchanged files are not analysed again (no cache when unset). */
  readonly cacheDir?: string;
  /** Mixed into the cache key (e.g. the extension's version, so new rules never read old results). */
  readonly cacheSalt?: string;
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
  /** Worker threads that analysed (0: this thread). */
  readonly workers?: number;
  /** Files answered from the content-hash cache. */
  readonly cached?: number;
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
  const py = options.parser ?? (await loadPythonParser(options));
  const files = await listPythonFiles(root, options);
  const shadowed = options.shadowedAgentsNames ?? (await localAgentsPackageNames(root, py));
  if (shadowed.length) options = { ...options, shadowedAgentsNames: shadowed };
  const analyzeOptions = analysisOptionsOf(options);
  const cache = options.cacheDir ? await AnalysisCache.open(options.cacheDir, JSON.stringify([options.cacheSalt ?? '', analyzeOptions])) : undefined;

  // 1. read every file (a few at a time); 2. answer from the cache or queue for analysis. A large
  // scan starts its worker threads as soon as enough files need analysis: they load their parser
  // and analyse the first files while the rest is still being read.
  type Slot = { file: string; result?: JobResult; job?: number; hash?: string };
  const slots: Slot[] = files.map((file) => ({ file }));
  const jobs: WorkerJob[] = [];
  const jobSlots: Slot[] = [];
  const workerPath = (options.workers ?? 0) > 1 ? locateWorker(options.workerPath) : undefined;
  let pool: AnalysisPool | undefined;
  let poolFailed = false;
  let settled = 0; // files answered without analysis (unreadable, no agent code, from the cache)
  const startPool = (): AnalysisPool | undefined => {
    try {
      return new AnalysisPool(analyzeOptions, {
        workers: options.workers!, workerPath: workerPath!, load: options, ...(options.signal ? { signal: options.signal } : {}),
        onDone: (done) => options.onProgress?.(Math.min(files.length, settled + done), files.length, jobs[Math.max(0, done - 1)]?.file ?? ''),
      });
    } catch {
      poolFailed = true; // workers unavailable here: analyse in this thread
      return undefined;
    }
  };
  for (let i = 0; i < files.length; i += READ_AT_ONCE) {
    if (options.signal?.aborted) throw new ScanCancelled();
    const part = slots.slice(i, i + READ_AT_ONCE);
    const texts = await Promise.all(part.map((s) => readText(join(root, s.file))));
    const added = jobs.length;
    part.forEach((slot, k) => {
      const text = texts[k]!;
      if (text instanceof Error) slot.result = { error: `not analysed: ${text.message}` };
      else if (mayContainAgentCode(text)) {
        const hash = cache ? AnalysisCache.hash(text) : undefined;
        const hit = hash ? cache!.get(slot.file, hash, join(root, slot.file)) : undefined;
        if (hit) slot.result = { findings: hit };
        else {
          slot.hash = hash;
          slot.job = jobs.length;
          jobs.push({ file: slot.file, absolutePath: join(root, slot.file), text });
          jobSlots.push(slot);
        }
      }
      if (slot.job === undefined) settled++;
    });
    if (workerPath && !pool && !poolFailed && jobs.length >= MIN_JOBS_FOR_WORKERS) {
      pool = startPool();
      pool?.add(jobs);
    } else pool?.add(jobs.slice(added));
  }

  // 3. analyse: on worker threads for a large scan, else here (same function, same results)
  let results: JobResult[] | undefined;
  let usedWorkers = 0;
  if (pool) {
    try {
      results = await pool.close();
      usedWorkers = options.workers!;
    } catch {
      if (options.signal?.aborted) throw new ScanCancelled();
      results = undefined; // workers unavailable here: analyse in this thread
    }
  }
  if (!results) {
    const local: JobResult[] = [];
    for (let i = 0; i < slots.length; i++) {
      if (options.signal?.aborted) throw new ScanCancelled();
      const j = slots[i]!.job;
      if (j !== undefined) local[j] = analyzeFileSafely(py, jobs[j]!.file, jobs[j]!.absolutePath, jobs[j]!.text, analyzeOptions);
      options.onProgress?.(i + 1, files.length, slots[i]!.file);
      if (j !== undefined && j % 25 === 24) await new Promise((r) => setImmediate(r));
    }
    results = local;
  }
  if (options.signal?.aborted) throw new ScanCancelled();
  jobSlots.forEach((slot, k) => {
    slot.result = results![k];
    if (cache && slot.hash && slot.result && 'findings' in slot.result) cache.set(slot.file, slot.hash, slot.result.findings);
  });

  // 4. assemble in file order
  const findings: WorkspaceFinding[] = [];
  const errors: { file: string; error: string }[] = [];
  let analyzed = 0;
  for (const slot of slots) {
    if (!slot.result) continue;
    if ('error' in slot.result) errors.push({ file: slot.file, error: slot.result.error });
    else {
      analyzed++;
      findings.push(...slot.result.findings);
    }
  }
  if (cache) await cache.save(slots.map((s) => s.file));
  return { findings, filesFound: files.length, filesAnalyzed: analyzed, errors, workers: usedWorkers, cached: cache?.hits ?? 0 };
}

const READ_AT_ONCE = 64;

/** A file's text, or the error reading it (fs.readFile with a callback: about half the CPU of fs/promises' readFile, which reads in chunks). */
function readText(path: string): Promise<string | Error> {
  return new Promise((resolve) => {
    readFileCallback(path, 'utf8', (err, text) => resolve(err ? err : text));
  });
}
/** Below this many files to analyse, starting workers costs more than it saves. */
const MIN_JOBS_FOR_WORKERS = 48;
const SCAN_ONLY_KEYS = new Set(['signal', 'onProgress', 'paths', 'exclude', 'parser', 'runtimeWasm', 'pythonWasm', 'wasmDir', 'workers', 'workerPath', 'cacheDir', 'cacheSalt']);

/** The analysis options alone (plain data, sent to workers and part of the cache key). */
function analysisOptionsOf(options: ScanOptions): AnalyzeOptions {
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => !SCAN_ONLY_KEYS.has(k) && v !== undefined && typeof v !== 'function').sort(([a], [b]) => (a < b ? -1 : 1))) as AnalyzeOptions;
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
    return analyzeCells(py, cells.map((c) => c.source), options, false).findings.map((f) => ({ ...toWorkspace(f), cell: cells[f.cell ?? 0]!.index }));
  }
  guard(text);
  return analyzeText(py, text, options, false).findings.map(toWorkspace);
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
