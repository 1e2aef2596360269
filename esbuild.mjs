// One build script for every bundle:
//   dist/extension.js  the VS Code extension's entry: registrations only (node, cjs, `vscode` external);
//                      it require()s the bundles below on first use (cjs has no code splitting):
//   dist/serializer.js   markdown ↔ notebook cells
//   dist/runbooks.js     check engine, controller, views, operations, runbook commands
//   dist/analysis.js     the Python agent-code analysis
//   dist/scanWorker.js   its worker thread for parallel scans
//   dist/cli.js        the headless `runbook` CLI (node, cjs) ┐ for npm, not the VSIX: their npm
//   dist/core.js       the VS Code-free core as a library    ┘ dependencies stay in node_modules
//   dist/media/*.js    browser bundles for notebook renderers (ESM)
//   out/integration/   integration test suites run inside a real VS Code (with --tests)
// and copies the tree-sitter wasm files next to the bundles.
//
//   node esbuild.mjs [--production] [--watch] [--tests]
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const withTests = args.has('--tests');
// Where the integration suites are bundled (separate folders let several runs go on at once).
const testsOut = process.env.RUNBOOK_IT_OUT ?? 'out/integration';

/** Prints errors in the format VS Code's esbuild problem matcher understands. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => { if (watch) console.log('[watch] build started'); });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  plugins: [problemMatcher],
  // web-tree-sitter's ESM build finds itself through import.meta.url; give CJS bundles one.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

// The extension's bundles carry their dependencies (the VSIX ships no node_modules). Each is
// built on its own, so code they have in common is in each; extension.js stays small.
const extensionBundles = {
  extension: 'src/vscode/extension.ts',
  serializer: 'src/vscode/notebook/serializer.ts',
  runbooks: 'src/vscode/runbooks.ts',
  analysis: 'src/vscode/agentCode/start.ts',
  // the analyzer's worker thread (parallel workspace scans; the CLI uses it too)
  scanWorker: 'src/core/analyzer/scanWorker.ts',
};
const configs = [
  ...Object.entries(extensionBundles).map(([name, entry]) => ({ ...node, entryPoints: { [name]: entry }, outdir: 'dist', external: ['vscode'] })),
  // npm installs the CLI's and the library's dependencies: they are not bundled again.
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', packages: 'external', banner: { js: '#!/usr/bin/env node\n' + node.banner.js } },
  { ...node, entryPoints: { core: 'src/core/index.ts' }, outdir: 'dist', packages: 'external' },
];

const rendererDir = join(root, 'media', 'src');
if (existsSync(rendererDir)) {
  const entries = readdirSync(rendererDir).filter((f) => f.endsWith('.ts')).map((f) => join('media', 'src', f));
  if (entries.length) {
    configs.push({
      bundle: true, platform: 'browser', format: 'esm', target: 'es2022', minify: production,
      sourcemap: production ? false : 'inline', logLevel: 'warning', plugins: [problemMatcher],
      entryPoints: entries, outdir: 'dist/media', loader: { '.css': 'text' },
    });
  }
}

if (withTests) {
  const suites = walk(join(root, 'test', 'integration')).filter((f) => f.endsWith('.ts'));
  configs.push({
    ...node, entryPoints: suites.map((f) => relative(root, f)), outbase: 'test/integration', outdir: testsOut,
    external: ['vscode', 'mocha'], sourcemap: 'inline',
  });
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function copyAssets() {
  mkdirSync(join(root, 'dist'), { recursive: true });
  const assets = [
    ['node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/web-tree-sitter.wasm'],
    ['node_modules/tree-sitter-python/tree-sitter-python.wasm', 'dist/tree-sitter-python.wasm'],
  ];
  for (const [from, to] of assets) if (existsSync(join(root, from))) copyFileSync(join(root, from), join(root, to));
}

if (!watch) rmSync(join(root, 'dist'), { recursive: true, force: true });
if (withTests) rmSync(join(root, testsOut), { recursive: true, force: true });
copyAssets();
if (watch) {
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
}
