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
  /** True when the text has a CR (the line ends are then not all LF). */
  readonly cr: boolean;
}

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];
type BlockParser = InstanceType<typeof MarkdownIt>;
type BlockState = InstanceType<BlockParser['block']['State']>;
let parser: BlockParser | undefined;

/** Where the tokens of each finished top-level block go (set while blockTokens runs). */
let sink: ((tokens: Token[], state: BlockState) => void) | undefined;

/**
 * A block rule that never matches: called before every block, at the top level (no list, quote or
 * table open) it hands the tokens of the blocks finished so far to `sink` and lets them go. The
 * token stream is then never held whole: each block's tokens die young, which spares the garbage
 * collector copying them (markdown-it's rules look back at tokens only within their own block).
 */
function drainRule(state: BlockState): boolean {
  if (state.level === 0 && state.tokens.length > 0 && sink) {
    sink(state.tokens, state);
    state.tokens = [];
  }
  return false;
}

/**
 * markdown-it, CommonMark + GFM tables and strikethrough, block rules only (inline parsing is not
 * needed), plus drainRule (which changes no token).
 */
function blockParser(): BlockParser {
  if (!parser) {
    parser = new MarkdownIt('commonmark', { html: true }).enable(['table', 'strikethrough']);
    parser.core.ruler.enableOnly(['normalize', 'block']);
    parser.block.ruler.before('table', 'runbook_drain', drainRule, { alt: [] });
  }
  return parser;
}

const TASK_CONTENT = /^\[[ xX]\](?:[ \t]|$)/;

function blankAt(text: string, starts: number[], i: number): boolean {
  const end = starts[i + 1];
  for (let k = starts[i]; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || c === 13) return true;
    if (c !== 32 && c !== 9 && !(k === 0 && c === 0xfeff)) return false;
  }
  return true;
}

/**
 * Runs markdown-it's block parse of `body` from line `from` on, as `md.parse` gives it with core
 * rules normalize + block (the block parser is called directly: normalizing changes only text with
 * CR or NUL), handing the tokens to `onTokens` a few top-level blocks at a time, in order (with the
 * state, whose line tables are those of the normalized body). When the text was not changed,
 * returns markdown-it's own table of line starts (no second scan for lines).
 */
function blockTokens(body: string, from: number, onTokens: (tokens: Token[], state: BlockState) => void): { lineMarks?: number[]; cr: boolean } {
  const cr = body.indexOf('\r') >= 0;
  if (!body) return { cr };
  const md = blockParser();
  const normal = !cr && body.indexOf('\0') < 0;
  const src = normal ? body : body.replace(/\r\n?|\n/g, '\n').replace(/\0/g, '\uFFFD');
  const state = new md.block.State(src, md, {}, []);
  const outer = sink;
  sink = onTokens;
  try {
    md.block.tokenize(state, from, state.lineMax);
  } finally {
    sink = outer;
  }
  if (state.tokens.length) onTokens(state.tokens, state);
  return normal ? { lineMarks: state.bMarks, cr } : { cr };
}

/**
 * Line starts of `text` (as lineStarts gives them) from markdown-it's line starts `marks` (its
 * array, turned into the result in place) of the text from `offset` on (1 after a byte order mark).
 * markdown-it's last entry is the end of the text; it leaves out a last line of only spaces or tabs
 * without a line end: that line is added here.
 */
function startsFromMarks(text: string, offset: number, marks: number[]): number[] {
  const n = marks.length;
  if (offset > 0) for (let i = 0; i < n; i++) marks[i] += offset;
  const tail = Math.max(text.lastIndexOf('\n') + 1, offset);
  if (tail < text.length && (n === 1 || marks[n - 2] < tail)) {
    marks[n - 1] = tail;
    marks.push(text.length);
  }
  marks[0] = 0;
  return marks;
}

/** The starts of the front matter's lines and of the line after it, scanning only those lines; [] when there is none. */
function frontMatterStarts(text: string): number[] {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const head: number[] = [0];
  const lineAt = (from: number): { text: string; next: number } | undefined => {
    if (from >= text.length) return undefined;
    let e = from;
    while (e < text.length && text.charCodeAt(e) !== 10 && text.charCodeAt(e) !== 13) e++;
    const next = text.charCodeAt(e) === 13 && text.charCodeAt(e + 1) === 10 ? e + 2 : e + 1;
    return { text: text.slice(from, e), next };
  };
  const first = lineAt(i);
  if (!first || first.text !== '---' || first.next > text.length) return [];
  i = first.next;
  for (;;) {
    const line = lineAt(i);
    // The closing line must be a line of its own (lineStarts counts a line only when it has text or an end).
    if (!line) return [];
    head.push(i);
    i = line.next;
    if (line.text === '---' || line.text === '...') {
      head.push(Math.min(i, text.length));
      return head;
    }
  }
}

