/**
 * What the extension's bundles are made of: each is built in memory as `node esbuild.mjs
 * --production` builds it (minified, `vscode` external) with esbuild's metafile, and reported with
 * its size and its largest parts (npm packages, or the project's own folders). Writes nothing;
 * quick (no VS Code). The packaged sizes and the VSIX are in bench/activation.ts.
 */
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchReport, BenchRow } from './index';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The extension's bundles, read from esbuild.mjs (its `extensionBundles` table), so that the two never disagree. */
function extensionBundles(): Record<string, string> {
  const script = readFileSync(join(root, 'esbuild.mjs'), 'utf8');
  const table = /const extensionBundles = \{([\s\S]*?)\n\};/.exec(script);
  if (!table) throw new Error('esbuild.mjs has no extensionBundles table');
  const out: Record<string, string> = {};
  for (const m of table[1]!.matchAll(/^\s*(\w+):\s*'([^']+)'/gm)) out[m[1]!] = m[2]!;
  return out;
}

/** Bytes per part of one bundle: an npm package, or the project folder two levels below src/. */
export async function bundleParts(entry: string): Promise<{ bytes: number; parts: [string, number][] }> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    write: false,
    metafile: true,
    outfile: 'bundle.js',
    external: ['vscode'],
    define: { 'import.meta.url': 'importMetaUrl' },
    logLevel: 'error',
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined) ?? Object.values(result.metafile.outputs)[0]!;
  const parts = new Map<string, number>();
  for (const [file, info] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = pkg ? pkg[1]! : file.split('/').slice(0, 3).join('/');
    parts.set(key, (parts.get(key) ?? 0) + info.bytesInOutput);
  }
  return { bytes: output.bytes, parts: [...parts.entries()].sort((a, b) => b[1] - a[1]) };
}

export async function run(): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  for (const [name, entry] of Object.entries(extensionBundles())) {
    const { bytes, parts } = await bundleParts(entry);
    rows.push({ metric: `dist/${name}.js (minified, in memory)`, value: bytes / 1024, unit: 'KB' });
    notes.push(`${name}: ${parts.slice(0, 6).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KB`).join(', ')}`);
  }
  return { name: 'bundles', rows, notes };
}
