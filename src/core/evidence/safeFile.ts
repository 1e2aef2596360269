/**
 * Writing files a hostile repo may have prepared: an evidence sidecar, a report or an edited file
 * is written only when it is a regular file (or absent), never through a symbolic link, never into
 * a FIFO (which would block) or a device, and, when a root folder is given, only when its real
 * folder lies inside that root. Opens use O_NOFOLLOW and O_NONBLOCK and are re-checked with fstat.
 * Missing folders are created one level at a time, bounded by the path's depth.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, realpathSync, statSync, writeSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

export class UnsafePathError extends Error {}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function describeType(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** True when `child` is `root` or lies inside it (both absolute). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Throws UnsafePathError unless `file` is absent or a regular file (not a symlink), and, with
 * `root`, its existing folder resolves inside `root`.
 */
export function checkOutputFile(file: string, options: { root?: string } = {}): void {
  const st = lstatOrUndefined(file);
  if (st && !st.isFile()) throw new UnsafePathError(`${file} is ${describeType(st)}: refusing to write to it`);
  if (options.root !== undefined) {
    const realRoot = realpathSync(options.root);
    let dir = dirname(resolve(file));
    for (let i = 0; i < 64 && !lstatOrUndefined(dir); i++) dir = dirname(dir);
    const realDir = realpathSync(dir);
    if (!isInside(realRoot, realDir)) throw new UnsafePathError(`${file} resolves outside ${options.root}: refusing to write to it`);
  }
}

/** Creates `dir` and its missing parents one level at a time (at most 64 levels); the nearest existing one must be a folder. */
export function ensureFolder(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  for (let i = 0; i < 64; i++) {
    const st = lstatOrUndefined(d);
    if (st) {
      if (!statSync(d).isDirectory()) throw new UnsafePathError(`${d} is not a folder`);
      break;
    }
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** Writes (or appends) `text` to `file` safely: see the module comment. */
export function writeFileSafely(file: string, text: string, options: { append?: boolean; root?: string; mode?: number } = {}): void {
  checkOutputFile(file, options);
  ensureFolder(dirname(file));
  const flags = constants.O_WRONLY | constants.O_CREAT | (options.append ? constants.O_APPEND : constants.O_TRUNC) | NOFOLLOW | NONBLOCK;
  let fd: number;
  try {
    fd = openSync(file, flags, options.mode ?? 0o666);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') throw new UnsafePathError(`${file} is a symbolic link: refusing to write through it`);
    if (code === 'ENXIO') throw new UnsafePathError(`${file} is a FIFO: refusing to write to it`);
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UnsafePathError(`${file} is ${describeType(st)}: refusing to write to it`);
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } finally {
    closeSync(fd);
  }
}

/** Throws UnsafePathError when `file` exists and is not a regular file (reading a FIFO would block). */
export function checkReadableFile(file: string): boolean {
  const st = lstatOrUndefined(file);
  if (!st) return false;
  if (!st.isFile()) throw new UnsafePathError(`${file} is ${describeType(st)}: refusing to read it`);
  return true;
}
