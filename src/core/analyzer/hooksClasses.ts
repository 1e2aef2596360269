/**
 * The workspace's own run-hooks classes (`class H(EngramiaRunHooks, RunHooks)`, or a RunHooks that
 * forwards to EngramiaRunHooks): found statically — files are read and parsed, never run — so the
 * analyzer can accept `hooks=H(memory)` where H is imported from another module, and the ENG001
 * fix can import the project's class instead of defining one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HooksClassInfo } from './analyze';
import { analyzeText } from './document';
import { indentDepth, isWasmTrap, MAX_INDENT_DEPTH, renewParser, type PythonParser } from './parser';
import { listPythonFiles, ScanCancelled } from './workspace';

/** `pkg/hooks.py` → `pkg.hooks`; `pkg/__init__.py` → `pkg`; a leading `src/` is dropped (src layout). */
export function moduleNameOf(relativePath: string): string {
  let m = relativePath.replace(/\\/g, '/').replace(/\.py$/, '').split('/').filter(Boolean);
  if (m[m.length - 1] === '__init__') m = m.slice(0, -1);
  if (m[0] === 'src' && m.length > 1) m = m.slice(1);
  return m.join('.');
}

/** Hooks classes defined at module level in the workspace's Python files (notebooks are not modules). */
export async function workspaceHooksClasses(root: string, py: PythonParser, options: { signal?: AbortSignal; exclude?: readonly string[] } = {}): Promise<HooksClassInfo[]> {
  const files = (await listPythonFiles(root, options)).filter((f) => f.endsWith('.py'));
  const texts: { module: string; text: string }[] = [];
  for (const file of files) {
    if (options.signal?.aborted) throw new ScanCancelled();
    const text = await readFile(join(root, file), 'utf8').catch(() => '');
    // a class that can be run hooks names RunHooks or EngramiaRunHooks (or a class that does: second pass)
    if (text.includes('RunHooks') || text.includes('class ')) texts.push({ module: moduleNameOf(file), text });
  }
  let known: HooksClassInfo[] = [];
  // two passes: a class may derive from a hooks class of another module
  for (let pass = 0; pass < 2; pass++) {
    const found: HooksClassInfo[] = [];
    for (const { module, text } of texts) {
      if (!text.includes('RunHooks') && !known.some((k) => text.includes(k.name))) continue;
      // nesting the parser cannot take is skipped before it can trap the (shared) parser
      if (indentDepth(text) > MAX_INDENT_DEPTH) continue;
      try {
        found.push(...analyzeText(py, text, { rules: [], moduleName: module, workspaceHooksClasses: known }).hooksClasses);
      } catch (err) {
        // a file the parser cannot take is not an index entry; after a trap the parser is renewed
        if (isWasmTrap(err)) {
          try {
            renewParser(py);
          } catch {
            /* the caller's next use reports its own error */
          }
        }
      }
    }
    known = found;
  }
  return known;
}
