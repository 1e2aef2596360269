import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { analyzeKind } from '../../../src/core/analyzer/checkKind';
import { scanWorkspace, listPythonFiles, globToMatcher, ScanCancelled } from '../../../src/core/analyzer/workspace';
import { CheckRegistry } from '../../../src/core/checks/registry';
import type { CheckContext, CheckServices, OutputChunk } from '../../../src/core/checks/types';
import { tempDir } from '../../support/tempDir';

const project = join(__dirname, '..', '..', 'fixtures', 'agents', 'project');

function ctx(cwd: string, services: CheckServices = {}): CheckContext & { out: OutputChunk[] } {
  const out: OutputChunk[] = [];
  return {
    out,
    inputs: {},
    secrets: [],
    mask: (t) => t,
    signal: new AbortController().signal,
    timeoutMs: 60_000,
    cwd,
    trusted: true,
    ui: { confirm: async () => undefined, typedConfirmation: async () => false },
    log: { trace() {}, info() {}, warn() {}, error() {} },
    emit: (c) => out.push(c),
    now: () => Date.now(),
    services,
  };
}

function validate(attrs: Record<string, string>) {
  const r = new CheckRegistry().register(analyzeKind).validate(analyzeKind, attrs);
  if (!r.ok) throw new Error(r.error);
  return r.value.specific;
}

test('attributes: rules list (ids or names), unknown rule rejected', () => {
  assert.deepEqual(validate({ id: 'code.instructions', rules: 'ENG002' }).rules, ['ENG002']);
  assert.deepEqual(validate({ rules: 'missing-run-hooks,ENG002' }).rules, ['ENG001', 'ENG002']);
  assert.deepEqual(validate({}).rules, ['ENG001', 'ENG002', 'ENG004', 'ENG005', 'ENG006', 'ENG007']);
  const bad = new CheckRegistry().register(analyzeKind).validate(analyzeKind, { rules: 'ENG042' });
  assert.equal(bad.ok, false);
});

test('fails with locations and a markdown list while findings remain', async () => {
  const r = await analyzeKind.run({ id: 'code.hooks', kind: 'analyze', attributes: validate({ rules: 'ENG001' }), body: '' }, ctx(project));
  assert.equal(r.verdict, 'fail');
  assert.match(r.reason, /3 findings remain \(3× ENG001\)/);
  assert.deepEqual(r.locations?.map((l) => `${l.file}:${l.line}:${l.column}`), ['app.py:17:20', 'notebook.ipynb#cell3:1:10', 'pkg/triage.py:7:12']);
  assert.match(r.details ?? '', /^- `app\.py:17:20` \*\*ENG001\*\*/);
});

test('paths limit the scan; passes when none remain', async () => {
  const only = await analyzeKind.run({ id: 'x', kind: 'analyze', attributes: validate({ rules: 'ENG002', paths: 'pkg/**/*.py' }), body: '' }, ctx(project));
  assert.equal(only.verdict, 'pass', only.reason);
  const clean = await analyzeKind.run({ id: 'x', kind: 'analyze', attributes: validate({ rules: 'ENG001,ENG002' }), body: '' }, ctx(join(project, '..', 'clean')));
  assert.equal(clean.verdict, 'pass');
});

test('uses ctx.services.analyzeWorkspace when provided', async () => {
  let asked: readonly string[] = [];
  const services: CheckServices = {
    analyzeWorkspace: async (rules) => {
      asked = rules;
      return [{ file: join('/w', 'a.py'), line: 3, column: 5, rule: 'ENG002', message: 'static' }];
    },
  };
  const r = await analyzeKind.run({ id: 'x', kind: 'analyze', attributes: validate({ rules: 'ENG002' }), body: '' }, ctx('/w', services));
  assert.deepEqual(asked, ['ENG002']);
  assert.equal(r.verdict, 'fail');
  assert.deepEqual(r.locations, [{ file: 'a.py', line: 3, column: 5, message: 'ENG002 static' }]);
});

