// The project's launcher for a REAL VS Code: code-server's build of VS Code (from npm, run by the
// node it wants) on 127.0.0.1, with the workbench opened in Debian's chromium through playwright-core.
// What it needs is installed once into a user cache (see install.mjs). Three modes:
//
//   test   node test/harness/vscode.mjs --tests ENTRY.js [--workspace DIR] EXTENSION_DIR OUT_DIR
//          runs ENTRY's run() in the real extension host (EXTENSION_DIR loaded as the extension under
//          development) and exits with the tests' code. Also works as @vscode/test-electron's
//          vscodeExecutablePath (test/harness/vscode.sh): runTests' --extensionTestsPath= and
//          --extensionDevelopmentPath= arguments are understood (a second and further development
//          path is installed alongside), the first folder argument is the workspace, and the
//          output goes to $RUNBOOK_VSCODE_OUT (else a temp folder).
//   ui     node test/harness/vscode.mjs [--open PATH]… [--command TEXT]… [--drive FILE.cjs] EXTENSION OUT_DIR
//          EXTENSION is a built extension folder (registered in place) or a .vsix (installed).
//          --open / --command steps run in order, each with a screenshot in OUT_DIR; --drive FILE
//          exports async ({ page, shot, palette, openFile, log, sleep, workspace, base }) => {}.
//   serve  node test/harness/vscode.mjs --serve [--port 8080] [--workspace DIR] EXTENSION_DIR
//          keeps VS Code running at http://127.0.0.1:PORT until Ctrl+C.
//
// Options for every mode: --workspace DIR (default: a new empty folder), --settings FILE (JSON
// merged over the quiet user settings below), --workspace-trust (Workspace Trust on, no startup
// prompt: the folder opens in Restricted Mode; default off), --timeout SEC (browser part; default
// 300, tests 1200, or $RUNBOOK_VSCODE_TIMEOUT), --viewport WxH (default 1400x900). Environment:
// RUNBOOK_VSCODE_CACHE (install cache), CHROMIUM, KEEP_RUN_DIR=1 (keep the scratch folder in /tmp).
// Exit status: 0 tests passed / every step ran; 1 a test or step failed; 2 harness error or timeout.
// Every process started is stopped on exit, by PID (code-server's whole process session).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { format } from 'node:util';
import { ensureInstalled } from './install.mjs';

