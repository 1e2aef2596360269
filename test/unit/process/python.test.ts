import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { findPython, resolvePython, whichSync } from '../../../src/core/process';
import { run } from './harness';
import { withTempDir } from '../../support/tempDir';

test('findPython: python3 on PATH, verified with --version', async () => {
  const py = await findPython();
  assert.ok(py, 'CI needs python3 on PATH');
  assert.equal(py.source, 'python3 on PATH');
  assert.match(py.version!, /^3\.\d+/);
  assert.equal(py.path, whichSync('python3'));
});

test('findPython skips a "python3" that is not Python 3 and falls back to python', async () => {
  await withTempDir(async (dir) => {
    const fake = path.join(dir, 'python3');
    writeFileSync(fake, '#!/bin/sh\necho "Python 2.7.18" >&2\n');
    chmodSync(fake, 0o755);
    // The real binary (not a pyenv shim, which needs pyenv on PATH).
    const real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    const alias = path.join(dir, 'bin2');
    mkdirSync(alias);
    symlinkSync(real, path.join(alias, 'python'));
    const py = await findPython({ ...process.env, PATH: `${dir}${path.delimiter}${alias}` });
    assert.ok(py);
    assert.equal(py.source, 'python on PATH');
    assert.equal(py.path, path.join(alias, 'python'));
    assert.equal(await findPython({ ...process.env, PATH: dir }), undefined);
  });
});

test('the python kind says which interpreter ran and how it was chosen', async () => {
  const r = await run('python', 'import sys\nprint(sys.version_info[0])\n?? stdout includes 3');
  assert.equal(r.run.verdict, 'pass', r.run.reason);
  assert.match(r.output, /python: .*python3 \(Python 3\.\d+.*\), chosen by python3 on PATH/);
  assert.equal(r.run.data?.interpreterSource, 'python3 on PATH');
  assert.match(r.run.details!, /chosen by python3 on PATH/);
});

test('the interpreter from services.pythonInterpreter (the Python extension) wins', async () => {
  const real = whichSync('python3')!;
  const services = { pythonInterpreter: async () => ({ path: real, source: 'Python extension (selected interpreter)' }) };
  const r = await run('py', 'import sys\nprint(sys.executable)', { services });
  assert.equal(r.run.verdict, 'pass', r.run.reason);
  assert.equal(r.run.data?.interpreter, real);
  assert.match(r.output, /chosen by Python extension \(selected interpreter\)/);
  const broken = await resolvePython({ pythonInterpreter: async () => ({ path: '/nonexistent/python', source: 'Python extension' }) });
  assert.ok(!('error' in broken));
  assert.match(broken.source, /did not answer --version/);
});

test('python exit codes: sys.exit(2) warns, an exception fails with its last stderr line', async () => {
  const warn = await run('python', 'import sys\nprint("RESULT: nearly out of space")\nsys.exit(2)');
  assert.equal(warn.run.verdict, 'warn');
  assert.equal(warn.run.reason, 'nearly out of space');
  const boom = await run('python', 'raise ValueError("bad snapshot name")');
  assert.equal(boom.run.verdict, 'fail');
  assert.match(boom.run.reason, /ValueError: bad snapshot name/);
});

test('no python at all: a clear error, nothing runs', async () => {
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    const r = await run('python', 'print(1)');
    assert.equal(r.run.verdict, 'error');
    assert.match(r.run.reason, /no Python 3 found/);
  } finally {
    process.env.PATH = saved;
  }
});
