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

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;

export interface HeadingInfo {
  readonly level: number;
  readonly title: string;
}

/** The heading a cell's text starts with (ATX `## Title` or setext `Title\n===`). */
export function headingOf(value: string): HeadingInfo | undefined {
  const nl = value.indexOf('\n');
  const first = nl < 0 ? value : value.slice(0, nl);
  const atx = ATX.exec(first);
  if (atx) return { level: atx[1].length, title: cleanTitle(atx[2] ?? '') };
  if (nl < 0 || !first.trim() || /^ {0,3}([-*_])[ \t]*(\1[ \t]*){2,}$/.test(first) || /^ {0,3}([-+*]|\d{1,9}[.)])([ \t]|$)/.test(first) || /^ {0,3}(>|```|~~~|<)/.test(first)) return undefined;
  const lines = value.split('\n');
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) return undefined;
    const m = SETEXT.exec(lines[i]);
    if (m) return { level: m[1][0] === '=' ? 1 : 2, title: cleanTitle(lines.slice(0, i).map((l) => l.trim()).join(' ')) };
  }
  return undefined;
}

function cleanTitle(title: string): string {
  return title.trim();
}

/** Lowercase, letters and digits kept (any script), runs of anything else → "-". */
export function slug(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[`*_~[\]()<>]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}
