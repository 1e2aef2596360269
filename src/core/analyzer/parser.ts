/**
 * Loads web-tree-sitter and the Python grammar once, path-free: both `.wasm` files are read as
 * bytes (from `wasmDir`, from the bundle's own folder `dist/`, or from `node_modules`) and handed
 * to the runtime, so the loader works from source, from the esbuild bundle and in any cwd.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, Language, Query } from 'web-tree-sitter';

export const RUNTIME_WASM = 'web-tree-sitter.wasm';
export const PYTHON_WASM = 'tree-sitter-python.wasm';

export interface LoadOptions {
  /** Folder holding both wasm files (e.g. the extension's `dist/`). */
  readonly wasmDir?: string;
  /** The bytes themselves (e.g. read with `vscode.workspace.fs`); win over `wasmDir`. */
  readonly runtimeWasm?: Uint8Array;
  readonly pythonWasm?: Uint8Array;
}

/** One loaded grammar: a parser, the language and the analyzer's compiled query. */
export interface PythonParser {
  /** Replaced in place by `renewParser` after a WebAssembly trap. */
  readonly parser: Parser;
  readonly language: Language;
  readonly query: Query;
}

/**
 * Nesting guard: tree-sitter-python's indent stack overflows its WebAssembly memory somewhere past
 * ~500 nested blocks ("memory access out of bounds"), and the runtime is not reliable after that
 * trap. Python itself refuses more than 100 indentation levels, so a file deeper than this is not
 * analysed (and never parsed).
 */
export const MAX_INDENT_DEPTH = 200;

/** The deepest indentation stack of a Python text (blank and comment lines ignored); linear. */
export function indentDepth(text: string): number {
  const stack: number[] = [0];
  let max = 0;
  let i = 0;
  while (i < text.length) {
    let width = 0;
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) {
      width += text[i] === '\t' ? 8 - (width % 8) : 1;
      i++;
    }
    const ch = text[i];
    if (ch !== undefined && ch !== '\n' && ch !== '\r' && ch !== '#') {
      while (width < stack[stack.length - 1]!) stack.pop();
      if (width > stack[stack.length - 1]!) stack.push(width);
      if (stack.length - 1 > max) max = stack.length - 1;
    }
    const nl = text.indexOf('\n', i);
    i = nl < 0 ? text.length : nl + 1;
  }
  return max;
}

/** True for a WebAssembly trap (e.g. "memory access out of bounds" on 550 nested `if`s). */
export function isWasmTrap(err: unknown): boolean {
  if (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError) return true;
  const message = err instanceof Error ? err.message : String(err);
  return /memory access out of bounds|unreachable|call stack exhausted|table index is out of bounds|RuntimeError/i.test(message);
}

/**
 * After a trap the parser's state is not to be trusted: a fresh parser and query replace the old
 * ones in place (every holder of `py` sees them). The old ones are freed if that still works.
 */
export function renewParser(py: PythonParser): void {
  const old = { parser: py.parser, query: py.query };
  const parser = new Parser();
  parser.setLanguage(py.language);
  const target = py as { parser: Parser; query: Query };
  target.parser = parser;
  target.query = new Query(py.language, ANALYZER_QUERY);
  try {
    old.parser.delete();
    old.query.delete();
  } catch {
    /* the trapped instance may not free cleanly */
  }
}

/** The single query the analyzer runs; capture names are read by analyze.ts. */
export const ANALYZER_QUERY = `
[(import_statement) (import_from_statement) (future_import_statement) (call)] @node
`;

let loading: Promise<PythonParser> | undefined;

/** The shared parser, loaded on first use; later calls return the same instance. */
export function loadPythonParser(options: LoadOptions = {}): Promise<PythonParser> {
  loading ??= load(options).catch((err) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

async function load(options: LoadOptions): Promise<PythonParser> {
  const runtime = options.runtimeWasm ?? readFileSync(locate(RUNTIME_WASM, 'web-tree-sitter', options.wasmDir));
  const grammar = options.pythonWasm ?? readFileSync(locate(PYTHON_WASM, 'tree-sitter-python', options.wasmDir));
  // `wasmBinary` must be an ArrayBuffer (not a Buffer view on a shared pool).
  const wasmBinary = runtime.buffer.slice(runtime.byteOffset, runtime.byteOffset + runtime.byteLength) as ArrayBuffer;
  await Parser.init({ wasmBinary });
  const language = await Language.load(new Uint8Array(grammar));
  const parser = new Parser();
  parser.setLanguage(language);
  const query = new Query(language, ANALYZER_QUERY);
  return { parser, language, query };
}

/** Finds a wasm file: the given folder, the bundle's folder, then node_modules. */
export function locate(file: string, pkg: string, wasmDir?: string): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [
    ...(wasmDir ? [join(wasmDir, file)] : []),
    join(here, file),
    join(here, '..', file),
    join(here, '..', '..', '..', 'node_modules', pkg, file),
    join(process.cwd(), 'node_modules', pkg, file),
  ];
  try {
    candidates.push(require.resolve(`${pkg}/${file}`));
  } catch {
    /* not resolvable from a bundle: the candidates above cover it */
  }
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`${file} not found (looked in ${candidates.join(', ')})`);
  return found;
}
