/**
 * Cuts a runbook's text into spans that tile it exactly, using markdown-it's block tokens and
 * their `map` line ranges. Split points: the end of the front matter, headings outside lists and
 * blockquotes, task items (any list depth), fence starts and the line after each fence (any list
 * depth, not inside blockquotes), list items that follow a fence in the same list, and any block
 * (outside blockquotes) after two or more blank lines.
 * A span that would start on blank lines gives those lines to the span before it (its gap).
 */
import MarkdownIt from 'markdown-it';
import { BOM, leadingWhitespace, lineStarts } from './lines';
import type { CellRole } from './model';

export interface Span {
  /** Line range [start, end). */
  readonly start: number;
  readonly end: number;
  readonly role: Exclude<CellRole, 'error'>;
  /** For fences: nested in a task list item (the innermost item is a task). */
  readonly inTask?: boolean;
}

export interface SplitResult {
  readonly spans: Span[];
  /** Offsets of line starts, plus text.length at the end. */
  readonly starts: number[];
}

type BlockParser = InstanceType<typeof MarkdownIt>;
let parser: BlockParser | undefined;

/** markdown-it, CommonMark + GFM tables and strikethrough, block rules only (inline parsing is not needed). */
function blockParser(): BlockParser {
  if (!parser) {
    parser = new MarkdownIt('commonmark', { html: true }).enable(['table', 'strikethrough']);
    parser.core.ruler.enableOnly(['normalize', 'block']);
  }
  return parser;
}

const TASK_CONTENT = /^\[[ xX]\](?:[ \t]|$)/;

/** Line text without its EOL (and without a BOM on line 0). */
function lineText(text: string, starts: number[], i: number): string {
  let end = starts[i + 1];
  const c = text.charCodeAt(end - 1);
  if (c === 10) end -= text.charCodeAt(end - 2) === 13 && end - 2 >= starts[i] ? 2 : 1;
  else if (c === 13) end -= 1;
  const s = text.slice(starts[i], Math.max(starts[i], end));
  return i === 0 && s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

function blankAt(text: string, starts: number[], i: number): boolean {
  const end = starts[i + 1];
  for (let k = starts[i]; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || c === 13) return true;
    if (c !== 32 && c !== 9 && !(k === 0 && c === 0xfeff)) return false;
  }
  return true;
}

export function frontMatterEnd(text: string, starts: number[]): number {
  const n = starts.length - 1;
  if (n < 2 || lineText(text, starts, 0) !== '---') return 0;
  for (let i = 1; i < n; i++) {
    const t = lineText(text, starts, i);
    if (t === '---' || t === '...') return i + 1;
  }
  return 0;
}

const ROLE_RANK: Record<Span['role'], number> = { frontMatter: 5, fence: 4, section: 3, task: 2, prose: 1 };

