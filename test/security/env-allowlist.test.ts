/**
 * The process environment is an allow-list: shell/python checks started by the real CLI get the
 * minimal base, their declared inputs (under the front matter's `env:` names, as in VS Code) and
 * nothing else. Planted credentials, code-injection hooks (BASH_ENV, ENV, PYTHONPATH with a
 * sitecustomize that writes a marker) and undeclared `--input` values never reach a process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnvironment } from '../../src/core/process/env';
import { copyRunbook, ROOT, spawnCli } from '../support/cli';
import { count } from './tally';
import { tempDir } from '../support/tempDir';

const FIXTURE = join(ROOT, 'test', 'security', 'fixtures', 'env-probe.runbook.md');
const ALLOWED_BASE = new Set(['PATH', 'HOME', 'LANG', 'LANGUAGE', 'TERM', 'TZ', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL', 'VIRTUAL_ENV', 'CONDA_PREFIX']);
/** Set by the shell or the interpreter itself, or by the kind. */
const SELF_SET = new Set(['PWD', 'OLDPWD', 'SHLVL', '_', 'RUNBOOK_CHECK_ID', 'PYTHONUNBUFFERED', 'PYTHONIOENCODING']);
const DECLARED = new Set(['CUSTOM_KEY_VAR', 'DEPLOY_REGION', 'PREVIOUS_TAG', 'MARKER_DIR']);

/** Set by a pyenv shim (python3 on PATH may be one) before it execs the interpreter. */
const isLauncherVar = (n: string) => /^_?PYENV_/.test(n);

let work: string;
let planted: Record<string, string>;
before(() => {
  work = tempDir('env-allowlist');
  const evilPy = join(work, 'evil-site');
  mkdirSync(evilPy);
  writeFileSync(join(evilPy, 'sitecustomize.py'), `open(${JSON.stringify(join(work, 'pythonpath-ran'))}, 'w').write('x')\n`);
  writeFileSync(join(evilPy, 'evil_injected.py'), '');
  writeFileSync(join(work, 'bash-env.sh'), `touch ${JSON.stringify(join(work, 'bash-env-ran'))}\n`);
  planted = {
    GITHUB_TOKEN: 'ghp_plantedToken000000000000000000',
    AWS_SECRET_ACCESS_KEY: 'planted/aws/secret/key/0000000000',
    AWS_ACCESS_KEY_ID: 'AKIAPLANTED0000000',
    DATABASE_URL: 'postgres://admin:pw@127.0.0.1/prod',
    HTTPS_PROXY: 'http://user:proxy-pass@127.0.0.1:3128',
    PYTHONPATH: evilPy,
    PYTHONSTARTUP: join(evilPy, 'sitecustomize.py'),
    PYTHONHOME: '/nonexistent-python-home',
    BASH_ENV: join(work, 'bash-env.sh'),
    ENV: join(work, 'bash-env.sh'),
    LD_LIBRARY_PATH: join(work, 'no-libs'),
    KUBECONFIG: join(work, 'kubeconfig'),
    SNEAKY: 'from-the-environment',
  };
});
after(() => rmSync(work, { recursive: true, force: true }));

function field(details: string, name: string): string {
  const m = new RegExp(`^${name}: ?(.*)$`, 'm').exec(details);
  return m?.[1] ?? '';
}

describe('process environment allow-list (the CLI as a real process)', { skip: process.platform === 'win32' }, () => {
  test('shell and python checks get the base, their declared inputs under their env: names, nothing planted', async () => {
    const rb = copyRunbook(FIXTURE);
    const r = await spawnCli(['run', rb, '--continue', '--json', '--no-evidence', '--input', 'sneaky=undeclared-value', '--input', `markerDir=${work}`], {
      env: { ...planted, CUSTOM_KEY_VAR: 'declared-secret-value-1', DEPLOY_REGION: 'eu-west-9', API_KEY: undefined },
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const results = JSON.parse(r.stdout).results as { id: string; details: string }[];
    for (const res of results) {
      const names = field(res.details, 'NAMES').split(/\s+/).filter(Boolean);
      assert.ok(names.length > 3, `${res.id} listed its environment`);
      const unexpected = names.filter((n) => !ALLOWED_BASE.has(n) && !SELF_SET.has(n) && !DECLARED.has(n) && !/^LC_/.test(n) && !isLauncherVar(n));
      assert.deepEqual(unexpected, [], `${res.id}: variables outside the allow-list`);
      for (const p of Object.keys(planted)) {
        count(!names.includes(p));
        assert.ok(!names.includes(p), `${res.id} got ${p}`);
      }
      // Undeclared --input values never become variables; declared ones do, under their env: name.
      count(!names.includes('SNEAKY'));
      assert.ok(names.includes('CUSTOM_KEY_VAR'), `${res.id}: the secret input under its env: name`);
      assert.ok(!names.includes('API_KEY'), `${res.id}: not under the derived name as well`);
      assert.ok(names.includes('DEPLOY_REGION') && names.includes('PREVIOUS_TAG'));
    }
    const shell = results.find((x) => x.id === 'env.shell')!;
    assert.equal(field(shell.details, 'REGION'), 'eu-west-9');
    assert.equal(field(shell.details, 'TAG'), '2.3.1');
    assert.equal(field(shell.details, 'KEY'), 'present');
    // An input named `path` does not replace PATH.
    count(field(shell.details, 'FIRSTPATH') !== '/evil/bin');
    assert.notEqual(field(shell.details, 'FIRSTPATH'), '/evil/bin');
    const py = results.find((x) => x.id === 'env.python')!;
    count(!field(py.details, 'SYSPATH').includes('evil-site'));
    assert.ok(!field(py.details, 'SYSPATH').includes('evil-site'), 'PYTHONPATH reached the interpreter');
    assert.equal(field(py.details, 'MODULES'), '');
    // No injected code ran.
    for (const marker of ['pythonpath-ran', 'bash-env-ran']) {
      count(!existsSync(join(work, marker)));
      assert.ok(!existsSync(join(work, marker)), `${marker}: injected code ran`);
    }
  });

  test('baseEnvironment keeps only the minimal base (POSIX and Windows names)', () => {
    const parent = { PATH: '/bin', HOME: '/h', LC_ALL: 'C.UTF-8', LANG: 'C', GITHUB_TOKEN: 't'.repeat(20), PYTHONPATH: '/x', BASH_ENV: '/y', lc_lower: 'x', VIRTUAL_ENV: '/v' };
    assert.deepEqual(Object.keys(baseEnvironment(parent, 'linux')).sort(), ['HOME', 'LANG', 'LC_ALL', 'PATH', 'VIRTUAL_ENV']);
    const win = { Path: 'C:\\bin', SystemRoot: 'C:\\Windows', ComSpec: 'cmd.exe', GITHUB_TOKEN: 'x', PYTHONPATH: 'y', USERPROFILE: 'C:\\u' };
    assert.deepEqual(Object.keys(baseEnvironment(win, 'win32')).sort(), ['ComSpec', 'Path', 'SystemRoot', 'USERPROFILE']);
  });
});