const t0 = Date.now();
const say = (msg) => process.stderr.write(`[vscode ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
class HarnessError extends Error {}
const die = (msg) => { throw new HarnessError(msg); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Settings that make the workbench quiet and automatable: no welcome page, no chat/agent panel
// taking focus, no gallery or update checks, no port-forwarding toasts, no trust prompt.
const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'remote.autoForwardPorts': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'github.gitAuthentication': false,
  'npm.autoDetect': 'off',
  // VS Code for the web (code-server is one) saves edited files after 1 s by default; the desktop
  // default is off. Tests assert what the product itself saves, so run them as on the desktop.
  'files.autoSave': 'off',
};
// Log lines from the offline machine that are not about the tests (gallery, telemetry, Microsoft-only parts).
const noise = /ENOTFOUND|getaddrinfo|open-vsx\.org|vsda/;

function parseArgs(argv) {
  const o = { steps: [], devPaths: [], timeout: Number(process.env.RUNBOOK_VSCODE_TIMEOUT) || 0, viewport: '1400x900', trust: false, port: 8080 };
  if (argv.some((a) => a.startsWith('--extensionTestsPath='))) {
    // Called by @vscode/test-electron as a VS Code executable.
    for (const a of argv) {
      if (a.startsWith('--extensionTestsPath=')) o.tests = a.slice(a.indexOf('=') + 1);
      else if (a.startsWith('--extensionDevelopmentPath=')) o.devPaths.push(a.slice(a.indexOf('=') + 1));
      else if (a === '--workspace-trust') o.trust = true;
      else if (a.startsWith('--settings=')) o.settings = a.slice(a.indexOf('=') + 1);
      else if (!a.startsWith('-') && !o.workspace && existsSync(a) && statSync(a).isDirectory()) o.workspace = a;
    }
    if (!o.devPaths.length) die('--extensionDevelopmentPath= is missing');
    o.extension = o.devPaths[0];
    o.out = process.env.RUNBOOK_VSCODE_OUT || mkdtempSync(join(tmpdir(), 'runbook-vscode-out-'));
    return finish(o);
  }
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => { if (i + 1 >= argv.length) die(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--workspace': o.workspace = value(); break;
      case '--open': o.steps.push({ kind: 'open', arg: value() }); break;
      case '--command': o.steps.push({ kind: 'command', arg: value() }); break;
      case '--drive': o.drive = value(); break;
      case '--tests': o.tests = value(); break;
      case '--settings': o.settings = value(); break;
      case '--timeout': o.timeout = Number(value()); break;
      case '--viewport': o.viewport = value(); break;
      case '--workspace-trust': o.trust = true; break;
      case '--serve': o.serve = true; break;
      case '--port': o.port = Number(value()); break;
      case '-h': case '--help': process.stdout.write(usage()); process.exit(0); break;
      default: if (a.startsWith('-')) die(`unknown option ${a} (see --help)`); rest.push(a);
    }
  }
  if (o.serve ? rest.length !== 1 : rest.length !== 2) die(`expected ${o.serve ? 'EXTENSION_DIR' : 'EXTENSION OUT_DIR'} (see --help)`);
  [o.extension, o.out] = rest;
  if (o.extension) o.devPaths = [o.extension];
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) die('--port must be a port number');
  return finish(o);
}

function finish(o) {
  // A harness limit, not a test: the whole integration suite on a busy 2-core machine fits in 20 min.
  o.timeout ||= o.tests ? 1200 : 300;
  o.extension = resolve(o.extension);
  if (!existsSync(o.extension)) die(`no such extension: ${o.extension}`);
  o.vsix = o.extension.endsWith('.vsix');
  if (!o.vsix && !existsSync(join(o.extension, 'package.json'))) die(`${o.extension} has no package.json`);
  if (o.vsix && (o.tests || o.serve)) die('test and serve modes need an extension folder, not a .vsix');
  for (const k of ['tests', 'drive', 'settings', 'workspace']) if (o[k]) o[k] = resolve(o[k]);
  o.devPaths = o.devPaths.map((p) => resolve(p));
  if (o.out) { o.out = resolve(o.out); mkdirSync(join(o.out, 'logs'), { recursive: true }); }
  return o;
}

function usage() {
  const text = readFileSync(new URL(import.meta.url), 'utf8');
  return text.split('\n').filter((l) => l.startsWith('//')).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n';
}

/** Stops every process of a process session (code-server's, started with setsid), by PID: TERM, then KILL. */
async function sweepSession(sid, alsoMatching) {
  for (const sig of ['SIGTERM', 'SIGKILL']) {
    const ps = spawnSync('ps', ['-eo', 'pid=,sid=,args='], { encoding: 'utf8' }).stdout ?? '';
    const pids = ps.split('\n').map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/)).filter(Boolean)
      .filter(([, pid, s, args]) => Number(pid) !== process.pid && (Number(s) === sid || (alsoMatching && args.includes(alsoMatching))))
      .map(([, pid]) => Number(pid));
    if (!pids.length) return;
    for (const pid of pids) { try { process.kill(pid, sig); } catch { /* already gone */ } }
    await sleep(sig === 'SIGTERM' ? 1500 : 300);
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const paths = ensureInstalled();
  // $RUNBOOK_TEST_TMP_PREFIX: the integration runner names a run's temporary folders, to find any left behind.
  const run = mkdtempSync(join(tmpdir(), `${process.env.RUNBOOK_TEST_TMP_PREFIX ?? 'runbook-'}vscode-run-`));
  let server; let context; let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return; cleaned = true;
    await context?.close().catch(() => {});
    if (server?.pid) await sweepSession(server.pid, run);
    if (o.out) {
      cpSync(join(run, 'server.log'), join(o.out, 'logs', 'server.log'), { force: true });
      if (existsSync(join(run, 'ud', 'logs'))) cpSync(join(run, 'ud', 'logs'), join(o.out, 'logs', 'vscode'), { recursive: true, force: true });
    }
    if (process.env.KEEP_RUN_DIR === '1') say(`run folder kept: ${run}`); else rmSync(run, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { void cleanup().then(() => process.exit(o.serve ? 0 : 2)); });

  try {
    for (const d of ['ud/User', 'ext', 'xdg/config', 'xdg/data', 'xdg/cache', 'chrome']) mkdirSync(join(run, d), { recursive: true });
    const workspace = o.workspace ?? join(run, 'workspace');
    mkdirSync(workspace, { recursive: true });
    const settings = { ...quietSettings };
    if (o.trust) Object.assign(settings, { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' });
    if (o.settings) Object.assign(settings, JSON.parse(readFileSync(o.settings, 'utf8')));
    writeFileSync(join(run, 'ud', 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    writeFileSync(join(run, 'cfg.yaml'), 'bind-addr: 127.0.0.1:0\n');

    // code-server and VS Code write under the XDG folders: keep all of it in the scratch folder.
    const env = { ...process.env, XDG_CONFIG_HOME: join(run, 'xdg', 'config'), XDG_DATA_HOME: join(run, 'xdg', 'data'), XDG_CACHE_HOME: join(run, 'xdg', 'cache') };
    const base = [paths.codeServer, '--config', join(run, 'cfg.yaml'), '--user-data-dir', join(run, 'ud'), '--extensions-dir', join(run, 'ext')];

    if (o.vsix) {
      say(`installing ${basename(o.extension)}`);
      const r = spawnSync(paths.node, [...base, '--install-extension', o.extension], { env, encoding: 'utf8' });
      if (r.status !== 0) die(`VSIX install failed:\n${r.stdout}${r.stderr}`);
    } else {
      // Register folders in place as installed extensions. Test mode loads the first one as the
      // extension under development instead (that mode hides notification toasts, so UI mode does
      // not use it); the workbench takes only one, so further ones are registered here.
      const folders = o.tests ? o.devPaths.slice(1) : [o.extension];
      writeFileSync(join(run, 'ext', 'extensions.json'), JSON.stringify(folders.map((dir) => {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        return {
          identifier: { id: `${pkg.publisher}.${pkg.name}` }, version: pkg.version,
          location: { $mid: 1, path: dir, scheme: 'file' },
          metadata: { installedTimestamp: Date.now(), pinned: true, source: 'vsix' },
        };
      })));
    }

    const flags = ['--bind-addr', `127.0.0.1:${o.serve ? o.port : 0}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--disable-getting-started-override', '--reconnection-grace-time', '5'];
    if (!o.trust) flags.push('--disable-workspace-trust');
    // VS Code honours the test payload in the URL only with the smoke-test driver on (which also hides toasts).
    if (o.tests) flags.push('--vscode-option', 'enable-smoke-test-driver');
    const log = openSync(join(run, 'server.log'), 'w');
    server = spawn(paths.node, [...base, ...flags], { cwd: run, env, detached: true, stdio: ['ignore', log, log] });
    let exited = false;
    server.on('exit', () => { exited = true; });
    let port;
    for (let i = 0; i < 600 && !port; i++) {
      port = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(readFileSync(join(run, 'server.log'), 'utf8'))?.[1];
      if (!port) {
        if (exited) die(`code-server exited:\n${readFileSync(join(run, 'server.log'), 'utf8').slice(-2000)}`);
        await sleep(100);
      }
    }
    if (!port) die('code-server did not listen within 60 s');
    const origin = `http://127.0.0.1:${port}`;
    say(`code-server pid ${server.pid} at ${origin}`);

    if (o.serve) {
      console.log(`\nVS Code with the extension is running. Open in a browser on this machine:\n\n  ${origin}/?folder=${encodeURIComponent(workspace)}\n\n(port ${port}; choose another with --port N). Ctrl+C stops it.`);
      await new Promise((r) => server.on('exit', r));
      return 0;
    }
    return await drive(o, paths, run, origin, workspace, (c) => { context = c; });
  } finally {
    await cleanup();
  }
}

