import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPythonParser, type PythonParser } from '../../../src/core/analyzer/parser';
import { analyzeText } from '../../../src/core/analyzer/document';
import type { AnalysisResult, AnalyzeOptions } from '../../../src/core/analyzer/analyze';
import { RULE_IDS } from '../../../src/core/analyzer/rules';

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

/** `python3 -m py_compile` on the text; undefined when python3 is missing. */
export function pyCompiles(text: string): boolean | undefined {
  if (!pythonOk) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'eng-'));
  try {
    const file = join(dir, 'case.py');
    writeFileSync(file, text);
    return spawnSync('python3', ['-m', 'py_compile', file]).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