/** Split points' roles by rank (the stronger role wins a line), as codes: a point is `rank | SOFT | IN_TASK`. */
const PROSE = 1;
const TASK = 2;
const SECTION = 3;
const FENCE = 4;
const FRONT_MATTER = 5;
const RANK = 7;
/** A point that moves off blank lines (as prose points do). */
const SOFT = 8;
/** A fence nested in a task item. */
const IN_TASK = 16;
const ROLE_OF_RANK: readonly Span['role'][] = ['prose', 'prose', 'task', 'section', 'fence', 'frontMatter'];

export function splitSpans(text: string): SplitResult {
  const head = frontMatterStarts(text);
  const fm = head.length ? head.length - 1 : 0;
  // markdown-it reads the whole text from the line after the front matter on (its lines are the
  // text's lines); a byte order mark without front matter is left out (it would end up in the
  // first line's text).
  const bomOnly = fm === 0 && text.charCodeAt(0) === 0xfeff;
  const body = bomOnly ? text.slice(1) : text;
  // Split points, in two arrays (no object per point): line, and rank | SOFT | IN_TASK.
  const pointLines: number[] = [];
  const pointCodes: number[] = [];
  const point = (line: number, code: number): void => {
    pointLines.push(line);
    pointCodes.push(code);
  };
  if (fm > 0) point(0, FRONT_MATTER);
  // (Dropped below when there is no line after the front matter.)
  point(fm, PROSE | SOFT);
  const lists: { hadFence: boolean }[] = [];
  const items: boolean[] = [];
  let quotes = 0;
  const scan = (tokens: Token[], state: BlockState): void => {
    // Two blank lines right before a block (outside blockquotes) end the cell before it: this is
    // how a cell added in the notebook is written, so that it comes back as its own cell.
    const afterTwoBlank = (line: number) => line - fm >= 2 && state.isEmpty(line - 1) && state.isEmpty(line - 2);
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
          if (quotes === 0 && t.map && afterTwoBlank(t.map[0])) point(t.map[0], PROSE);
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
          if (isTask) point(t.map[0], TASK);
          else if ((lists.length && lists[lists.length - 1].hadFence) || afterTwoBlank(t.map[0])) point(t.map[0], PROSE);
          break;
        }
        case 'heading_open':
          if (quotes === 0 && lists.length === 0 && t.map) point(t.map[0], SECTION);
          else if (quotes === 0 && t.map && afterTwoBlank(t.map[0])) point(t.map[0], PROSE);
          break;
        case 'paragraph_open':
        case 'code_block':
        case 'html_block':
        case 'table_open':
        case 'hr':
          if (quotes === 0 && t.map && afterTwoBlank(t.map[0])) point(t.map[0], PROSE);
          break;
        case 'fence':
          if (quotes > 0 || !t.map) break;
          point(t.map[0], items.length > 0 && items[items.length - 1] ? FENCE | IN_TASK : FENCE);
          point(t.map[1], PROSE | SOFT);
          for (const l of lists) l.hadFence = true;
          break;
      }
    }
  };
  const { lineMarks, cr } = blockTokens(body, fm, scan);
  const starts = lineMarks ? startsFromMarks(text, bomOnly ? 1 : 0, lineMarks) : lineStarts(text);
  const lineCount = starts.length - 1;

  // Order, move soft points off blank lines, keep the strongest role per line.
  let order: number[] | undefined;
  for (let k = 1; k < pointLines.length; k++) {
    if (pointLines[k] < pointLines[k - 1]) {
      // By line, the stronger role first; points that tie keep their order.
      order = pointLines.map((_, j) => j);
      order.sort((x, y) => pointLines[x] - pointLines[y] || (pointCodes[y] & RANK) - (pointCodes[x] & RANK) || x - y);
      break;
    }
  }
  // Cell starts: line and code (rank | IN_TASK).
  const startLines: number[] = [];
  const startCodes: number[] = [];
  for (let k = 0; k < pointLines.length; k++) {
    const j = order ? order[k] : k;
    let line = pointLines[j];
    const code = pointCodes[j];
    if (code & SOFT || (code & RANK) === PROSE) {
      while (line < lineCount && blankAt(text, starts, line)) line++;
    }
    if (line >= lineCount) continue;
    const last = startLines.length - 1;
    if (last >= 0 && startLines[last] === line) {
      if ((code & RANK) > (startCodes[last] & RANK)) startCodes[last] = code & ~SOFT;
      continue;
    }
    if (last >= 0 && startLines[last] > line) continue;
    startLines.push(line);
    startCodes.push(code & ~SOFT);
  }
  // A leading run of blank lines at the document start joins the first span (after front matter,
  // the blank lines already stay in the front matter's gap).
  if (fm === 0 && startLines.length && startLines[0] > 0) startLines[0] = 0;
  const spans: Span[] = [];
  for (let k = 0; k < startLines.length; k++) {
    const start = startLines[k];
    const end = k + 1 < startLines.length ? startLines[k + 1] : lineCount;
    const rank = startCodes[k] & RANK;
    spans.push(rank === FENCE ? { start, end, role: 'fence', inTask: (startCodes[k] & IN_TASK) !== 0 } : { start, end, role: ROLE_OF_RANK[rank] });
  }
  if (spans.length === 0 && lineCount > 0) spans.push({ start: 0, end: lineCount, role: 'prose' });
  return { spans, starts, cr };
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
