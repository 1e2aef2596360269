/**
 * End to end: the real CLI's `main()` (`runbook analyze …`, in process over a collecting CliIo; test/support/cli.ts) on the
 * fixtures. `--help` is also run as a process, the analyze command's one spawned smoke test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, spawnCli } from '../../support/cli';
import { withTempDir } from '../../support/tempDir';

const run = (...args: string[]) => runCli(['analyze', ...args], { env: { RUNBOOK_PYTHON: 'python3' } });

test('findings in a project: file:line:column RULE message, exit 1; venv and node_modules skipped', async () => {
  const r = await run('test/fixtures/agents/project', '--engramia-version', '0.7.0');
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')), [
    'test/fixtures/agents/project/app.py:12:18 ENG002',
    'test/fixtures/agents/project/app.py:17:20 ENG001',
    'test/fixtures/agents/project/notebook.ipynb#cell2:2:39 ENG002',
    'test/fixtures/agents/project/notebook.ipynb#cell3:1:10 ENG001',
    'test/fixtures/agents/project/pkg/triage.py:7:12 ENG001',
  ]);
  assert.ok(!r.stdout.includes('.venv') && !r.stdout.includes('node_modules'));
});

test('--json prints an array; --rules filters', async () => {
  const r = await run('test/fixtures/agents/project/app.py', '--json', '--rules', 'ENG002', '--engramia-version', '0.7.0');
  assert.equal(r.code, 1);
  const items = JSON.parse(r.stdout) as { file: string; line: number; column: number; rule: string; message: string; fixable: boolean }[];
  assert.equal(items.length, 1);
  assert.deepEqual({ file: items[0]!.file, line: items[0]!.line, column: items[0]!.column, rule: items[0]!.rule, fixable: items[0]!.fixable }, { file: 'test/fixtures/agents/project/app.py', line: 12, column: 18, rule: 'ENG002', fixable: true });
});

test('a clean project exits 0', async () => {
  const r = await run('test/fixtures/agents/clean', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test('bad usage exits 2', async () => {
  assert.equal((await run()).code, 2);
  assert.equal((await run('x.py', '--rules', 'ENG999')).code, 2);
  assert.equal((await run('x.py', '--bogus')).code, 2);
  assert.equal((await run('does/not/exist.py')).code, 2);
  assert.equal((await run('x.py', '--engramia-version')).code, 2);
});

test('runbook analyze --help prints the usage', async () => {
  const p = await spawnCli(['analyze', '--help']);
  assert.equal(p.code, 0);
  assert.match(p.stdout, /runbook analyze PATH/);
});

test('ENG008 on a folder resolves run hooks imported from another module of that folder (read, never run)', async () => {
  await withTempDir(async (dir) => {
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', '__init__.py'), '');
    writeFileSync(join(dir, 'app', 'hooks.py'), 'from agents import RunHooks\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n\n\nclass ProjectHooks(EngramiaRunHooks, RunHooks):\n    pass\n');
    writeFileSync(join(dir, 'app', 'main.py'), 'from agents import Runner\nfrom app.hooks import ProjectHooks\nRunner.run_sync(a, x, hooks=ProjectHooks(memory))\nRunner.run_sync(a, x, hooks=Unknown(memory))\n');
    const r = await run(dir, '--json', '--rules', 'ENG008', '--engramia-version', '0.7.0');
    const items = JSON.parse(r.stdout) as { file: string; line: number; rule: string }[];
    // the project's class is resolved; the unknown one is still reported
    assert.deepEqual(items.map((i) => `${i.file.split('/').slice(-2).join('/')}:${i.line} ${i.rule}`), ['app/main.py:4 ENG008']);
  });
});
