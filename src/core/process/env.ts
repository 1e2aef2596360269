/**
 * The environment of a shell/python check: an allow-list, never the whole environment of the
 * editor or CLI (which may hold tokens, cloud credentials or code-injection hooks).
 *
 * A check gets:
 * - the minimal base below, inherited from the parent process when set: PATH, HOME, LANG,
 *   LANGUAGE, LC_*, TERM, TZ, TMPDIR, USER, LOGNAME, SHELL, and VIRTUAL_ENV / CONDA_PREFIX (which
 *   only name the active environment; the interpreter is chosen by path). On Windows also what
 *   programs need to start (SYSTEMROOT, COMSPEC, PATHEXT, TEMP, USERPROFILE, APPDATA …).
 *   Not inherited: PYTHONPATH, PYTHONHOME, PYTHONSTARTUP (they let the environment inject code
 *   into the check's interpreter), LD_*, BASH_ENV, proxies, credentials, everything else;
 * - one variable per declared input that has a value, under its front-matter `env:` name, else
 *   its derived name (`baseUrl` → `BASE_URL`; see inputEnvName). A derived name that would
 *   replace a base variable or a loader/startup hook (PATH, BASH_ENV …) is not set; an explicit
 *   `env:` name is the runbook author's choice and is honoured;
 * - the kind's own variables (RUNBOOK_CHECK_ID …).
 * A variable a check needs from the environment (KUBECONFIG, DOCKER_HOST …) is declared as an
 * input with `env: NAME`: its value is then read from that variable and passed on.
 */
import { envName } from '../checks/template';
import type { CheckContext } from '../checks/types';

const BASE_POSIX = ['PATH', 'HOME', 'LANG', 'LANGUAGE', 'TERM', 'TZ', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL', 'VIRTUAL_ENV', 'CONDA_PREFIX'];
const BASE_WINDOWS = [
  'PATH', 'PATHEXT', 'SYSTEMROOT', 'SYSTEMDRIVE', 'WINDIR', 'COMSPEC', 'TEMP', 'TMP', 'USERPROFILE', 'USERNAME', 'HOMEDRIVE', 'HOMEPATH',
  'APPDATA', 'LOCALAPPDATA', 'PROGRAMDATA', 'PROGRAMFILES', 'PROGRAMFILES(X86)', 'NUMBER_OF_PROCESSORS', 'PROCESSOR_ARCHITECTURE', 'OS',
  'VIRTUAL_ENV', 'CONDA_PREFIX', 'LANG', 'TZ',
];

/** Names an input's derived env name must never take (base variables, loader and startup hooks). */
const PROTECTED_ENV = new Set(['PATH', 'HOME', 'SHELL', 'USER', 'LOGNAME', 'PWD', 'IFS', 'ENV', 'BASH_ENV', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'NODE_OPTIONS', 'TMPDIR', 'TERM', 'LANG']);

/** The inherited part of a check's environment: the allow-listed variables of `parent`. */
export function baseEnvironment(parent: Readonly<Record<string, string | undefined>> = process.env, platform: NodeJS.Platform = process.platform): Record<string, string> {
  const out: Record<string, string> = {};
  const windows = platform === 'win32';
  const allowed = new Set(windows ? BASE_WINDOWS : BASE_POSIX);
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    const key = windows ? name.toUpperCase() : name;
    if (allowed.has(key) || (!windows && /^LC_[A-Z_]+$/.test(name))) out[name] = value;
  }
  return out;
}

/** Explicit `env:` names of inputs, supplied by whoever read the front matter (services.inputEnvNames). */
function explicitEnvNames(ctx: CheckContext): Record<string, string> {
  const v = ctx.services['inputEnvNames'];
  if (!v || typeof v !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, n] of Object.entries(v as Record<string, unknown>)) if (typeof n === 'string' && /^[A-Za-z_]\w*$/.test(n)) out[k] = n;
  return out;
}

/** The declared input names (services.declaredInputs), when the caller supplies them. */
function declaredInputs(ctx: CheckContext): ReadonlySet<string> | undefined {
  const v = ctx.services['declaredInputs'];
  return Array.isArray(v) ? new Set(v.filter((x): x is string => typeof x === 'string')) : undefined;
}

/**
 * The process environment of a check (see the file comment). `skipped` names inputs left out
 * (with why), `names` maps each passed input to its variable.
 */
export function processEnv(
  ctx: CheckContext,
  extra: Record<string, string>,
  parent: Readonly<Record<string, string | undefined>> = process.env,
): { env: NodeJS.ProcessEnv; skipped: string[]; names: Record<string, string> } {
  const explicit = explicitEnvNames(ctx);
  const declared = declaredInputs(ctx);
  const env: NodeJS.ProcessEnv = baseEnvironment(parent);
  const skipped: string[] = [];
  const names: Record<string, string> = {};
  for (const [input, value] of Object.entries(ctx.inputs)) {
    // Undeclared values (e.g. `--input` names the runbook does not declare) never reach a process.
    if (declared && !declared.has(input)) continue;
    const name = explicit[input] ?? envName(input);
    if (!name) continue;
    if (!explicit[input] && PROTECTED_ENV.has(name.toUpperCase())) {
      skipped.push(`${input} (would overwrite ${name})`);
      continue;
    }
    env[name] = value;
    names[input] = name;
  }
  return { env: { ...env, ...extra }, skipped, names };
}
