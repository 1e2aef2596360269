// The README's test command (`npm test`): type-check, lint, build, unit tests (node's test runner, on
// the VS Code-free core and the CLI), integration tests inside a real VS Code, and the packaged
// VSIX installed into that VS Code. Ends with the plain line "N passed, N failed".
//   node scripts/test.mjs [--unit] [--integration] [--vsix]   (no flag = all)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = new Set(process.argv.slice(2));
const all = !argv.has('--unit') && !argv.has('--integration') && !argv.has('--vsix');
const out = join(root, '.test-output');
mkdirSync(out, { recursive: true });
let passed = 0, failed = 0;
const problems = [];

// The tests start Python a few hundred times (every analyzer fix is run; python checks; version
// probes). When `python3` on PATH is a version manager's shim (pyenv's is a shell script that runs
// `pyenv exec`: about 0.3 s per start on a 2-core machine, three times the interpreter's own start),
// the tests run the interpreter the shim resolves to directly: the same Python, as the only command
// of a folder put first on PATH (so that nothing else on PATH changes for the tests).
const realPython = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
const pythonExe = realPython.status === 0 ? realPython.stdout.trim() : '';
const onPath = spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout?.trim() ?? '';
if (pythonExe && existsSync(pythonExe) && onPath && realpathSync(onPath) !== realpathSync(pythonExe)) {
  const bin = mkdtempSync(join(tmpdir(), 'runbook-python-'));
  symlinkSync(pythonExe, join(bin, 'python3'));
  process.on('exit', () => rmSync(bin, { recursive: true, force: true }));
  process.env.PATH = `${bin}:${process.env.PATH ?? ''}`;
  console.log(`python3: ${pythonExe} (instead of ${onPath}, first on PATH for the tests)`);
}

function sh(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { cwd: root, stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8', env: { ...process.env, ...opts.env } });
}
/** Runs a command with its output collected (in memory, or into `opts.log`), printed when it ends unless it went to a log; resolves to its exit code. */
function shCaptured(cmd, args, opts = {}) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    const out = [];
    const log = opts.log ? createWriteStream(opts.log) : undefined;
    const take = (d) => (log ? log.write(d) : out.push(d));
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let ended = false;
    const end = (code, message) => {
      if (ended) return;
      ended = true;
      const finish = () => {
        if (!log) {
          console.log(`\n$ ${cmd} ${args.join(' ')}${message ? `\n${message}` : ''}`);
          if (out.length) process.stdout.write(Buffer.concat(out));
        }
        done(code);
      };
      if (log) {
        if (message) log.write(`${message}\n`);
        log.end(finish);
      } else finish();
    };
    child.on('close', (code) => end(code ?? 1));
    child.on('error', (e) => end(1, e.message));
  });
}
/** Runs a command with its output going straight to ours; resolves to its exit code. */
function shStreamed(cmd, args) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('close', (code) => done(code ?? 1));
    child.on('error', (e) => { console.log(e.message); done(1); });
  });
}
// How long each phase took, printed before the summary (a slow phase shows at a glance).
const phases = [];
let phaseStart = Date.now();
function phase(name) {
  const now = Date.now();
  phases.push(`${name} ${Math.round((now - phaseStart) / 1000)} s`);
  phaseStart = now;
}
function step(name, ok) {
  if (ok) passed++; else { failed++; problems.push(name); }
}
function walk(dir, pred) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p, pred) : pred(p) ? [p] : [];
  });
}

// 1. type-check and lint side by side (each mostly waits on one core), then build; each counts as one check
const [typecheck, lint] = await Promise.all([
  shCaptured('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']),
  shCaptured('npm', ['run', 'lint', '--silent']),
]);
step('typecheck', typecheck === 0);
step('lint', lint === 0);
phase('typecheck + lint');
const built = sh('node', ['esbuild.mjs', '--tests']).status === 0;
step('build', built);
// The tests that start the CLI as a process start this build of it (test/support/cli.ts).
if (built) process.env.RUNBOOK_TEST_CLI = join(root, 'dist', 'cli.js');
phase('build');

// 2 and 3 run side by side: the unit tests keep both cores busy, while the VS Code runs mostly
// wait on the workbench (about half a core). The unit tests' output streams; the VS Code runs'
// output is collected and printed after it, each run in one piece.
const timing = {};
async function timed(name, fn) {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timing[name] = Math.round((Date.now() - t0) / 1000);
  }
}

