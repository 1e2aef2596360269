/**
 * Host names from an OpenSSH client config: every concrete name on a `Host` line (patterns with
 * `*`, `?` or `!` are rules, not hosts). ssh itself applies the config when it connects, so only
 * the names are read here. `Include` is not followed.
 */
import { readFile } from 'node:fs/promises';

export function sshConfigHostNames(text: string): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!/^host\s/i.test(line) && !/^host=/i.test(line)) continue;
    const rest = line.slice(4).replace(/^\s*=?\s*/, '');
    for (const word of rest.split(/\s+/)) {
      const w = word.replace(/^"|"$/g, '');
      if (!w || /[*?!]/.test(w) || seen.has(w)) continue;
      seen.add(w);
      names.push(w);
    }
  }
  return names;
}

/** Glob match with `*` and `?` (no character classes); linear in practice, bounded by name length. */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0, t = 0, star = -1, mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) { p++; t++; }
    else if (p < pattern.length && pattern[p] === '*') { star = p++; mark = t; }
    else if (star >= 0) { p = star + 1; t = ++mark; }
    else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export async function hostsFromSshConfig(file: string, pattern?: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ssh config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const names = sshConfigHostNames(text);
  return pattern ? names.filter((n) => globMatch(pattern, n)) : names;
}
