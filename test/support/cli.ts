/**
 * The CLI runner for every test. `runCli` runs the real CLI's `main()` in this process over a
 * CliIo that collects stdout and stderr (the arguments, environment and working folder a shell
 * would give it), so a test pays no process start-up; `spawnCli` starts it as a separate process
 * (`cliArgv`: the built dist/cli.js under `npm test`, else `node --import tsx src/cli/main.ts …`)
 * for what only a process shows (signals, exit codes, what a process reads from /proc) and can
 * feed it `stdin`. `copyRunbook` copies a runbook into a
 * temporary folder (removed when the test process exits) so evidence files land there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main';
import { tempDir } from './tempDir';

export const ROOT = resolve(__dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
// Resolved here, so that the CLI starts from any working folder (a hostile repo has no node_modules).
const TSX = pathToFileURL(require.resolve('tsx')).href;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Added to (or, with undefined, removed from) this process's environment. */
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
}

/** The environment a CLI run sees; the developer's own Engramia key never leaks into a test. */
function cliEnv(options: CliOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...options.env })) if (v !== undefined) env[k] = v;
  if (!options.env || !('ENGRAMIA_API_KEY' in options.env)) delete env['ENGRAMIA_API_KEY'];
  return env;
}

/** Runs `runbook <args>` in process: main() over a collecting CliIo. */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    env: cliEnv(options),
    cwd: options.cwd ?? ROOT,
  });
  return { code, stdout, stderr };
}

/**
 * node's arguments for `runbook <args>` as a process. `npm test` builds first and names the built
 * CLI (dist/cli.js, what `npm install -g` installs as `runbook`) in $RUNBOOK_TEST_CLI: the process
 * tests then run what users run, and each start costs half as much as compiling the sources. A test
 * file run on its own starts the sources through tsx.
 */
export function cliArgv(args: readonly string[]): string[] {
  const built = process.env.RUNBOOK_TEST_CLI;
  return built ? [built, ...args] : ['--import', TSX, MAIN, ...args];
}

/** Runs `runbook <args>` as a process (killed after `timeoutMs`, default 60 s); `onStdout` sees the output so far (e.g. to send a signal). */
export function spawnCli(
  args: readonly string[],
  options: CliOptions & { stdin?: string; timeoutMs?: number; onStdout?: (soFar: string, child: ChildProcess) => void } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, cliArgv(args), {
      cwd: options.cwd ?? ROOT, env: cliEnv(options), stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      options.onStdout?.(stdout, child);
    });
    child.stderr!.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Copies a runbook into a fresh temporary folder; returns the copy's path. */
export function copyRunbook(source: string): string {
  const dir = tempDir('cli');
  const target = join(dir, basename(source));
  copyFileSync(source, target);
  return target;
}
