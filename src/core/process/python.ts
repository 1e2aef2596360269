/**
 * Which Python runs a `python` check. The VS Code layer supplies the Python extension's selected
 * interpreter through `ctx.services.pythonInterpreter()`; without it (CLI, tests, no extension)
 * `findPython()` looks for `python3`, then `python`, on PATH and keeps the first that answers
 * `--version` with Python 3.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';
import type { CheckServices } from '../checks/types';

export interface PythonInterpreter {
  /** Absolute path of the interpreter that runs. */
  readonly path: string;
  /** How it was chosen, e.g. "Python extension (selected interpreter)" or "python3 on PATH". */
  readonly source: string;
  /** "3.12.4", when known. */
  readonly version?: string;
}

/** The first executable file named `name` on `pathVar`, or undefined. */
export function whichSync(name: string, pathVar: string | undefined = process.env.PATH): string | undefined {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
}

/** Runs `<exe> --version`; returns "3.x.y" for a Python 3, else undefined. */
export function pythonVersion(exe: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 10_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(exe, ['--version'], { env, timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (error) return resolve(undefined);
      // Python 2 printed its version on stderr.
      const m = /Python\s+(3\.\d+(?:\.\d+)?\S*)/.exec(`${stdout}\n${stderr}`);
      resolve(m?.[1]);
    });
  });
}

/** `python3`, then `python`, on PATH: the first that reports a Python 3 version. */
export async function findPython(env: NodeJS.ProcessEnv = process.env): Promise<PythonInterpreter | undefined> {
  for (const name of ['python3', 'python']) {
    const exe = whichSync(name, env.PATH ?? env.Path);
    if (!exe) continue;
    const version = await pythonVersion(exe, env);
    if (version) return { path: exe, source: `${name} on PATH`, version };
  }
  return undefined;
}

/**
 * The interpreter for a check: the one the composition root supplies (the Python extension's
 * selection), else `findPython()`. The supplied one is verified with `--version` too.
 */
export async function resolvePython(services: CheckServices, env: NodeJS.ProcessEnv = process.env): Promise<PythonInterpreter | { error: string }> {
  let supplied: { path: string; source: string } | undefined;
  try {
    supplied = await services.pythonInterpreter?.();
  } catch (e) {
    supplied = undefined;
  }
  if (supplied?.path) {
    const version = await pythonVersion(supplied.path, env);
    if (version) return { path: supplied.path, source: supplied.source, version };
    const fallback = await findPython(env);
    if (fallback) return { ...fallback, source: `${fallback.source} (the ${supplied.source} interpreter ${supplied.path} did not answer --version)` };
    return { error: `the selected interpreter ${supplied.path} (${supplied.source}) did not answer --version with Python 3, and no python3/python is on PATH` };
  }
  const found = await findPython(env);
  return found ?? { error: 'no Python 3 found: neither python3 nor python on PATH answers --version with Python 3' };
}
