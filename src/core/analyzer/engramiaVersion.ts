/**
 * The installed engramia version (input of ENG006), read from installed package metadata — never
 * by importing anything. Reading a repo must never run the repo: the old way
 * (`python -c "import importlib.metadata …"` with the workspace as cwd) imported the workspace's
 * own `csv.py`, `sitecustomize.py`, `.pth` files and so on.
 *
 * 1. The interpreter is resolved to a path (a bare name through the absolute entries of PATH).
 * 2. A virtual environment (`<venv>/bin/python` beside `<venv>/pyvenv.cfg`) is read as files: its
 *    `lib/python3.X/site-packages`; with `include-system-site-packages = true`, also the base
 *    interpreter's folders (only a file named `python…`, and only outside the analysed folders).
 *    Nothing runs for a virtual environment itself.
 * 3. Any other interpreter is asked for its site-packages folders, isolated: `-I -S` (no
 *    environment variables, no user site, no `site` module, so no `.pth` or `sitecustomize`),
 *    cwd a fresh empty temporary folder, a minimal environment, a timeout and a capped output.
 *    An interpreter that lives inside an analysed folder is never run.
 * 4. Those folders (plus the plain-path lines of their `.pth` files, which are read, not run) are
 *    searched in order for `engramia-*.dist-info/METADATA`, `engramia-*.egg-info` (`PKG-INFO`)
 *    and `engramia.egg-link`; the `Version:` header of the first one found wins.
 *
 * Undefined when the interpreter or the package is missing (ENG006 then stays silent).
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { whichSync } from '../process/python';

export interface VersionLookup {
  /** The interpreter: a path, or a command name looked up on PATH (default `python3`). */
  readonly python?: string;
  /** The analysed folder(s): an interpreter inside one of them is never run (its files are still read). */
  readonly workspace?: string | readonly string[];
  readonly timeoutMs?: number;
  /** Environment for the PATH lookup (default `process.env`); the interpreter itself gets a minimal one. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface InstalledVersion {
  readonly version: string;
  /** The metadata file the version was read from. */
  readonly from: string;
}

/** Python code run (isolated) to list where the interpreter keeps installed packages. */
export const SITE_DIRS_CODE = [
  'import json, site, sys, sysconfig',
  // with -S, importing site does not run site.main(): no .pth file is processed
  'p = sysconfig.get_paths()',
  'dirs = [site.getusersitepackages()] + site.getsitepackages() + [p.get("purelib"), p.get("platlib")] + sys.path',
  'print(json.dumps([d for d in dirs if isinstance(d, str) and d]))',
].join('\n');

const MAX_METADATA_BYTES = 256 * 1024;
const MAX_PTH_BYTES = 64 * 1024;
const MAX_OUTPUT_BYTES = 64 * 1024;
const MAX_DIRS = 64;

/** Kept for callers that pass (python, timeout, analysed folder): the analysed folder is never the cwd. */
export async function detectEngramiaVersion(python = 'python3', timeoutMs = 5000, workspace?: string): Promise<string | undefined> {
  return (await findInstalledVersion('engramia', { python, timeoutMs, ...(workspace ? { workspace } : {}) }))?.version;
}

/** The installed version of distribution `name` for the interpreter `lookup.python`, or undefined. */
export async function findInstalledVersion(name: string, lookup: VersionLookup = {}): Promise<InstalledVersion | undefined> {
  try {
    const exe = resolveInterpreter(lookup.python ?? 'python3', lookup.env ?? process.env);
    if (!exe) return undefined;
    const roots = lookup.workspace === undefined ? [] : typeof lookup.workspace === 'string' ? [lookup.workspace] : [...lookup.workspace];
    const dirs = await sitePackageDirs(exe, { roots: await realRoots(roots), timeoutMs: lookup.timeoutMs ?? 5000 });
    return await findInDirs(name, await withPthDirs(dirs));
  } catch {
    return undefined;
  }
}

/** A path stays as given (made absolute); a bare name is looked up on the absolute entries of PATH only. */
export function resolveInterpreter(python: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!python.trim()) return undefined;
  if (python.includes('/') || python.includes('\\')) return resolve(python);
  const pathVar = (env.PATH ?? env.Path ?? '').split(delimiter).filter((d) => d && isAbsolute(d)).join(delimiter);
  return whichSync(python, pathVar);
}