// 2. unit tests: node's test runner over the core, the CLI, the adversarial suite (test/security) and the shared test support (test/support)
async function unitTests() {
  // The longest files start first, so that the run does not end waiting on one of them alone.
  const slowFirst = ['test/unit/analyzer/cases.test.ts', 'test/unit/fleet/fleet.test.ts', 'test/security/analyzer-noexec.test.ts', 'test/security/hostile-cli.test.ts', 'test/unit/process/engramia-local.test.ts', 'test/security/secrets-cli.test.ts'];
  const rank = (f) => (slowFirst.includes(f) ? slowFirst.indexOf(f) : slowFirst.length);
  const files = ['unit', 'cli', 'security', 'support'].flatMap((d) => walk(join(root, 'test', d), (p) => p.endsWith('.test.ts')))
    .map((p) => relative(root, p)).sort().sort((a, b) => rank(a) - rank(b));
  const tap = join(out, 'unit.tap');
  rmSync(tap, { force: true });
  // Test files run as separate processes, RUNBOOK_TEST_CONCURRENCY at a time (default 4): many of
  // them wait on servers, subprocesses and timers.
  const concurrency = Math.max(1, Number(process.env.RUNBOOK_TEST_CONCURRENCY) || 4);
  const status = await shStreamed('node', ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (k) => Number((new RegExp(`^# ${k} (\\d+)`, 'm').exec(text) ?? [])[1] ?? 0);
  const p = count('pass'), f = count('fail') + count('cancelled');
  return () => {
    console.log(`unit: ${p} passed, ${f} failed (exit ${status})`);
    passed += p; failed += f;
    if (status !== 0 && f === 0) step('unit test runner', false);
    if (f) problems.push(`${f} unit test(s)`);
  };
}

// 3. integration tests inside a real VS Code, then (3b) an untrusted workspace (a launcher run with
// Workspace Trust on): no process starts
async function vscodeRun(script, label, resultsName, logName) {
  const results = join(out, resultsName);
  const log = join(out, logName);
  rmSync(results, { force: true });
  const status = await shCaptured('node', [script], { env: { RUNBOOK_TEST_RESULTS: results }, log });
  return () => {
    console.log(`\n$ node ${script}`);
    process.stdout.write(readFileSync(log, 'utf8'));
    if (existsSync(results)) {
      const j = JSON.parse(readFileSync(results, 'utf8'));
      console.log(`${label}: ${j.passed} passed, ${j.failed} failed (exit ${status})`);
      for (const f of j.failures ?? []) console.log(`  ✘ ${f.title}\n    ${String(f.error).split('\n').slice(0, 3).join('\n    ')}`);
      passed += j.passed; failed += j.failed;
      if (j.failed) problems.push(`${j.failed} ${label} test(s)`);
      if (status !== 0 && j.failed === 0) step(`${label} harness`, false);
    } else step(`${label} harness (no results)`, false);
  };
}
async function vscodeRuns() {
  const integration = await timed('integration', () => vscodeRun('test/integration/run.mjs', 'integration', 'integration-results.json', 'integration.log'));
  const untrusted = await timed('untrusted', () => vscodeRun('test/integration/run-untrusted.mjs', 'integration (untrusted workspace)', 'integration-untrusted-results.json', 'integration-untrusted.log'));
  return () => { integration(); untrusted(); };
}

const reports = await Promise.all([
  all || argv.has('--unit') ? timed('unit', unitTests) : undefined,
  (all || argv.has('--integration')) && built ? vscodeRuns() : undefined,
]);
for (const report of reports) report?.();
for (const name of ['unit', 'integration', 'untrusted']) if (name in timing) phases.push(`${name} ${timing[name]} s`);
if (Object.keys(timing).length) phase('side by side');

// 4. the packaged VSIX installs into the real VS Code and activates
if ((all || argv.has('--vsix')) && built) {
  const pkg = sh('npm', ['run', 'package', '--silent']);
  const vsix = join(root, 'runbook-notebooks.vsix');
  if (pkg.status !== 0 || !existsSync(vsix)) step('vsix: npm run package', false);
  else {
    // every bundle the extension may require() is packaged (.vscodeignore lists them one by one)
    const listed = new Set((sh('npx', ['vsce', 'ls', '--no-dependencies'], { capture: true }).stdout ?? '').split('\n').map((l) => l.trim()));
    const missing = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.js') && !['cli.js', 'core.js'].includes(f) && !listed.has(`dist/${f}`));
    if (missing.length) console.log(`not in the VSIX: ${missing.join(', ')} (add them to .vscodeignore)`);
    step('vsix: every extension bundle is packaged', missing.length === 0);
    // the packaged README (the extension's details page) names its images and pages by absolute
    // repository URLs (the images are not in the VSIX); each must be a file or folder of this repo
    const readme = sh('python3', ['-c', 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read("extension/readme.md").decode())', vsix], { capture: true }).stdout ?? '';
    const repoUrl = String(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).repository.url).replace(/\.git$/, '');
    const targets = [...readme.matchAll(/\]\((https:[^)\s]+)\)/g)].map((m) => m[1]).filter((u) => u.startsWith(repoUrl + '/'));
    const broken = targets.filter((u) => !/^\/(?:raw|blob)\/HEAD\//.test(u.slice(repoUrl.length)) || !existsSync(join(root, decodeURI(u.slice(repoUrl.length).replace(/^\/(?:raw|blob)\/HEAD\//, '').replace(/#.*$/, '')))));
    const relative = [...readme.matchAll(/!\[[^\]]*\]\((?!https:)([^)\s]+)\)/g)].map((m) => m[1]);
    if (broken.length || relative.length) console.log(`packaged README: ${[...broken, ...relative].join(', ')}`);
    step(`vsix: the packaged README's ${targets.length} repository links and images exist`, targets.length > 0 && broken.length === 0 && relative.length === 0);
    const ws = join(out, 'vsix-workspace');
    rmSync(ws, { recursive: true, force: true });
    cpSync(join(root, 'test', 'fixtures', 'vsix-workspace'), ws, { recursive: true });
    const r = sh('bash', ['test/harness/vscode.sh', '--workspace', ws, '--open', 'README.md', '--drive', join(root, 'test', 'ui', 'vsix-activates.cjs'), vsix, join(out, 'vsix')], { env: { RUNBOOK_REPO_ROOT: root } });
    step('vsix: installs and activates in a real VS Code', r.status === 0);
  }
  // the package step rebuilt dist/ in production mode; rebuild the dev bundles for later runs
  sh('node', ['esbuild.mjs', '--tests']);
  phase('vsix');
}

console.log(`\nTook: ${phases.join(', ')}`);
if (problems.length) console.log(`\nFailed: ${problems.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
