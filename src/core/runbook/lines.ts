/**
 * Line handling shared by the splitter, `valueOf` and the serializer. A line keeps its own end
 * ("\n", "\r\n", a lone "\r" as markdown-it counts it, or "" for the last line without one), so
 * that joining `text + eol` of every line gives back the input exactly.
 */
import type { CellSource, FenceFrame } from './model';

export type Eol = '' | '\n' | '\r\n' | '\r';

export interface Line {
  readonly text: string;
  readonly eol: Eol;
}

export const BOM = '\uFEFF';

/** Offsets where each line starts, plus a final entry = text.length. Same line count as markdown-it. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  if (starts[starts.length - 1] !== n) starts.push(n);
  return starts;
}

/** The lines of `text`, each with its end of line. "" → []. */
export function splitLines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      out.push({ text: text.slice(start, i), eol: '\n' });
      start = i + 1;
    } else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) {
        out.push({ text: text.slice(start, i), eol: '\r\n' });
        i++;
      } else out.push({ text: text.slice(start, i), eol: '\r' });
      start = i + 1;
    }
  }
  if (start < n) out.push({ text: text.slice(start), eol: '' });
  return out;
}

/** Blank in markdown's sense: only spaces and tabs. */
export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** Leading spaces and tabs. */
export function leadingWhitespace(text: string): string {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return text.slice(0, i);
}

/** Column width of leading whitespace, tabs to the next multiple of 4. */
export function columnWidth(ws: string): number {
  let col = 0;
  for (const ch of ws) col = ch === '\t' ? col + 4 - (col % 4) : col + 1;
  return col;
}

