/**
 * Reading a repo never runs the repo. A hostile repository plants every file Python would run on
 * the way to `importlib.metadata.version('engramia')` — `csv.py` (imported by importlib.metadata),
 * `json.py`, `site.py`, `sitecustomize.py`, `usercustomize.py`, `sysconfig.py`, its own
 * `engramia/` and `agents/` packages, a `.pth` file with an `import` line, a `PYTHONSTARTUP` file,
 * a virtual environment whose `bin/python` is a script, a base interpreter named in `pyvenv.cfg`
 * that lives in the repo, and a `python3` on a PATH entry inside the repo. Each writes a marker file
 * (outside the repo) when imported or executed. `runbook analyze` (the real CLI, a real process),
 * `runbook run` over an `analyze` check and the `analyze` kind itself scan it: no marker may
 * appear, and the engramia version is still found from the venv's `site-packages` dist-info.
 * A control case proves that the markers do fire when Python is run the old way.
 */
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { analyzeKind } from '../../src/core/analyzer/checkKind';
import { CheckRegistry } from '../../src/core/checks/registry';
import type { CheckContext, CheckServices } from '../../src/core/checks/types';
import { findInstalledVersion, detectEngramiaVersion } from '../../src/core/analyzer/engramiaVersion';
import { spawnCli } from '../support/cli';
import { tempDir } from '../support/tempDir';


/** The real CLI as a process, started in `cwd` (the hostile repo) with `env` over a copy of ours. */
const runCli = (args: readonly string[], options: { cwd: string; env: Record<string, string | undefined> }) => spawnCli(args, { ...options, timeoutMs: 120_000 });

const pythonOk = spawnSync('python3', ['--version']).status === 0;
let base: string;
let repo: string;
let markers: string;
let outside: string;

/** Python that writes `markers/<name>` when it runs. */
const plant = (name: string) => `import os as _os\nopen(_os.path.join(${JSON.stringify(markers)}, ${JSON.stringify(name)}), "w").write("ran")\n`;
/** A POSIX shell script that writes `markers/<name>`. */
const plantSh = (name: string) => `#!/bin/sh\necho ran > ${JSON.stringify(join(markers, name))}\nexit 0\n`;

