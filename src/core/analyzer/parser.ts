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
  readonly parser: Parser;
  readonly language: Language;
  readonly query: Query;
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
