/**
 * What a markup cell's text says: a task item (and where its box is), a heading, or prose.
 * Used both for parsed cells and for cells the user edited or added in the notebook.
 */
import type { TaskInfo } from './model';

/** Marker, spacing, then the box; the item text may start on the next line ("-\n  [ ] x"). */
const TASK = /^([ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|[ \t]*\n[ \t]*))\[([ xX])\](?=[ \t]|\n|$)/;

export function taskOf(value: string): TaskInfo | undefined {
  const m = TASK.exec(value);
  if (!m) return undefined;
  const boxOffset = m[1].length + 1;
  const afterBox = boxOffset + 2;
  const nl = value.indexOf('\n', afterBox);
  const label = value.slice(afterBox, nl < 0 ? value.length : nl).trim();
  return { checked: m[2] !== ' ', boxOffset, label };
}

/**
 * Ticks or unticks a task item: changes exactly the one character between the brackets
 * (an existing "X" stays "X" when asked to check). Undefined when the value is not a task item.
 */
export function setTaskChecked(value: string, checked: boolean): string | undefined {
  const task = taskOf(value);
  if (!task) return undefined;
  const current = value[task.boxOffset];
  const next = checked ? (current === ' ' ? 'x' : current) : ' ';
  if (next === current) return value;
  return value.slice(0, task.boxOffset) + next + value.slice(task.boxOffset + 1);
}

/** Width of the item marker prefix before the box ("  - " → 4), i.e. the item's content column. */
export function taskContentPrefix(value: string): string | undefined {
  const m = TASK.exec(value);
  if (!m) return undefined;
  const firstLine = m[1].split('\n')[0];
  return firstLine;
}

const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;

export interface HeadingInfo {
  readonly level: number;
  readonly title: string;
}

/** The heading a cell's text starts with (ATX `## Title` or setext `Title\n===`). */
export function headingOf(value: string): HeadingInfo | undefined {
  const nl = value.indexOf('\n');
  const first = nl < 0 ? value : value.slice(0, nl);
  const atx = atxHeading(first);
  if (atx) return atx;
  if (nl < 0 || !first.trim() || /^ {0,3}([-*_])[ \t]*(\1[ \t]*){2,}$/.test(first) || /^ {0,3}([-+*]|\d{1,9}[.)])([ \t]|$)/.test(first) || /^ {0,3}(>|```|~~~|<)/.test(first)) return undefined;
  const lines = value.split('\n');
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) return undefined;
    const m = SETEXT.exec(lines[i]);
    if (m) return { level: m[1][0] === '=' ? 1 : 2, title: cleanTitle(lines.slice(0, i).map((l) => l.trim()).join(' ')) };
  }
  return undefined;
}

const isWs = (c: number) => c === 32 || c === 9;

/**
 * An ATX heading line (`## Title ##`): up to 3 spaces, 1–6 `#`, then the end or whitespace and the
 * title, less an optional closing run of `#` after whitespace. Scanned by hand, linear in the line
 * (a backtracking regex took seconds on `# a` + 100k spaces + `b`).
 */
function atxHeading(line: string): HeadingInfo | undefined {
  let i = 0;
  while (i < 3 && line.charCodeAt(i) === 32) i++;
  let j = i;
  while (j < line.length && j - i < 7 && line.charCodeAt(j) === 35) j++;
  const level = j - i;
  if (level < 1 || level > 6) return undefined;
  if (j < line.length && !isWs(line.charCodeAt(j))) return undefined;
  let end = line.length;
  while (end > j && isWs(line.charCodeAt(end - 1))) end--;
  let start = j;
  while (start < end && isWs(line.charCodeAt(start))) start++;
  // A closing run of `#` counts only after whitespace; a title of only `#` is kept as written.
  let k = end;
  while (k > start && line.charCodeAt(k - 1) === 35) k--;
  if (k > start && k < end && isWs(line.charCodeAt(k - 1))) {
    end = k;
    while (end > start && isWs(line.charCodeAt(end - 1))) end--;
  }
  return { level, title: cleanTitle(line.slice(start, end)) };
}

function cleanTitle(title: string): string {
  return title.trim();
}

/** Lowercase, letters and digits kept (any script), runs of anything else → "-". */
export function slug(text: string): string {
  return asciiSlug(text) ?? slugAnyScript(text);
}

/**
 * slug for ASCII text in one scan (ids are made for every check and heading of a runbook), or
 * undefined when the text has a character outside ASCII. Same result as slugAnyScript: the
 * characters `*_~[]()<> are dropped, letters and digits kept (lowercased), and every other run
 * between them becomes one "-", none at either end.
 */
function asciiSlug(text: string): string | undefined {
  let out = '';
  let dash = false;
  let run = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return undefined;
    const lower = c | 32;
    if ((lower >= 97 && lower <= 122) || (c >= 48 && c <= 57)) {
      if (run < 0) {
        if (dash && out) out += '-';
        dash = false;
        run = i;
      }
      continue;
    }
    if (run >= 0) {
      out += text.slice(run, i);
      run = -1;
    }
    if (!DROPPED[c]) dash = true;
  }
  if (run >= 0) out += text.slice(run);
  return out.toLowerCase();
}

/** ASCII characters that slug drops (they do not separate words). */
const DROPPED: boolean[] = [];
for (const ch of '`*_~[]()<>') DROPPED[ch.charCodeAt(0)] = true;

/** slug for text in any script. */
export function slugAnyScript(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[`*_~[\]()<>]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}
