/**
 * A file the parser would trap on (550 nested `if`s: "memory access out of bounds" inside
 * tree-sitter's WebAssembly) is reported as not analysed — never as "no findings" — and the rest of
 * the scan goes on; a trap that still happens renews the parser. A folder without Python says so.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanWorkspace } from '../../../src/core/analyzer/workspace';
import { indentDepth, isWasmTrap, loadPythonParser, renewParser } from '../../../src/core/analyzer/parser';
import { analyzeKind } from '../../../src/core/analyzer/checkKind';
import { CheckRegistry } from '../../../src/core/checks/registry';
import type { CheckContext } from '../../../src/core/checks/types';
import { runCli } from '../../support/cli';
import { tempDir } from '../../support/tempDir';

const base = tempDir('scan-robust');
after(() => rmSync(base, { recursive: true, force: true }));

const agentFile = (name: string) => `from agents import Agent, Runner\n\n${name} = Agent(name="${name}", instructions="static")\nRunner.run_sync(${name}, "q")\n`;

/** `depth` nested `if`s around a Runner call. */
export function nestedIfs(depth: number): string {
  let s = 'from agents import Runner\n';
  for (let i = 0; i < depth; i++) s += `${' '.repeat(i)}if x${i}:\n`;
  return `${s}${' '.repeat(depth)}Runner.run_sync(a, "q")\n`;
}

function project(name: string, files: Record<string, string>): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) writeFileSync(join(dir, rel), text);
  return dir;
}

const cli = (...args: string[]) => runCli(['analyze', ...args], { env: { RUNBOOK_PYTHON: join(base, 'no-python') } });

const trapped = project('trap', { 'a.py': agentFile('first'), 'deep.py': nestedIfs(550), 'z.py': agentFile('last') });

test('scan: a file nested too deep for the parser (550 ifs) is an error ("not analysed"), never parsed; the files before and after it still get their findings', async () => {
  const r = await scanWorkspace(trapped, { engramiaVersion: '0.7.0' });
  assert.deepEqual(r.errors.map((e) => e.file), ['deep.py']);
  assert.match(r.errors[0]!.error, /^not analysed: nested 550 indentation levels deep/);
  assert.deepEqual([...new Set(r.findings.map((f) => f.file))], ['a.py', 'z.py']);
  assert.deepEqual(r.findings.filter((f) => f.file === 'z.py').map((f) => f.rule).sort(), ['ENG001', 'ENG002']);
  assert.equal(r.filesAnalyzed, 2);
  // and the same parser keeps working for a second scan
  const again = await scanWorkspace(trapped, { engramiaVersion: '0.7.0' });
  assert.deepEqual(again.findings, r.findings);
});

test('CLI: exit 2, the file named as not analysed on stderr, the other findings on stdout', async () => {
  const r = await cli(trapped);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /deep\.py: not analysed: nested 550 indentation levels deep/);
  assert.match(r.stderr, /1 file not analysed/);
  assert.match(r.stdout, /a\.py:4:1 ENG001/);
  assert.match(r.stdout, /z\.py:4:1 ENG001/);
  const single = await cli(join(trapped, 'deep.py'));
  assert.equal(single.code, 2);
  assert.doesNotMatch(single.stderr, /^no findings$/m);
});

test('indentation depth: linear count of the indent stack; blank and comment lines do not count', () => {
  assert.equal(indentDepth('a\n  b\n    c\n\n# x\n  d\ne\n'), 2);
  assert.equal(indentDepth(nestedIfs(550)), 550);
  assert.equal(indentDepth('\tif x:\n\t\tpass\n'), 2);
  assert.equal(indentDepth(''), 0);
});

test('analyze kind: a scan with a file not analysed is an error, never a pass', async () => {
  const v = new CheckRegistry().register(analyzeKind).validate(analyzeKind, { rules: 'ENG005' });
  assert.ok(v.ok);
  const ctx: CheckContext = {
    inputs: {}, secrets: [], mask: (t) => t, signal: new AbortController().signal, timeoutMs: 60_000, cwd: trapped, trusted: true,
    ui: { confirm: async () => undefined, typedConfirmation: async () => false },
    log: { trace() {}, info() {}, warn() {}, error() {} }, emit: () => undefined, now: () => Date.now(), services: {},
  };
  const r = await analyzeKind.run({ id: 'code.memory', kind: 'analyze', attributes: v.value.specific, body: '' }, ctx);
  assert.equal(r.verdict, 'error');
  assert.match(r.reason, /1 Python file not analysed \(deep\.py: not analysed/);
});

test('CLI: a folder without Python files says "no Python files found" and exits 0', async () => {
  const empty = project('nopython', { 'README.md': '# hi\n', 'main.go': 'package main\n' });
  const r = await cli(empty);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, 'no Python files found\n');
  assert.equal(r.stdout, '');
  const json = await cli(empty, '--json');
  assert.equal(json.code, 0);
  assert.deepEqual(JSON.parse(json.stdout), []);
  // Python files without agent code: analysed and clean, not "no Python files"
  const plain = await cli(project('plain', { 'x.py': 'print(1)\n' }));
  assert.equal(plain.code, 0);
  assert.equal(plain.stderr, 'no findings\n');
});

// last: the trap leaves this process's WebAssembly runtime unreliable for anything after it
test('the parser renewed after a WebAssembly trap parses the next file', async () => {
  const py = await loadPythonParser();
  const before = py.parser;
  assert.throws(() => py.parser.parse(nestedIfs(560)), (err: unknown) => isWasmTrap(err));
  renewParser(py);
  assert.notEqual(py.parser, before);
  const tree = py.parser.parse('from agents import Runner\nRunner.run_sync(a, "q")\n')!;
  assert.equal(tree.rootNode.hasError, false);
  tree.delete();
});