interface DirOptions {
  readonly roots: readonly string[];
  readonly timeoutMs: number;
}

/** The folders the interpreter finds installed packages in, in its search order. */
export async function sitePackageDirs(exe: string, options: DirOptions, depth = 0): Promise<string[]> {
  const venv = await venvOf(exe);
  if (venv) {
    const dirs = await venvSiteDirs(venv.prefix);
    if (depth === 0 && /^\s*true\s*$/i.test(venv.config.get('include-system-site-packages') ?? '')) {
      const base = await baseInterpreter(venv.config);
      if (base && /^python[\d.]*(\.exe)?$/i.test(basename(base))) dirs.push(...(await sitePackageDirs(base, options, depth + 1)));
    }
    return dirs;
  }
  if (await isInside(exe, options.roots)) return [];
  return askIsolated(exe, options.timeoutMs);
}

/** `<venv>/bin/python` (or `Scripts\python.exe`) → the venv's prefix and its pyvenv.cfg keys. */
async function venvOf(exe: string): Promise<{ prefix: string; config: Map<string, string> } | undefined> {
  for (const prefix of [dirname(dirname(exe)), dirname(exe)]) {
    const text = await readCapped(join(prefix, 'pyvenv.cfg'), MAX_PTH_BYTES);
    if (text === undefined) continue;
    const config = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
      const eq = line.indexOf('=');
      if (eq > 0) config.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
    }
    return { prefix, config };
  }
  return undefined;
}

async function venvSiteDirs(prefix: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const lib of ['lib', 'lib64']) {
    const entries = await readdir(join(prefix, lib)).catch(() => [] as string[]);
    for (const e of entries.filter((n) => /^python\d/.test(n)).sort()) dirs.push(join(prefix, lib, e, 'site-packages'));
  }
  dirs.push(join(prefix, 'Lib', 'site-packages'));
  return dirs;
}

async function baseInterpreter(config: Map<string, string>): Promise<string | undefined> {
  const candidates = [config.get('executable'), ...['python3', 'python', 'python.exe'].map((n) => (config.get('home') ? join(config.get('home')!, n) : undefined))];
  for (const c of candidates) {
    if (!c || !isAbsolute(c)) continue;
    if ((await stat(c).catch(() => undefined))?.isFile()) return c;
  }
  return undefined;
}

async function realRoots(roots: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of roots) {
    const abs = resolve(r);
    out.push(abs);
    const real = await realpath(abs).catch(() => undefined);
    if (real && real !== abs) out.push(real);
  }
  return out;
}

/** True when `file` (as given, or with links resolved) lies inside one of `roots`. */
async function isInside(file: string, roots: readonly string[]): Promise<boolean> {
  const real = await realpath(file).catch(() => file);
  return roots.some((root) => [file, real].some((f) => {
    const rel = relative(root, f);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  }));
}

/** Runs `exe -I -S -c SITE_DIRS_CODE` from an empty temporary folder with a minimal environment. */
function askIsolated(exe: string, timeoutMs: number): Promise<string[]> {
  return (async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'runbook-py-'));
    try {
      const env: NodeJS.ProcessEnv = {};
      for (const k of ['PATH', 'Path', 'HOME', 'USERPROFILE', 'SYSTEMROOT', 'SystemRoot', 'TMPDIR', 'TEMP', 'TMP']) if (process.env[k] !== undefined) env[k] = process.env[k];
      env.LC_ALL = 'C.UTF-8';
      const stdout = await new Promise<string>((done) => {
        execFile(exe, ['-I', '-S', '-c', SITE_DIRS_CODE], { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, shell: false }, (err, out) => done(err ? '' : String(out)));
      });
      const parsed: unknown = JSON.parse(stdout.trim() || '[]');
      return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string' && isAbsolute(d)).slice(0, MAX_DIRS) : [];
    } catch {
      return [];
    } finally {
      await rm(cwd, { recursive: true, force: true }).catch(() => undefined);
    }
  })();
}