async function drive(o, paths, run, origin, workspace, keep) {
  const { chromium } = createRequire(join(paths.playwright, 'package.json'))('playwright-core');
  const [width, height] = o.viewport.split('x').map(Number);
  const context = await chromium.launchPersistentContext(join(run, 'chrome'), {
    executablePath: paths.chromium, headless: true, viewport: { width, height },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  keep(context);
  const page = context.pages()[0] ?? await context.newPage();
  const consoleLog = createWriteStream(join(o.out, 'logs', 'browser-console.log'));
  page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e}\n`));
  let shotNo = 0;
  const log = (...a) => say(format(...a));
  const shot = async (name) => {
    const file = join(o.out, `${String(++shotNo).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '_').slice(0, 60)}.png`);
    await page.screenshot({ path: file }); log('screenshot', file); return file;
  };
  const host = new URL(origin).host;
  let url = `${origin}/?folder=${encodeURIComponent(workspace)}`;
  const timeoutMs = o.timeout * 1000;

  if (o.tests) {
    // The workbench reports the extension host's console through window.codeAutomationLog and calls
    // window.codeAutomationExit(code) when the tests' run() settles (0 passed, 1 failed).
    const payload = [['extensionDevelopmentPath', `vscode-remote://${host}${o.devPaths[0]}`],
      ['extensionTestsPath', `vscode-remote://${host}${o.tests}`], ['skipWelcome', 'true']];
    url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const out = createWriteStream(join(o.out, 'test-output.log'));
    let finishTests; const finished = new Promise((r) => { finishTests = r; });
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const line = format(...args);
      if (noise.test(line)) return;
      out.write(line + '\n'); console.log(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => finishTests(code));
    log('open', url);
    await page.goto(url);
    const timer = setTimeout(() => finishTests('timeout'), timeoutMs);
    const code = await finished; clearTimeout(timer);
    log('extension tests finished, exit code:', code);
    out.write(`extension tests exit code: ${code}\n`);
    await shot('tests-finished').catch(() => {});
    return code === 0 ? 0 : code === 1 ? 1 : 2;
  }

  const notes = [];
  const toasts = async () => (await page.locator('.notifications-toasts .notification-toast').allInnerTexts().catch(() => []))
    .map((t) => t.replace(/\s+/g, ' ').trim());
  const quickInput = async (key) => {
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Escape');
      await page.keyboard.press(key);
      try { await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 5000 }); return; } catch {
        await page.locator('.part.editor').click({ position: { x: 5, y: 5 } }).catch(() => {});
      }
    }
    throw new Error(`quick input did not open with ${key}`);
  };
  const palette = async (text) => {
    await quickInput('F1');
    await page.keyboard.type(text);
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10000 });
    await sleep(400);
    await shot(`palette-${text}`);
    await page.keyboard.press('Enter');
    await sleep(2500);
    await shot(`ran-${text}`);
    const t = await toasts();
    if (t.length) { notes.push(`after "${text}": ${t.join(' | ')}`); log('notifications:', t); }
  };
  const openFile = async (rel) => {
    await quickInput('Control+P');
    await page.keyboard.type(rel);
    // file search starts with the workbench; on a busy machine the first results take a while
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 45000 });
    await sleep(500);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.editor-group-container .editor-container .editor-instance, .notebook-editor, .webview', { timeout: 30000 });
    await sleep(3500); // a notebook draws its cells and webviews a few seconds after the editor appears
    await shot(`open-${basename(rel)}`);
  };

  const steps = async () => {
    log('open', url);
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 90000 });
    await sleep(4000); // extension host start, activation, explorer
    await shot('workbench');
    let failed = 0;
    for (const step of o.steps) {
      try { if (step.kind === 'open') await openFile(step.arg); else await palette(step.arg); } catch (e) {
        failed++; log(`step ${step.kind} ${step.arg} FAILED: ${String(e.message).split('\n')[0]}`); await shot(`failed-${step.kind}`).catch(() => {});
      }
    }
    if (o.drive) {
      try { await createRequire(o.drive)(o.drive)({ page, shot, palette, openFile, log, sleep, workspace, base: origin }); } catch (e) {
        failed++; log('drive script FAILED:', e.stack ?? e); await shot('failed-drive').catch(() => {});
      }
    }
    writeFileSync(join(o.out, 'notifications.txt'), notes.map((n) => n + '\n').join(''));
    return failed ? 1 : 0;
  };
  let timer;
  const timedOut = new Promise((r) => { timer = setTimeout(() => { log(`timed out after ${o.timeout} s`); r(2); }, timeoutMs); });
  const code = await Promise.race([steps(), timedOut]);
  clearTimeout(timer);
  return code;
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(`vscode harness: ${err instanceof HarnessError ? err.message : err?.stack ?? err}`);
  process.exitCode = 2;
}).finally(() => {
  // Everything started has been stopped; do not wait for handles playwright may keep open.
  process.exit(process.exitCode ?? 0);
});