export function splitSpans(text: string): SplitResult {
  const starts = lineStarts(text);
  const lineCount = starts.length - 1;
  const points: { line: number; role: Span['role']; soft: boolean; inTask?: boolean }[] = [];
  const fm = frontMatterEnd(text, starts);
  if (fm > 0) points.push({ line: 0, role: 'frontMatter', soft: false });

  const body = fm > 0 ? text.slice(starts[fm]) : text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (lineCount > fm) points.push({ line: fm, role: 'prose', soft: true });
  const tokens = blockParser().parse(body, {});
  // Two blank lines right before a block (outside blockquotes) end the cell before it: this is
  // how a cell added in the notebook is written, so that it comes back as its own cell.
  const afterTwoBlank = (line: number) => line >= 2 && blankAt(text, starts, fm + line - 1) && blankAt(text, starts, fm + line - 2);
  const lists: { hadFence: boolean }[] = [];
  const items: boolean[] = [];
  let quotes = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    switch (t.type) {
      case 'bullet_list_open':
      case 'ordered_list_open':
        lists.push({ hadFence: false });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        break;
      case 'blockquote_open':
        if (quotes === 0 && t.map && afterTwoBlank(t.map[0])) points.push({ line: fm + t.map[0], role: 'prose', soft: false });
        quotes++;
        break;
      case 'blockquote_close':
        quotes--;
        break;
      case 'list_item_close':
        items.pop();
        break;
      case 'list_item_open': {
        items.push(false);
        if (quotes > 0 || !t.map) break;
        const p = tokens[i + 1];
        const inline = tokens[i + 2];
        const isTask = p?.type === 'paragraph_open' && inline?.type === 'inline' && TASK_CONTENT.test(inline.content);
        items[items.length - 1] = isTask;
        if (isTask) points.push({ line: fm + t.map[0], role: 'task', soft: false });
        else if ((lists.length && lists[lists.length - 1].hadFence) || afterTwoBlank(t.map[0])) points.push({ line: fm + t.map[0], role: 'prose', soft: false });
        break;
      }
      case 'heading_open':
        if (quotes === 0 && lists.length === 0 && t.map) points.push({ line: fm + t.map[0], role: 'section', soft: false });
        else if (quotes === 0 && t.map && afterTwoBlank(t.map[0])) points.push({ line: fm + t.map[0], role: 'prose', soft: false });
        break;
      case 'paragraph_open':
      case 'code_block':
      case 'html_block':
      case 'table_open':
      case 'hr':
        if (quotes === 0 && t.map && afterTwoBlank(t.map[0])) points.push({ line: fm + t.map[0], role: 'prose', soft: false });
        break;
      case 'fence':
        if (quotes > 0 || !t.map) break;
        points.push({ line: fm + t.map[0], role: 'fence', soft: false, inTask: items.length > 0 && items[items.length - 1] });
        points.push({ line: fm + t.map[1], role: 'prose', soft: true });
        for (const l of lists) l.hadFence = true;
        break;
    }
  }

  // Order, move soft points off blank lines, keep the strongest role per line.
  let sorted = true;
  for (let k = 1; k < points.length && sorted; k++) if (points[k].line < points[k - 1].line) sorted = false;
  if (!sorted) points.sort((a, b) => a.line - b.line || ROLE_RANK[b.role] - ROLE_RANK[a.role]);
  const byLine: { line: number; role: Span['role']; inTask?: boolean }[] = [];
  for (let k = 0; k < points.length; k++) {
    let { line } = points[k];
    const { role, soft, inTask } = points[k];
    if (soft || role === 'prose') {
      while (line < lineCount && blankAt(text, starts, line)) line++;
    }
    if (line >= lineCount) continue;
    const last = byLine[byLine.length - 1];
    if (last && last.line === line) {
      if (ROLE_RANK[role] > ROLE_RANK[last.role]) {
        last.role = role;
        last.inTask = inTask;
      }
      continue;
    }
    if (last && last.line > line) continue;
    byLine.push({ line, role, inTask });
  }
  // A leading run of blank lines at the document start joins the first span (after front matter,
  // the blank lines already stay in the front matter's gap).
  if (fm === 0 && byLine.length && byLine[0].line > 0) byLine[0].line = 0;
  const spans: Span[] = [];
  for (let k = 0; k < byLine.length; k++) {
    const start = byLine[k].line;
    const end = k + 1 < byLine.length ? byLine[k + 1].line : lineCount;
    spans.push({ start, end, role: byLine[k].role, ...(byLine[k].role === 'fence' ? { inTask: !!byLine[k].inTask } : {}) });
  }
  if (spans.length === 0 && lineCount > 0) spans.push({ start: 0, end: lineCount, role: 'prose' });
  return { spans, starts };
}

/** The fence's opening line split into indentation, marker and info string. */
export function fenceParts(openLine: string): { indent: string; marker: string; info: string } {
  const line = openLine.charCodeAt(0) === 0xfeff ? openLine.slice(1) : openLine;
  const indent = leadingWhitespace(line);
  const ch = line[indent.length];
  let j = indent.length;
  while (j < line.length && line[j] === ch) j++;
  return { indent: openLine.startsWith(BOM) ? BOM + indent : indent, marker: line.slice(indent.length, j), info: line.slice(j).trim() };
}

/** True when `line` closes a fence opened with `marker` (same character, at least as long, nothing after). */
export function closesFence(line: string, marker: string): boolean {
  const t = line.trim();
  if (t.length < marker.length) return false;
  const ch = marker[0];
  for (let i = 0; i < t.length; i++) if (t[i] !== ch) return false;
  return true;
}
