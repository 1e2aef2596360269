/**
 * Running a child process as its own process group, streaming its output line by line, and
 * killing the WHOLE tree (children and grandchildren) on cancel or timeout.
 *
 * POSIX: the child is spawned `detached` (setsid → its own process group, pgid = pid); a kill
 * goes to `-pid` (the group): SIGTERM first, SIGKILL after a grace period. Processes a script
 * leaves running in the background are ended the same way when the script exits, so a check
 * never leaves work behind. Windows: `taskkill /T /F` on the pid.
 *
 * POSIX, a check that outlives us: each check has a watchdog (see startWatchdog) that ends its
 * group when we die. The check starts behind a gate, so that its own code never runs unwatched:
 * `sh` waits on a pipe, we start the watchdog for its group, then let it through and it `exec`s
 * the command (same pid, same group). If we die before that, the gate reads end-of-file and the
 * check never runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { whichSync } from './python';

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
  /** Called with complete lines (newline kept) as they arrive; a partial line is flushed after `flushMs`. */
  readonly onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Grace between SIGTERM and SIGKILL (default 2000 ms). */
  readonly graceMs?: number;
  /** Keep at most this many characters of each stream (default 256 KiB, the tail is kept). */
  readonly maxCapture?: number;
  /** A partial line waits this long for its newline before it is emitted (default 150 ms). */
  readonly flushMs?: number;
  /**
   * 'pipe': the child's stdin is a pipe that stays open, never written, until the child ends or is
   * killed (an ssh client's remote side watches it to end the remote command on cancel). Default
   * 'ignore'.
   */
  readonly stdin?: 'ignore' | 'pipe';
  /** A partial line longer than this is emitted at once, newline or not (default MAX_PENDING_CHARS). */
  readonly maxPending?: number;
}

/** Output without a newline is emitted in pieces of at most this many characters (memory stays bounded). */
export const MAX_PENDING_CHARS = 64 * 1024;

export interface ProcessOutcome {
  /** Exit code, or null when the process ended by a signal. */
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the tree was killed because `signal` aborted. */
  readonly aborted: boolean;
  readonly pid: number | undefined;
}

/** Sends `sig` to the process group led by `pid`; false when the group is already gone. */
export function killGroup(pid: number, sig: NodeJS.Signals): boolean {
  if (process.platform === 'win32') {
    try {
      spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
      return true;
    } catch {
      return false;
    }
  }
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** True while any process of the group led by `pid` exists. */
export function groupAlive(pid: number): boolean {
  if (process.platform === 'win32') return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A watchdog for a check's process group that outlives us: a tiny `sh` in its own session that
 * waits on a pipe only we hold open. If we die without cleaning up (SIGKILL, a crash, a second
 * Ctrl+C that exits at once), the pipe closes and it ends the group (SIGTERM, then SIGKILL after
 * the grace). On a normal end we kill the watchdog itself. POSIX only.
 */
const WATCHDOG_SCRIPT = 'trap "" INT TERM HUP; read _; kill -s TERM -- -"$1" 2>/dev/null; sleep "$2"; kill -s KILL -- -"$1" 2>/dev/null';

function startWatchdog(pgid: number, graceMs: number): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined;
  try {
    const w = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'runbook-watchdog', String(pgid), String(Math.max(1, Math.ceil(graceMs / 1000)))], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    w.on('error', () => undefined);
    w.stdin?.on('error', () => undefined);
    // Neither the watchdog nor its pipe keeps this process alive.
    w.unref();
    (w.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return w;
  } catch {
    return undefined;
  }
}

/**
 * The gate a POSIX check starts behind (`sh -c GATE runbook-check <pwd given> <pwd> <command> <args…>`):
 * it waits for a line on fd 3, which we write once the watchdog is running (end-of-file, because we
 * died first: it ends, the check never ran); then it closes fd 3, leaves PWD as the command would
 * have got it (sh sets and exports it) and becomes the command.
 */
const GATE_SCRIPT = 'read _ <&3 || exit 125; exec 3<&-; if [ -n "$1" ]; then PWD=$2; export PWD; else unset PWD; fi; shift 2; exec "$@"';

/**
 * Why `command` would not start (spawn's own ENOENT or EACCES when nothing stands between), or
 * undefined when it would.
 */
function cannotStart(command: string, cwd: string, env: NodeJS.ProcessEnv): 'ENOENT' | 'EACCES' | undefined {
  if (!command.includes('/')) return whichSync(command, env.PATH ?? process.env.PATH) !== undefined ? undefined : 'ENOENT';
  const file = path.resolve(cwd, command);
  try {
    if (!statSync(file).isFile()) return 'EACCES';
  } catch {
    return 'ENOENT';
  }
  try {
    accessSync(file, constants.X_OK);
    return undefined;
  } catch {
    return 'EACCES';
  }
}

/** The error spawn gives for a command that is not there (ENOENT) or may not be run (EACCES). */
function spawnError(code: 'ENOENT' | 'EACCES', command: string, args: readonly string[]): Error {
  return Object.assign(new Error(`spawn ${command} ${code}`), { errno: code === 'ENOENT' ? -2 : -13, code, syscall: `spawn ${command}`, path: command, spawnargs: [...args] });
}

class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  captured = '';

  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly emit: ((stream: 'stdout' | 'stderr', text: string) => void) | undefined,
    private readonly max: number,
    private readonly flushMs: number,
    private readonly maxPending: number,
  ) {}

  /** Linear in the output: only the new text is searched for a newline; a long partial line is flushed. */
  push(buf: Buffer): void {
    const text = this.decoder.write(buf);
    if (!text) return;
    this.capture(text);
    const cut = text.lastIndexOf('\n');
    if (cut >= 0) {
      const lines = this.pending + text.slice(0, cut + 1);
      this.pending = text.slice(cut + 1);
      this.out(lines);
    } else {
      this.pending += text;
    }
    if (this.pending.length > this.maxPending) {
      this.flush();
      return;
    }
    this.arm();
  }

  end(): void {
    const rest = this.decoder.end();
    if (rest) {
      this.capture(rest);
      this.pending += rest;
    }
    this.flush();
  }

  private capture(text: string): void {
    this.captured += text;
    if (this.captured.length > this.max * 2) this.captured = this.captured.slice(-this.max);
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending) this.out(this.pending);
    this.pending = '';
  }

  private out(text: string): void {
    this.emit?.(this.stream, text);
  }

  text(): string {
    return this.captured.length > this.max ? this.captured.slice(-this.max) : this.captured;
  }
}

