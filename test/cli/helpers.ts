/**
 * Helpers for CLI end-to-end tests: spawn the real CLI (`node --import tsx src/cli/main.ts …`)
 * as a separate process (asynchronously, so that a server in the test process keeps answering),
 * and copy runbooks into a temporary folder so evidence files land there.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; onStdout?: (soFar: string, child: import('node:child_process').ChildProcess) => void } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...options.env })) if (v !== undefined) env[k] = v;
    // Never let the developer's own key leak into a test run.
    if (!options.env || !('ENGRAMIA_API_KEY' in options.env)) delete env['ENGRAMIA_API_KEY'];
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Copies a runbook into a fresh temporary folder; returns the copy's path. */
export function copyRunbook(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-cli-'));
  const target = join(dir, basename(source));
  copyFileSync(source, target);
  return target;
}