test('workspace scan: skips venvs and node_modules, reports progress, cancels', async () => {
  const files = await listPythonFiles(project);
  assert.deepEqual(files, ['app.py', 'notagents.py', 'notebook.ipynb', 'pkg/triage.py']);
  const progress: number[] = [];
  const r = await scanWorkspace(project, { onProgress: (done) => progress.push(done) });
  assert.equal(r.filesFound, 4);
  assert.equal(r.filesAnalyzed, 3, 'notagents.py skipped by the pre-gate');
  assert.deepEqual(progress, [1, 2, 3, 4]);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(scanWorkspace(project, { signal: ac.signal }), ScanCancelled);
});

test('workspace scan: unreadable notebook reported as an error, not a crash', async () => {
  const dir = tempDir('scan');
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'bad.ipynb'), '{ not json agents');
    writeFileSync(join(dir, 'ok.py'), 'from agents import Runner\nRunner.run_sync(a, x)\n');
    const r = await scanWorkspace(dir);
    assert.equal(r.findings.length, 1);
    assert.equal(r.errors.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('globs', () => {
  assert.equal(globToMatcher('src/**/*.py')('src/a/b/c.py'), true);
  assert.equal(globToMatcher('src/**/*.py')('src/c.py'), true);
  assert.equal(globToMatcher('*.py')('a/b.py'), false);
  assert.equal(globToMatcher('agents_app')('agents_app/agent.py'), true);
});

test('a workspace with its own agents package defining Runner: its Runner is not flagged', async () => {
  const dir = tempDir('scan');
  try {
    mkdirSync(join(dir, 'agents'));
    writeFileSync(join(dir, 'agents', '__init__.py'), 'class Runner:\n    @staticmethod\n    def run_sync(job, x):\n        return job\n');
    writeFileSync(join(dir, 'jobs.py'), 'from agents import Runner, Agent\nRunner.run_sync(a, x)\nb = Agent(name="b", instructions="static")\n');
    const r = await scanWorkspace(dir);
    assert.deepEqual(r.findings.map((f) => f.rule), ['ENG002'], 'Agent is not defined locally: still flagged');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ENG006 through the check: engramiaVersion attribute, or the interpreter service when trusted', async () => {
  const dir = tempDir('scan');
  try {
    writeFileSync(join(dir, 'imp.py'), 'from engramia import Memory\nmemory = Memory(embeddings=e, storage=s)\nmemory.learn(task="t", code="c", eval_score=5.0, on_duplicate="skip")\n');
    const withAttr = await analyzeKind.run({ id: 'x', kind: 'analyze', attributes: validate({ rules: 'ENG006', engramiaVersion: '0.6.6' }), body: '' }, ctx(dir));
    assert.equal(withAttr.verdict, 'fail');
    assert.equal(withAttr.locations?.[0]?.line, 3);
    const unknown = await analyzeKind.run({ id: 'x', kind: 'analyze', attributes: validate({ rules: 'ENG006' }), body: '' }, ctx(dir));
    assert.equal(unknown.verdict, 'pass', 'silent while the version is unknown');
    // the selected interpreter: a venv (outside the workspace) with engramia 0.6.6 installed, read from its metadata
    const env = tempDir('venv');
    mkdirSync(join(env, 'bin'));
    mkdirSync(join(env, 'lib', 'python3.12', 'site-packages', 'engramia-0.6.6.dist-info'), { recursive: true });
    writeFileSync(join(env, 'pyvenv.cfg'), 'home = /nonexistent\n');
    writeFileSync(join(env, 'bin', 'python'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    writeFileSync(join(env, 'lib', 'python3.12', 'site-packages', 'engramia-0.6.6.dist-info', 'METADATA'), 'Name: engramia\nVersion: 0.6.6\n');
    const detected = await analyzeKind.run({ id: 'x', kind: 'analyze', attributes: validate({ rules: 'ENG006' }), body: '' }, ctx(dir, { pythonInterpreter: async () => ({ path: join(env, 'bin', 'python'), source: 'test' }) }));
    rmSync(env, { recursive: true, force: true });
    assert.equal(detected.verdict, 'fail');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function workspace(files: Record<string, string>): string {
  const dir = tempDir('code');
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

const HOOKS_CHECK = { id: 'code.hooks', rules: 'ENG001,ENG007,ENG008' };

test('code.hooks: passes only when every run passes a RunHooks class that wires Engramia (resolved across modules)', async () => {
  const ok = workspace({
    'app/hooks.py': 'from agents import RunHooks\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n\n\nclass EngramiaAgentsHooks(EngramiaRunHooks, RunHooks):\n    pass\n',
    'app/main.py': 'from agents import Agent, Runner\nfrom app.hooks import EngramiaAgentsHooks\nfrom engramia import Memory\nmemory = Memory(embeddings=None, storage=s)\nRunner.run_sync(a, x, hooks=EngramiaAgentsHooks(memory))\n',
    'app/rel.py': 'from agents import Runner\nfrom .hooks import EngramiaAgentsHooks\nRunner.run_sync(a, x, hooks=EngramiaAgentsHooks(m))\n',
  });
  const plain = workspace({ 'main.py': 'from agents import Runner\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\nhooks = EngramiaRunHooks(memory)\nRunner.run_sync(a, x, hooks=hooks)\n' });
  const unknown = workspace({ 'main.py': 'from agents import Runner\nfrom myhooks import make\nRunner.run_sync(a, x, hooks=make())\n' });
  const present = workspace({ 'main.py': 'from agents import Runner, RunHooks\nclass Log(RunHooks):\n    pass\nRunner.run_sync(a, x, hooks=Log())\n' });
  try {
    const run = (dir: string) => analyzeKind.run({ id: 'code.hooks', kind: 'analyze', attributes: validate(HOOKS_CHECK), body: '' }, ctx(dir));
    const r1 = await run(ok);
    assert.equal(r1.verdict, 'pass', r1.reason);
    const r2 = await run(plain);
    assert.equal(r2.verdict, 'fail');
    assert.match(r2.reason, /Run hooks must be instances of RunHooks\. Received EngramiaRunHooks\./);
    assert.match(r2.reason, /EngramiaAgentsHooks/, 'names the fix');
    const r3 = await run(unknown);
    assert.equal(r3.verdict, 'warn', r3.reason);
    assert.match(r3.reason, /cannot be shown to wire Engramia/);
    const r4 = await run(present);
    assert.equal(r4.verdict, 'warn', 'a RunHooks without Engramia is not a pass');
  } finally {
    for (const d of [ok, plain, unknown, present]) rmSync(d, { recursive: true, force: true });
  }
});

test('code.instructions checks ENG002 and ENG004: the guide code (engramia_instructions, no context=) fails', async () => {
  const dir = workspace({ 'main.py': 'from agents import Agent, Runner\nfrom engramia.sdk.openai_agents import engramia_instructions\nagent = Agent(name="a", instructions=engramia_instructions(memory, base="b"))\nRunner.run_sync(agent, "Build a CSV parser", hooks=h)\n' });
  try {
    const r = await analyzeKind.run({ id: 'code.instructions', kind: 'analyze', attributes: validate({ rules: 'ENG002,ENG004' }), body: '' }, ctx(dir));
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /ENG004/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a workspace with no agent code warns instead of passing', async () => {
  const empty = workspace({ 'tool.py': 'print("hello")\n' });
  try {
    const r = await analyzeKind.run({ id: 'code.hooks', kind: 'analyze', attributes: validate(HOOKS_CHECK), body: '' }, ctx(empty));
    assert.equal(r.verdict, 'warn');
    assert.match(r.reason, /no agent code to check: none of the 1 Python file uses the Agents SDK or Engramia/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