function write(rel: string, text: string, mode?: number): void {
  const p = join(repo, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  if (mode) chmodSync(p, mode);
}

const written = () => readdirSync(markers).sort();

before(() => {
  base = tempDir('noexec');
  repo = join(base, 'repo');
  markers = join(base, 'markers');
  outside = join(base, 'outside');
  mkdirSync(repo);
  mkdirSync(markers);
  mkdirSync(outside);
  // agent code: ENG006 fires only when the installed engramia is known to be older than 0.7
  write('app.py', [
    'from engramia import Memory',
    'from engramia.providers import JSONStorage, OpenAIEmbeddings',
    '',
    'memory = Memory(embeddings=OpenAIEmbeddings(), storage=JSONStorage(path="./data"))',
    'memory.learn(task="t", code="c", eval_score=1.0, on_duplicate="skip")',
    '',
  ].join('\n'));
  for (const mod of ['csv', 'json', 'site', 'sitecustomize', 'usercustomize', 'sysconfig', 'importlib_metadata', 'startup']) write(`${mod}.py`, plant(mod));
  write('engramia/__init__.py', plant('engramia-package'));
  write('engramia/providers.py', plant('engramia-providers'));
  write('agents/__init__.py', plant('agents-package') + 'class Runner: pass\n');
  write('hostile.pth', `import os; open(${JSON.stringify(join(markers, 'repo-pth'))}, "w")\n`);
  // a virtual environment in the repo: its interpreter is a script, its base interpreter too
  write('.venv/pyvenv.cfg', `home = ${join(repo, 'bin')}\ninclude-system-site-packages = true\nversion = 3.11.7\nexecutable = ${join(repo, 'bin', 'python3')}\n`);
  write('.venv/bin/python', plantSh('venv-python'), 0o755);
  write('bin/python3', plantSh('repo-bin-python3'), 0o755);
  write('python3', plantSh('repo-root-python3'), 0o755);
  const site = '.venv/lib/python3.11/site-packages';
  write(`${site}/engramia-0.6.1.dist-info/METADATA`, 'Metadata-Version: 2.1\nName: engramia\nVersion: 0.6.1\nSummary: memory\n\nVersion: 9.9.9 (body, not a header)\n');
  write(`${site}/engramia-0.6.1.dist-info/RECORD`, '');
  write(`${site}/zz-hostile.pth`, `import os; open(${JSON.stringify(join(markers, 'venv-pth'))}, "w")\n../../../../extra\n`);
  write(`${site}/sitecustomize.py`, plant('venv-sitecustomize'));
  write(`${site}/engramia/__init__.py`, plant('venv-engramia'));
  // a runbook with an analyze check, for `runbook run`
  write('scan.runbook.md', '# Scan\n\n- [ ] agent code wired\n\n```analyze {id=code.all}\n```\n');
});

after(() => rmSync(base, { recursive: true, force: true }));

afterEach(() => {
  for (const m of readdirSync(markers)) rmSync(join(markers, m));
});

test('control: the planted files do run when Python imports importlib.metadata the old way (cwd = repo)', { skip: !pythonOk && 'python3 missing' }, () => {
  spawnSync('python3', ['-c', "import importlib.metadata as m\ntry: print(m.version('engramia'))\nexcept Exception: pass"], { cwd: repo });
  assert.ok(written().includes('csv'), `markers: ${written().join(', ')}`);
  spawnSync(join(repo, '.venv', 'bin', 'python'), ['-c', 'pass']);
  assert.ok(written().includes('venv-python'));
});

test('runbook analyze with the repo venv selected: version read from its dist-info, nothing of the repo runs', async () => {
  const r = await runCli(['analyze', '.'], {
    cwd: repo,
    env: { RUNBOOK_PYTHON: join(repo, '.venv', 'bin', 'python'), PYTHONPATH: repo, PYTHONSTARTUP: join(repo, 'startup.py'), PYTHONUSERBASE: repo },
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /app\.py:5:\d+ ENG006 on_duplicate= does not exist in engramia 0\.6\.1/);
  assert.deepEqual(written(), []);
});

test('runbook analyze with python3 on PATH entries inside the repo (absolute and relative): neither is run', { skip: !pythonOk && 'python3 missing' }, async () => {
  const r = await runCli(['analyze', '.'], {
    cwd: repo,
    env: { RUNBOOK_PYTHON: undefined, PATH: ['.', join(repo, 'bin'), process.env.PATH ?? ''].join(delimiter), PYTHONPATH: repo, PYTHONSTARTUP: join(repo, 'startup.py') },
  });
  assert.equal(r.code, 0, r.stderr + r.stdout); // the interpreter is the repo's own: not run, version unknown, ENG006 silent
  assert.deepEqual(written(), []);
});

test('runbook analyze with the real python3: run isolated from outside the repo, no repo file runs', { skip: !pythonOk && 'python3 missing' }, async () => {
  const r = await runCli(['analyze', '.'], {
    cwd: repo,
    env: { RUNBOOK_PYTHON: 'python3', PATH: ['.', process.env.PATH ?? ''].join(delimiter), PYTHONPATH: repo, PYTHONSTARTUP: join(repo, 'startup.py'), PYTHONHOME: undefined },
  });
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  assert.deepEqual(written(), []);
});

test('an interpreter outside the repo is asked with -I -S, from an empty temporary cwd, with a minimal environment', async () => {
  // a stand-in interpreter that logs how it was started and names a fake site-packages
  const prefix = join(outside, 'py');
  const fakeSite = join(prefix, 'site-packages');
  mkdirSync(join(fakeSite, 'Engramia-0.6.9.dist-info'), { recursive: true });
  writeFileSync(join(fakeSite, 'Engramia-0.6.9.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: Engramia\nVersion: 0.6.9\n');
  mkdirSync(join(prefix, 'bin'), { recursive: true });
  const log = join(outside, 'started.log');
  const exe = join(prefix, 'bin', 'python3');
  writeFileSync(exe, `#!/bin/sh\n{ echo "cwd=$PWD"; echo "args=$1 $2 $3"; echo "pythonpath=\${PYTHONPATH:-}"; ls -A; } > ${JSON.stringify(log)}\necho '[${JSON.stringify(fakeSite)}]'\n`);
  chmodSync(exe, 0o755);
  const r = await runCli(['analyze', '.'], { cwd: repo, env: { RUNBOOK_PYTHON: exe, PYTHONPATH: repo } });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /ENG006 on_duplicate= does not exist in engramia 0\.6\.9/);
  const started = readFileSync(log, 'utf8').split('\n');
  assert.equal(started[1], 'args=-I -S -c');
  assert.equal(started[2], 'pythonpath=');
  const cwd = started[0]!.slice('cwd='.length);
  assert.ok(!cwd.startsWith(repo), cwd);
  assert.equal(started.slice(3).filter(Boolean).length, 0, 'the cwd is an empty folder');
  assert.deepEqual(written(), []);
});

function ctx(cwd: string, services: CheckServices): CheckContext {
  return {
    inputs: {}, secrets: [], mask: (t) => t, signal: new AbortController().signal, timeoutMs: 60_000, cwd, trusted: true,
    ui: { confirm: async () => undefined, typedConfirmation: async () => false },
    log: { trace() {}, info() {}, warn() {}, error() {} },
    emit: () => undefined, now: () => Date.now(), services,
  };
}

test('the analyze kind with the repo venv (or the repo bin/python3) as the selected interpreter: nothing of the repo runs', async () => {
  const v = new CheckRegistry().register(analyzeKind).validate(analyzeKind, {});
  assert.ok(v.ok);
  const venv = await analyzeKind.run({ id: 'code.all', kind: 'analyze', attributes: v.value.specific, body: '' }, ctx(repo, { pythonInterpreter: async () => ({ path: join(repo, '.venv', 'bin', 'python'), source: 'selected' }) }));
  assert.equal(venv.verdict, 'fail', venv.reason);
  assert.match(venv.details ?? '', /ENG006\*\* on_duplicate= does not exist in engramia 0\.6\.1/);
  const bin = await analyzeKind.run({ id: 'code.all', kind: 'analyze', attributes: v.value.specific, body: '' }, ctx(repo, { pythonInterpreter: async () => ({ path: join(repo, 'bin', 'python3'), source: 'selected' }) }));
  assert.equal(bin.verdict, 'pass', bin.reason);
  assert.deepEqual(written(), []);
});

test('runbook run over an analyze check in the hostile repo: nothing of the repo runs', async () => {
  const r = await runCli(['run', join(repo, 'scan.runbook.md')], { cwd: repo, env: { RUNBOOK_PYTHON: join(repo, '.venv', 'bin', 'python'), PYTHONPATH: repo } });
  assert.ok(r.code === 0 || r.code === 1, r.stderr + r.stdout);
  assert.match(r.stdout + r.stderr, /code\.all/);
  assert.deepEqual(written(), []);
});

test('metadata lookup: only regular files are read; a FIFO or a symlink to a device never blocks', { skip: process.platform === 'win32' }, async () => {
  const prefix = join(outside, 'venv2');
  const site = join(prefix, 'lib', 'python3.12', 'site-packages');
  mkdirSync(join(site, 'engramia-1.0.0.dist-info'), { recursive: true });
  mkdirSync(join(prefix, 'bin'), { recursive: true });
  writeFileSync(join(prefix, 'pyvenv.cfg'), 'home = /nonexistent\n');
  writeFileSync(join(prefix, 'bin', 'python'), plantSh('venv2-python'), { mode: 0o755 });
  assert.equal(spawnSync('mkfifo', [join(site, 'engramia-1.0.0.dist-info', 'METADATA')]).status, 0);
  spawnSync('ln', ['-s', '/dev/zero', join(site, 'hostile.pth')]);
  assert.equal(await detectEngramiaVersion(join(prefix, 'bin', 'python'), 2000), undefined);
  assert.equal(await findInstalledVersion('engramia', { python: join(prefix, 'bin', 'python'), workspace: outside }), undefined);
  assert.deepEqual(written(), []);
});
