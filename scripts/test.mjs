// The README's test command (`npm test`): type-check, lint, build, unit tests (node's test runner, on
// the VS Code-free core and the CLI), integration tests inside a real VS Code, and the packaged
// VSIX installed into that VS Code. Ends with the plain line "N passed, N failed".
//   node scripts/test.mjs [--unit] [--integration] [--vsix]   (no flag = all)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
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
// the tests run the interpreter the shim resolves to directly: the same Python, found first on PATH.
const realPython = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
const pythonDir = realPython.status === 0 ? dirname(realPython.stdout.trim()) : '';
if (pythonDir && existsSync(join(pythonDir, 'python3')) && !process.env.PATH?.split(':').slice(0, 1).includes(pythonDir)) {
  process.env.PATH = `${pythonDir}:${process.env.PATH ?? ''}`;
  console.log(`python3: ${join(pythonDir, 'python3')} (first on PATH for the tests)`);
}

function sh(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { cwd: root, stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8', env: { ...process.env, ...opts.env } });
}
/** Runs a command with its output collected, printed in one piece when it ends; resolves to its exit code. */
function shCaptured(cmd, args) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('close', (code) => {
      console.log(`\n$ ${cmd} ${args.join(' ')}`);
      if (out.length) process.stdout.write(Buffer.concat(out));
      done(code ?? 1);
    });
    child.on('error', (e) => {
      console.log(`\n$ ${cmd} ${args.join(' ')}\n${e.message}`);
      done(1);
    });
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

// 2. unit tests: node's test runner over the core, the CLI, the adversarial suite (test/security) and the shared test support (test/support)
if (all || argv.has('--unit')) {
  const files = ['unit', 'cli', 'security', 'support'].flatMap((d) => walk(join(root, 'test', d), (p) => p.endsWith('.test.ts')))
    .map((p) => relative(root, p)).sort();
  const tap = join(out, 'unit.tap');
  rmSync(tap, { force: true });
  // Test files run as separate processes, RUNBOOK_TEST_CONCURRENCY at a time (default 4): many of
  // them wait on servers, subprocesses and timers. Measured on a quiet 2-core machine, the unit
  // phase took 377 s one file at a time (node's default there: cores - 1), 310 s three at a time and
  // 291 s four at a time.
  const concurrency = Math.max(1, Number(process.env.RUNBOOK_TEST_CONCURRENCY) || 4);
  const r = sh('node', ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (k) => Number((new RegExp(`^# ${k} (\\d+)`, 'm').exec(text) ?? [])[1] ?? 0);
  const p = count('pass'), f = count('fail') + count('cancelled');
  console.log(`unit: ${p} passed, ${f} failed (exit ${r.status})`);
  passed += p; failed += f;
  if (r.status !== 0 && f === 0) step('unit test runner', false);
  if (f) problems.push(`${f} unit test(s)`);
  phase('unit');
}

// 3. integration tests inside a real VS Code
if ((all || argv.has('--integration')) && built) {
  const results = join(out, 'integration-results.json');
  rmSync(results, { force: true });
  const r = sh('node', ['test/integration/run.mjs'], { env: { RUNBOOK_TEST_RESULTS: results } });
  if (existsSync(results)) {
    const j = JSON.parse(readFileSync(results, 'utf8'));
    console.log(`integration: ${j.passed} passed, ${j.failed} failed (exit ${r.status})`);
    for (const f of j.failures ?? []) console.log(`  ✘ ${f.title}\n    ${String(f.error).split('\n').slice(0, 3).join('\n    ')}`);
    passed += j.passed; failed += j.failed;
    if (j.failed) problems.push(`${j.failed} integration test(s)`);
    if (r.status !== 0 && j.failed === 0) step('integration harness', false);
  } else step('integration harness (no results)', false);
  phase('integration');
}

// 3b. an untrusted workspace (a launcher run with Workspace Trust on): no process starts
if ((all || argv.has('--integration')) && built) {
  const results = join(out, 'integration-untrusted-results.json');
  rmSync(results, { force: true });
  const r = sh('node', ['test/integration/run-untrusted.mjs'], { env: { RUNBOOK_TEST_RESULTS: results } });
  if (existsSync(results)) {
    const j = JSON.parse(readFileSync(results, 'utf8'));
    console.log(`integration (untrusted workspace): ${j.passed} passed, ${j.failed} failed (exit ${r.status})`);
    for (const f of j.failures ?? []) console.log(`  ✘ ${f.title}\n    ${String(f.error).split('\n').slice(0, 3).join('\n    ')}`);
    passed += j.passed; failed += j.failed;
    if (j.failed) problems.push(`${j.failed} untrusted-workspace test(s)`);
    if (r.status !== 0 && j.failed === 0) step('untrusted harness', false);
  } else step('untrusted harness (no results)', false);
  phase('untrusted');
}

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