/** The folders plus the plain-path lines of their `.pth` files (read, never executed), deduplicated. */
async function withPthDirs(dirs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const add = (d: string) => {
    if (!out.includes(d) && out.length < MAX_DIRS) out.push(d);
  };
  for (const dir of dirs) {
    add(dir);
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const e of entries.filter((n) => n.endsWith('.pth')).sort()) {
      const text = await readCapped(join(dir, e), MAX_PTH_BYTES);
      for (const raw of (text ?? '').split(/\r?\n/)) {
        const line = raw.trim();
        // site.py executes lines starting with `import`; they are never run here, only plain paths are used
        if (!line || line.startsWith('#') || /^import[\s\t]/.test(line)) continue;
        const p = resolve(dir, line);
        if ((await stat(p).catch(() => undefined))?.isDirectory()) add(p);
      }
    }
  }
  return out;
}

/** PEP 503 name normalisation (`Engramia_SDK` ≡ `engramia-sdk`). */
export function normalizeDistName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

async function findInDirs(name: string, dirs: readonly string[]): Promise<InstalledVersion | undefined> {
  const wanted = normalizeDistName(name);
  for (const dir of dirs) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const e of entries.sort()) {
      const m = /^(.+?)(?:-([^-]+?))?(?:-py\d[^-]*)?\.(dist-info|egg-info)$/i.exec(e);
      if (m && normalizeDistName(m[1]!) === wanted) {
        const p = join(dir, e);
        const st = await stat(p).catch(() => undefined);
        const file = st?.isDirectory() ? join(p, m[3]!.toLowerCase() === 'dist-info' ? 'METADATA' : 'PKG-INFO') : p;
        const version = versionFromMetadata(await readCapped(file, MAX_METADATA_BYTES), wanted);
        if (version) return { version, from: file };
      }
      if (e.toLowerCase().endsWith('.egg-link') && normalizeDistName(e.slice(0, -'.egg-link'.length)) === wanted) {
        const link = (await readCapped(join(dir, e), MAX_PTH_BYTES))?.split(/\r?\n/)[0]?.trim();
        if (!link) continue;
        const project = resolve(dir, link);
        for (const inner of (await readdir(project).catch(() => [] as string[])).sort()) {
          if (!inner.toLowerCase().endsWith('.egg-info') || normalizeDistName(inner.slice(0, -'.egg-info'.length).split('-')[0]!) !== wanted) continue;
          const file = join(project, inner, 'PKG-INFO');
          const version = versionFromMetadata(await readCapped(file, MAX_METADATA_BYTES), wanted);
          if (version) return { version, from: file };
        }
      }
    }
  }
  return undefined;
}

/**
 * A `Name:` or `Version:` line of core metadata: the key (lower case) and the value without the
 * whitespace around it, or undefined. What `/^(Name|Version):[ \t]*(\S.*?)\s*$/i` matched, read
 * without it: that regex backtracks over a whitespace run inside the value (a 256 kB line of a
 * planted METADATA file took half a minute).
 */
export function metadataField(line: string): { key: 'name' | 'version'; value: string } | undefined {
  const colon = line.indexOf(':');
  if (colon !== 4 && colon !== 7) return undefined;
  const key = line.slice(0, colon).toLowerCase();
  if (key !== 'name' && key !== 'version') return undefined;
  let i = colon + 1;
  while (line[i] === ' ' || line[i] === '\t') i++;
  const value = line.slice(i).trimEnd();
  // the value starts with a non-space and holds no line terminator ('.' matches none)
  if (!value || /^\s/.test(value) || /[\n\r\u2028\u2029]/.test(value)) return undefined;
  return { key, value };
}

/** The `Version:` header of core metadata (METADATA / PKG-INFO), checked against `Name:` when present. */
export function versionFromMetadata(text: string | undefined, wanted?: string): string | undefined {
  if (!text) return undefined;
  const end = text.search(/\r?\n\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  let version: string | undefined;
  let name: string | undefined;
  for (const line of header.split(/\r?\n/)) {
    const field = metadataField(line);
    if (!field) continue;
    if (field.key === 'name') name ??= field.value;
    else version ??= field.value;
  }
  if (wanted && name !== undefined && normalizeDistName(name) !== wanted) return undefined;
  return version && /^[0-9A-Za-z.!+_-]{1,64}$/.test(version) ? version : undefined;
}

/** Reads at most `max` bytes of a regular file (never a FIFO, device or folder); undefined otherwise. */
async function readCapped(file: string, max: number): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    if (!(await fh.stat()).isFile()) return undefined;
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
