/**
 * The installed engramia version (input of ENG006): `importlib.metadata.version('engramia')` in
 * the given interpreter. Undefined when python or the package is missing (ENG006 then stays silent).
 */
import { execFile } from 'node:child_process';

export function detectEngramiaVersion(python = 'python3', timeoutMs = 5000, cwd?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      python,
      ['-c', "import importlib.metadata as m; print(m.version('engramia'))"],
      { timeout: timeoutMs, windowsHide: true, ...(cwd ? { cwd } : {}) },
      (err, stdout) => {
        const v = String(stdout ?? '').trim();
        resolve(err || !v ? undefined : v.split('\n')[0]!.trim());
      },
    );
  });
}
