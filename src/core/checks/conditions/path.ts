/**
 * JSON paths for conditions: `a.b[0].c`, optional leading `$.`, `.length` suffix.
 */
import type { PathSegment } from './types';

/** Parses a path; returns an error message instead of throwing. */
export function parsePath(text: string): { ok: true; path: PathSegment[] } | { ok: false; error: string } {
  let s = text.trim();
  if (s === '$' || s === '') return { ok: true, path: [] };
  if (s.startsWith('$.')) s = s.slice(2);
  else if (s.startsWith('$[')) s = s.slice(1);
  const path: PathSegment[] = [];
  let i = 0;
  let expectName = true;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '[') {
      const close = s.indexOf(']', i);
      if (close < 0) return { ok: false, error: `unclosed "[" in path "${text}"` };
      const inner = s.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) path.push(Number(inner));
      else if (/^"[^"]*"$|^'[^']*'$/.test(inner)) path.push(inner.slice(1, -1));
      else return { ok: false, error: `"[${inner}]" in path "${text}" is not an index (use [0], [1] …)` };
      i = close + 1;
      expectName = false;
      continue;
    }
    if (ch === '.') {
      if (expectName) return { ok: false, error: `empty segment in path "${text}"` };
      i++;
      expectName = true;
      if (i >= s.length) return { ok: false, error: `path "${text}" ends with "."` };
      continue;
    }
    if (!expectName) return { ok: false, error: `expected "." or "[" at "${s.slice(i)}" in path "${text}"` };
    let j = i;
    while (j < s.length && s[j] !== '.' && s[j] !== '[' && s[j] !== ']') j++;
    const name = s.slice(i, j);
    if (!name) return { ok: false, error: `unexpected "${s[j]}" in path "${text}"` };
    path.push(name);
    i = j;
    expectName = false;
  }
  return { ok: true, path };
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || '$';
}

/**
 * Walks a path. `length` as the last segment gives the length of an array or string, or the key
 * count of an object, unless the object has a real `length` field.
 * Returns `missing` = the path up to and including the first segment that does not exist.
 */
export function walkPath(root: unknown, path: readonly PathSegment[]): { found: true; value: unknown } | { found: false; missing: string } {
  let cur: unknown = root;
  for (let k = 0; k < path.length; k++) {
    const seg = path[k]!;
    const isLast = k === path.length - 1;
    if (typeof seg === 'number') {
      if (Array.isArray(cur) && seg < cur.length) {
        cur = cur[seg];
        continue;
      }
      return { found: false, missing: formatPath(path.slice(0, k + 1)) };
    }
    if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.prototype.hasOwnProperty.call(cur, seg)) {
      cur = (cur as Record<string, unknown>)[seg];
      continue;
    }
    if (seg === 'length' && isLast) {
      if (Array.isArray(cur) || typeof cur === 'string') return { found: true, value: cur.length };
      if (cur !== null && typeof cur === 'object') return { found: true, value: Object.keys(cur).length };
    }
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      const n = Number(seg);
      if (n < cur.length) {
        cur = cur[n];
        continue;
      }
    }
    return { found: false, missing: formatPath(path.slice(0, k + 1)) };
  }
  return { found: true, value: cur };
}