/** Removes up to `count` leading whitespace characters. */
export function stripUpTo(text: string, count: number): string {
  let i = 0;
  while (i < count && i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i === 0 ? text : text.slice(i);
}

/** Common leading whitespace of the non-blank lines in text[from, to), without slicing lines. */
export function commonIndentIn(text: string, from: number, to: number): string {
  let best = -1; // length of the common prefix so far
  let ref = -1; // offset of the first non-blank line's start
  let i = from;
  if (text.charCodeAt(i) === 0xfeff) i++;
  while (i < to) {
    let j = i;
    while (j < to && isWs(text.charCodeAt(j))) j++;
    const c = text.charCodeAt(j);
    const blankLine = j >= to || c === 10 || c === 13;
    if (!blankLine) {
      const ws = j - i;
      if (ref < 0) {
        ref = i;
        best = ws;
      } else {
        let k = 0;
        const m = Math.min(best, ws);
        while (k < m && text.charCodeAt(ref + k) === text.charCodeAt(i + k)) k++;
        best = k;
      }
      if (best === 0) return '';
    }
    // next line
    while (j < to && text.charCodeAt(j) !== 10 && text.charCodeAt(j) !== 13) j++;
    if (text.charCodeAt(j) === 13 && text.charCodeAt(j + 1) === 10) j++;
    i = j + 1;
  }
  return ref < 0 ? '' : text.slice(ref, ref + best);
}

/** Where a cell's content sits within its lines: [start, end), plus the fence's closing line index. */
export interface CellLayout {
  readonly lines: Line[];
  /** First content line (after the opening fence, or after leading blank lines of markup). */
  readonly start: number;
  /** One past the last content line. */
  readonly end: number;
  /** Index of the closing fence line, or -1. */
  readonly close: number;
  /** True when the first line starts with a byte order mark. */
  readonly bom: boolean;
}

export function layoutOf(raw: string, fence?: FenceFrame): CellLayout {
  const lines = splitLines(raw);
  const bom = raw.charCodeAt(0) === 0xfeff;
  let end = lines.length;
  while (end > 0 && isBlank(end === 1 && bom ? lines[0].text.slice(1) : lines[end - 1].text)) end--;
  if (fence) {
    let close = -1;
    if (fence.closeLine !== null && end > 1) {
      close = end - 1;
      end = close;
    }
    return { lines, start: 1, end: Math.max(end, 1), close, bom };
  }
  let start = 0;
  while (start < end && isBlank(start === 0 && bom ? lines[0].text.slice(1) : lines[start].text)) start++;
  return { lines, start, end, close: -1, bom };
}

/** The value text of one content line: indentation (and a BOM) removed. */
export function contentText(layout: CellLayout, index: number, indent: string): string {
  let t = layout.lines[index].text;
  if (index === 0 && layout.bom) t = t.slice(1);
  return indent ? stripUpTo(t, indent.length) : t;
}

function isWs(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * The value a cell shows, derived from its raw bytes: LF line ends, the common indentation removed,
 * leading/trailing blank lines (the gap) dropped, and for fences the opening/closing lines dropped.
 * Built from as few slices of raw as possible (one when nothing inside is stripped or rewritten).
 */
export function valueOfRaw(raw: string, indent: string, fence?: FenceFrame): string {
  const lf = raw.indexOf('\r') < 0;
  if (!fence && indent === '' && lf && raw.charCodeAt(0) !== 0xfeff) return plainValue(raw);
  const n = raw.length;
  const bom = raw.charCodeAt(0) === 0xfeff ? 1 : 0;
  // The last line that is not blank holds the last character that is not whitespace or a line end.
  let q = n - 1;
  while (q >= bom) {
    const c = raw.charCodeAt(q);
    if (c === 32 || c === 9 || c === 10 || c === 13) q--;
    else break;
  }
  if (q < bom) return '';
  let lastStart = q;
  while (lastStart > 0 && !isEol(raw.charCodeAt(lastStart - 1))) lastStart--;
  let end = q;
  while (end < n && !isEol(raw.charCodeAt(end))) end++;
  let first: number;
  if (fence) {
    // Content starts on the second line; the closing line (the last non-blank one, unless that is
    // the opening line) is dropped.
    const e = lineEndBefore(raw, 0, n, lf);
    if (e >= n) return '';
    first = raw.charCodeAt(e) === 13 && raw.charCodeAt(e + 1) === 10 ? e + 2 : e + 1;
    if (first >= n || lastStart === 0) return '';
    if (fence.closeLine !== null) {
      end = lastStart - 1;
      if (raw.charCodeAt(end) === 10 && end > 0 && raw.charCodeAt(end - 1) === 13) end--;
    }
    if (end < first) return '';
  } else {
    first = bom;
    // Skip leading blank lines (the last line is not blank, so this stops there at the latest).
    while (first < lastStart) {
      let k = first;
      while (isWs(raw.charCodeAt(k))) k++;
      if (!isEol(raw.charCodeAt(k))) break;
      first = raw.charCodeAt(k) === 13 && raw.charCodeAt(k + 1) === 10 ? k + 2 : k + 1;
    }
  }
  // Lines [first, end]: each less up to indent.length spaces or tabs, joined with LF.
  const strip = indent.length;
  let out = '';
  let seg = -1;
  let prevEnd = 0;
  let ls = first;
  for (;;) {
    let a = ls;
    for (let m = 0; m < strip && a < end && isWs(raw.charCodeAt(a)); m++) a++;
    const le = lineEndBefore(raw, a, end, lf);
    if (seg < 0) seg = a;
    else if (a !== ls || raw.charCodeAt(ls - 1) !== 10 || (ls >= 2 && raw.charCodeAt(ls - 2) === 13)) {
      // Not a continuation of the current slice: something was stripped, or the line end is not a bare LF.
      out += raw.slice(seg, prevEnd) + '\n';
      seg = a;
    }
    prevEnd = le;
    if (le >= end) break;
    ls = raw.charCodeAt(le) === 13 && raw.charCodeAt(le + 1) === 10 ? le + 2 : le + 1;
  }
  return out ? out + raw.slice(seg, prevEnd) : raw.slice(seg, prevEnd);
}

function isEol(c: number): boolean {
  return c === 10 || c === 13;
}

/** The end of the line's text from `from` (its line end), or `limit` when that comes first; `lf`: raw has no CR (found natively). */
function lineEndBefore(raw: string, from: number, limit: number, lf: boolean): number {
  if (lf) {
    const i = raw.indexOf('\n', from);
    return i < 0 || i > limit ? limit : i;
  }
  let i = from;
  while (i < limit && !isEol(raw.charCodeAt(i))) i++;
  return i;
}

/** valueOfRaw for markup without indentation, CR or BOM: one slice between the leading and trailing blank lines. */
function plainValue(raw: string): string {
  const n = raw.length;
  let s = 0;
  for (;;) {
    let i = s;
    while (i < n && isWs(raw.charCodeAt(i))) i++;
    if (i >= n) return '';
    if (raw.charCodeAt(i) !== 10) break;
    s = i + 1;
  }
  let e = n;
  for (;;) {
    let i = e;
    while (i > s && isWs(raw.charCodeAt(i - 1))) i--;
    if (i > s && raw.charCodeAt(i - 1) === 10) e = i - 1;
    else break;
  }
  return raw.slice(s, e);
}

// Results of lineBefore (module scratch, to avoid an allocation per call).
let prevStart = 0;
let prevEnd = 0;

/** Sets prevStart/prevEnd to the line that ends just before boundary `p` (its start and text end). */
function lineBefore(raw: string, p: number): void {
  let le = p;
  if (le > 0 && raw.charCodeAt(le - 1) === 10) {
    le--;
    if (le > 0 && raw.charCodeAt(le - 1) === 13) le--;
  } else if (le > 0 && raw.charCodeAt(le - 1) === 13) le--;
  let ls = le;
  while (ls > 0) {
    const c = raw.charCodeAt(ls - 1);
    if (c === 10 || c === 13) break;
    ls--;
  }
  prevStart = ls;
  prevEnd = le;
}

function blankRange(raw: string, a: number, b: number): boolean {
  if (a === 0 && raw.charCodeAt(0) === 0xfeff) a = 1;
  for (let i = a; i < b; i++) if (!isWs(raw.charCodeAt(i))) return false;
  return true;
}

/** End of the text of the line starting at `ls` (before its EOL). */
function lineEnd(raw: string, ls: number): number {
  let i = ls;
  const n = raw.length;
  while (i < n) {
    const c = raw.charCodeAt(i);
    if (c === 10 || c === 13) break;
    i++;
  }
  return i;
}

/** Start of the line after the one whose text ends at `le`. */
function nextLineStart(raw: string, le: number): number {
  const c = raw.charCodeAt(le);
  if (c === 13 && raw.charCodeAt(le + 1) === 10) return le + 2;
  return le + 1;
}

/** True when `value` (LF line ends) is what `raw` shows, compared in place: no strings or arrays are built. */
export function rawShows(raw: string, indent: string, fence: FenceFrame | undefined, value: string): boolean {
  const n = raw.length;
  if (n === 0) return value === '';
  // Read as if raw had LF line ends only; that answer is final when it is "same" (see LF_SAME) or
  // when raw has no CR at all. Only a raw with CR line ends is read again, line end by line end.
  const r = rawShowsLf(raw, indent.length, fence, value);
  if (r === LF_SAME) return true;
  if (r === LF_DIFFERENT && raw.indexOf('\r') < 0) return false;
  return rawShowsAnyEol(raw, indent, fence, value);
}

/** rawShowsLf's answers. */
const LF_DIFFERENT = 0;
/**
 * The value equals raw read with LF line ends. Then raw has no CR: the value has none, the compared
 * text equals it, and the rest (blank lines, indentation, fence lines, checked here) has none.
 */
const LF_SAME = 1;
/** A fence line holds a CR: raw must be read with CR line ends. */
const LF_HAS_CR = 2;

/**
 * rawShows reading raw with LF line ends only (`value` has LF line ends): lines are found with
 * native indexOf instead of a loop over characters (this runs for every cell VS Code hands back on
 * save), and raw is not scanned for CR first.
 */
function rawShowsLf(raw: string, indentLength: number, fence: FenceFrame | undefined, value: string): number {
  const n = raw.length;
  const empty = value === '' ? LF_SAME : LF_DIFFERENT;
  let first = 0;
  if (fence) {
    // The opening and closing lines are not compared: a fence with a CR anywhere is read with CR
    // line ends (one native scan; the lines after this see no CR).
    if (raw.indexOf('\r') >= 0) return LF_HAS_CR;
    const nl = raw.indexOf('\n');
    first = nl < 0 ? n + 1 : nl + 1;
  }
  // The last content line holds the last character that is not whitespace (a BOM at 0 is blank).
  // A CR stops this scan: it is then compared (and differs from the value's characters).
  let q = n - 1;
  for (;;) {
    const c = raw.charCodeAt(q);
    if (c === 32 || c === 9 || c === 10) {
      if (--q < 0) return empty;
    } else break;
  }
  if (q === 0 && raw.charCodeAt(0) === 0xfeff) return empty;
  // Only spaces, tabs and LFs follow q: the line ends at the first LF after it (usually the next character).
  let lastEnd = q + 1;
  while (lastEnd < n && raw.charCodeAt(lastEnd) !== 10) lastEnd++;
  if (fence) {
    if (fence.closeLine !== null) {
      // Drop the closing line: the content ends where the closing line starts (a short scan back).
      let closeStart = q;
      while (closeStart > 0 && raw.charCodeAt(closeStart - 1) !== 10) closeStart--;
      if (closeStart > 0) {
        if (closeStart <= first - 1) return empty;
        lastEnd = closeStart - 1;
      }
    }
    if (lastEnd < first || first >= n) return empty;
  } else {
    // Skip leading blank lines (the last content line is not blank, so this stops before it).
    for (let p = 0; ; p++) {
      const c = raw.charCodeAt(p);
      if (c === 10) first = p + 1;
      else if (c !== 32 && c !== 9 && !(p === 0 && c === 0xfeff)) break;
    }
  }
  if (first === 0 && raw.charCodeAt(0) === 0xfeff) first = 1;
  if (indentLength === 0) return lastEnd - first === value.length && raw.substring(first, lastEnd) === value ? LF_SAME : LF_DIFFERENT;
  let pos = 0;
  let ls = first;
  for (;;) {
    let le = raw.indexOf('\n', ls);
    if (le < 0 || le > lastEnd) le = lastEnd;
    pos = matchLine(raw, ls, le, indentLength, value, pos);
    if (pos < 0) return LF_DIFFERENT;
    if (le >= lastEnd) break;
    if (value.charCodeAt(pos) !== 10) return LF_DIFFERENT;
    pos++;
    ls = le + 1;
  }
  return pos === value.length ? LF_SAME : LF_DIFFERENT;
}

/**
 * Compares raw line [ls, le), less up to `indentLength` leading whitespace, with `value` at `pos`:
 * the position after it, or -1 when they differ. Short lines by char codes, longer ones natively:
 * within the last 1024 characters of raw (every line of a cell of ordinary size) by looking the value's slice
 * up with indexOf, found at `a` when equal (a quarter faster on fence bodies than === between two
 * slices); a search that fails goes on over the rest of raw, so further from its end with ===.
 */
function matchLine(raw: string, ls: number, le: number, indentLength: number, value: string, pos: number): number {
  let a = ls;
  for (let m = 0; m < indentLength && a < le && isWs(raw.charCodeAt(a)); m++) a++;
  const len = le - a;
  if (pos + len > value.length) return -1;
  if (len > 8 && raw.length - a <= 1024) {
    if (raw.indexOf(value.substring(pos, pos + len), a) !== a) return -1;
  } else if (len > 16) {
    if (raw.substring(a, le) !== value.substring(pos, pos + len)) return -1;
  } else {
    for (let i = 0; i < len; i++) if (value.charCodeAt(pos + i) !== raw.charCodeAt(a + i)) return -1;
  }
  return pos + len;
}

/** rawShows for any line ends (CR, CRLF, LF), scanning characters. */
function rawShowsAnyEol(raw: string, indent: string, fence: FenceFrame | undefined, value: string): boolean {
  const n = raw.length;
  // The last content line: skip the trailing blank lines, then a fence's closing line.
  lineBefore(raw, n);
  let lastStart = prevStart;
  let lastEnd = prevEnd;
  while (blankRange(raw, lastStart, lastEnd)) {
    if (lastStart === 0) return value === '';
    lineBefore(raw, lastStart);
    lastStart = prevStart;
    lastEnd = prevEnd;
  }
  let first = 0;
  if (fence) {
    first = nextLineStart(raw, lineEnd(raw, 0));
    if (fence.closeLine !== null && lastStart > 0) {
      if (lastStart <= first - 1) return value === '';
      lineBefore(raw, lastStart);
      lastStart = prevStart;
      lastEnd = prevEnd;
    }
    if (first > lastStart || first >= n) return value === '';
  } else {
    while (first < lastStart && blankRange(raw, first, lineEnd(raw, first))) first = nextLineStart(raw, lineEnd(raw, first));
  }
  const indentLength = indent.length;
  if (first === 0 && raw.charCodeAt(0) === 0xfeff) first = 1;
  // No indentation and no CR: the value is one contiguous slice of raw; compare natively.
  // (substring + === is a native comparison; String.prototype.startsWith is far slower.)
  if (indentLength === 0 && raw.indexOf('\r') < 0) return lastEnd - first === value.length && raw.substring(first, lastEnd) === value;
  let pos = 0;
  let ls = first;
  for (;;) {
    const le = ls === lastStart ? lastEnd : lineEnd(raw, ls);
    pos = matchLine(raw, ls, le, indentLength, value, pos);
    if (pos < 0) return false;
    if (ls >= lastStart) break;
    if (value.charCodeAt(pos) !== 10) return false;
    pos++;
    ls = nextLineStart(raw, le);
  }
  return pos === value.length;
}

/**
 * The value computed at parse time, kept on the source object under a symbol: JSON and structured
 * clones (how VS Code hands cell metadata back) drop symbol keys, so copies are compared in place.
 */
export const VALUE: unique symbol = Symbol('runbook.value');
type Memo = { [VALUE]?: string };
const cache = {
  get(source: CellSource): string | undefined {
    return (source as Memo)[VALUE];
  },
  set(source: CellSource, value: string): void {
    if (Object.isExtensible(source)) (source as Memo)[VALUE] = value;
  },
};

/** True when the cell value equals its source's value (memoised value when known, else compared in place). */
export function sourceShows(source: CellSource, value: string): boolean {
  const v = cache.get(source);
  if (v !== undefined) return v === value;
  return rawShows(source.raw, source.indent, source.fence, value);
}

/** `valueOfRaw` for a cell source (memoised per source object). */
export function valueOf(source: CellSource): string {
  let v = cache.get(source);
  if (v === undefined) {
    v = valueOfRaw(source.raw, source.indent, source.fence);
    cache.set(source, v);
  }
  return v;
}

/** "\r\n" when CRLF line ends outnumber LF ones, else "\n". */
export function dominantEol(text: string): '\n' | '\r\n' {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}