/**
 * Runs a process to its end, or kills its whole tree when `spec.signal` aborts. Resolves once
 * the process has exited and its output pipes are closed; rejects only when it cannot start.
 */
export function runProcessTree(spec: ProcessSpec): Promise<ProcessOutcome> {
  const graceMs = spec.graceMs ?? 2000;
  const max = spec.maxCapture ?? 256 * 1024;
  const flushMs = spec.flushMs ?? 150;
  return new Promise<ProcessOutcome>((resolve, reject) => {
    if (spec.signal.aborted) {
      resolve({ exitCode: null, exitSignal: null, stdout: '', stderr: '', aborted: true, pid: undefined });
      return;
    }
    const posix = process.platform !== 'win32';
    const refused = posix ? cannotStart(spec.command, spec.cwd, spec.env) : undefined;
    if (refused) {
      reject(spawnError(refused, spec.command, spec.args));
      return;
    }
    const pwd = spec.env.PWD;
    const child = posix
      ? spawn('/bin/sh', ['-c', GATE_SCRIPT, 'runbook-check', pwd === undefined ? '' : '1', pwd ?? '', spec.command, ...spec.args], {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: [spec.stdin ?? 'ignore', 'pipe', 'pipe', 'pipe'],
      })
      : spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: spec.env, stdio: [spec.stdin ?? 'ignore', 'pipe', 'pipe'], windowsHide: true });
    const maxPending = spec.maxPending ?? MAX_PENDING_CHARS;
    const out = new LineSplitter('stdout', spec.onOutput, max, flushMs, maxPending);
    const err = new LineSplitter('stderr', spec.onOutput, max, flushMs, maxPending);
    let aborted = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const pid = child.pid;
    const watchdog = pid !== undefined && posix ? startWatchdog(pid, graceMs) : undefined;
    // The watchdog runs (or could not start at all): let the check through the gate.
    const gate = posix ? (child.stdio[3] as Socket | null | undefined) : undefined;
    if (gate) {
      gate.on('error', () => undefined);
      gate.end('\n', () => gate.destroy());
    }
    const stopWatchdog = () => {
      if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
    };

    const terminate = () => {
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => {
        killGroup(pid, 'SIGKILL');
        // Pipes held open by a process that ignored both signals must not hang the check.
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, 500).unref();
      }, graceMs);
    };
    const onAbort = () => {
      aborted = true;
      terminate();
    };
    spec.signal.addEventListener('abort', onAbort, { once: true });

    child.stdin?.on('error', () => undefined);
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      stopWatchdog();
      if (settled) return;
      settled = true;
      spec.signal.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('exit', (code, sig) => {
      exitCode = code;
      exitSignal = sig;
      // Whatever the script left running in its group ends with it.
      if (pid !== undefined && groupAlive(pid)) {
        killGroup(pid, 'SIGTERM');
        setTimeout(() => {
          if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, Math.min(graceMs, 1000)).unref();
      }
    });
    child.on('close', (code, sig) => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      spec.signal.removeEventListener('abort', onAbort);
      out.end();
      err.end();
      const finish = () => {
        stopWatchdog();
        resolve({
          exitCode: exitCode ?? code,
          exitSignal: exitSignal ?? sig,
          stdout: out.text(),
          stderr: err.text(),
          aborted,
          pid,
        });
      };
      // After a kill, make sure the group is gone before reporting (SIGKILL if needed).
      if (aborted && pid !== undefined && groupAlive(pid)) {
        killGroup(pid, 'SIGKILL');
        setTimeout(finish, 50);
      } else finish();
    });
  });
}
