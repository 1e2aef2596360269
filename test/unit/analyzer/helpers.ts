import { spawnSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadPythonParser, type PythonParser } from '../../../src/core/analyzer/parser';
import { analyzeText } from '../../../src/core/analyzer/document';
import type { AnalysisResult, AnalyzeOptions } from '../../../src/core/analyzer/analyze';
import { RULE_IDS } from '../../../src/core/analyzer/rules';
import { tempDir } from '../../support/tempDir';

let py: PythonParser | undefined;
export async function parser(): Promise<PythonParser> {
  py ??= await loadPythonParser();
  return py;
}

export const ALL_RULES = { rules: RULE_IDS } as const;

export async function analyze(src: string, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  return analyzeText(await parser(), src, options);
}

const pythonOk = spawnSync('python3', ['--version']).status === 0;

// What py_compile does with a file's bytes (source_to_code: compile(bytes, path, 'exec', dont_inherit=True);
// any exception is a failure), for many texts in one interpreter start: base64 of the UTF-8 bytes a
// file would hold in, one 1/0 per text out.
const COMPILE_ALL = [
  'import base64, sys',
  'for line in sys.stdin:',
  '    try:',
  '        compile(base64.b64decode(line), "case.py", "exec", dont_inherit=True)',
  '        print(1)',
  '    except Exception:',
  '        print(0)',
].join('\n');
const compiled = new Map<string, boolean>();

/**
 * Compiles every text not yet known in one `python3 -I -S` start (the case table compiles each
 * case, each suppression, each fix and the fix-all result: hundreds of starts otherwise); later
 * `pyCompiles` calls for these texts take the result from here.
 */
export function pyCompilesAll(texts: readonly string[]): void {
  const todo = [...new Set(texts)].filter((t) => !compiled.has(t));
  if (!pythonOk || !todo.length) return;
  const input = todo.map((t) => Buffer.from(t, 'utf8').toString('base64')).join('\n') + '\n';
  const r = spawnSync('python3', ['-I', '-S', '-c', COMPILE_ALL], { input, encoding: 'utf8', timeout: 60_000 });
  const verdicts = r.status === 0 ? r.stdout.trim().split('\n') : [];
  if (verdicts.length !== todo.length) throw new Error(`python3 compiled ${verdicts.length} of ${todo.length} texts: ${r.stderr}`);
  todo.forEach((t, i) => compiled.set(t, verdicts[i] === '1'));
}

/** `python3 -m py_compile` on the text (remembered per text); undefined when python3 is missing. */
export function pyCompiles(text: string): boolean | undefined {
  if (!pythonOk) return undefined;
  const known = compiled.get(text);
  if (known !== undefined) return known;
  const dir = tempDir('eng');
  try {
    const file = join(dir, 'case.py');
    writeFileSync(file, text);
    // -I -S: isolated, no site import; py_compile needs only the standard library (and starts twice as fast)
    const ok = spawnSync('python3', ['-I', '-S', '-m', 'py_compile', file]).status === 0;
    compiled.set(text, ok);
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The stand-in `agents` / `engramia` packages and the runner of fixed files (test/python). */
export const PYTHON_SITE = join(__dirname, '..', '..', 'python', 'site');
const RUN_FIXED = join(__dirname, '..', '..', 'python', 'run_fixed.py');

export interface FixedRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The runner's last line: model calls, learn calls, the system prompts of the file's agents. */
  readonly report?: { runs: number; learns: number; prompts: string[] };
}

/**
 * RUNS a Python file against the stand-in packages (`python3 test/python/run_fixed.py`), in a
 * fresh temporary folder (its JSONStorage lands there). Undefined when python3 is missing.
 */
export function runFixed(text: string, options: { runs?: number } = {}): FixedRun | undefined {
  if (!pythonOk) return undefined;
  const dir = tempDir('eng-run');
  try {
    const file = join(dir, 'fixed.py');
    writeFileSync(file, text);
    let last: FixedRun | undefined;
    for (let i = 0; i < (options.runs ?? 1); i++) {
      // -S: no site-packages; the stand-ins on PYTHONPATH are the only packages the fixed file sees
      const r = spawnSync('python3', ['-S', RUN_FIXED, file], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PYTHONPATH: PYTHON_SITE, PYTHONDONTWRITEBYTECODE: '1' } });
      const lastLine = r.stdout.trim().split('\n').pop() ?? '';
      let report: FixedRun['report'];
      try {
        report = r.status === 0 ? JSON.parse(lastLine) : undefined;
      } catch {
        report = undefined;
      }
      last = { status: r.status, stdout: r.stdout, stderr: r.stderr, ...(report ? { report } : {}) };
      if (r.status !== 0) break;
    }
    return last;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
