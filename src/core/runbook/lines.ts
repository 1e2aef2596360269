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

/** The longest whitespace prefix shared by the non-blank lines. */
export function commonIndent(texts: readonly string[]): string {
  let indent: string | undefined;
  for (const t of texts) {
    if (isBlank(t)) continue;
    const ws = leadingWhitespace(t);
    if (indent === undefined) indent = ws;
    else {
      let k = 0;
      const m = Math.min(indent.length, ws.length);
      while (k < m && indent.charCodeAt(k) === ws.charCodeAt(k)) k++;
      if (k < indent.length) indent = indent.slice(0, k);
    }
    if (indent === '') return '';
  }
  return indent ?? '';
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
  while (end > 0 && isBlank(lines[end - 1].text)) end--;
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

/**
 * The value a cell shows, derived from its raw bytes: LF line ends, the common indentation removed,
 * leading/trailing blank lines (the gap) dropped, and for fences the opening/closing lines dropped.
 */
export function valueOfRaw(raw: string, indent: string, fence?: FenceFrame): string {
  // Fast path: plain markup, no indentation, no CR, no BOM.
  if (!fence && indent === '' && raw.indexOf('\r') < 0 && raw.charCodeAt(0) !== 0xfeff) {
    let s = 0;
    const n = raw.length;
    // skip leading blank lines
    for (;;) {
      let i = s;
      while (i < n && (raw.charCodeAt(i) === 32 || raw.charCodeAt(i) === 9)) i++;
      if (i < n && raw.charCodeAt(i) === 10) s = i + 1;
      else if (i >= n) return '';
      else break;
    }
    let e = n;
    // drop trailing blank lines (and the final EOL)
    for (;;) {
      let i = e;
      while (i > s && (raw.charCodeAt(i - 1) === 32 || raw.charCodeAt(i - 1) === 9)) i--;
      if (i > s && raw.charCodeAt(i - 1) === 10) e = i - 1;
      else break;
    }
    // e now points at the end of the last non-blank line, but a blank tail without EOL may remain
    return raw.slice(s, e);
  }
  const layout = layoutOf(raw, fence);
  let out = '';
  for (let i = layout.start; i < layout.end; i++) {
    if (i > layout.start) out += '\n';
    out += contentText(layout, i, indent);
  }
  return out;
}

const cache = new WeakMap<object, string>();

/** `valueOfRaw` for a cell source (memoised per source object). */
export function valueOf(source: CellSource): string {
  let v = cache.get(source);
  if (v === undefined) {
    v = valueOfRaw(source.raw, source.indent, source.fence);
    cache.set(source, v);
  }
  return v;
}

/** Records the value computed at parse time so that later comparisons are cheap. */
export function rememberValue(source: CellSource, value: string): void {
  cache.set(source, value);
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
