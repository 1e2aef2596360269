/**
 * convertGuide: a migration or rollback guide (markdown, a saved HTML page, or plain text copied
 * from one) → a runbook. Headings, checklist items and prose are kept as they are; `curl`
 * commands become `http` checks, other shell commands `shell` checks, Python blocks `python`
 * checks, "Pass condition:" sentences `??warn` conditions to review (or a `manual` step quoting
 * the sentence), destructive commands destructive checks; variables and placeholders become
 * front-matter inputs. Pure and deterministic: the same text, source name and clock give the same
 * bytes, and a text that already is a runbook comes back unchanged.
 */
import { oneLine as fitLine } from '../text';
import MarkdownIt from 'markdown-it';
import { stringify as yamlStringify } from 'yaml';
import { envName } from '../checks/template';
import { SENSITIVE_HEADERS } from '../http/request';
import { formatInfoString } from '../runbook/infoString';
import { parseRunbook } from '../runbook/parse';
import { cleanSentence, conditionLineParts, conditionsFrom, type ConditionKind, type GeneratedCondition } from './conditions';
import { parseCurl, startsWithCurl, type CurlRequest } from './curl';
import { stripHeadingPermalink } from './headingGlyph';
import { ANCHOR_CLOSE, ANCHOR_OPEN, htmlToMarkdown } from './html';
import { InputSet, isAmbientVariable, type ConvertedInput } from './inputs';
import { BAD_REF, hasRefs, markPlaceholders, refsIn, replaceRefs, sanitize, type Ref } from './refs';
import { splitShellBlock, stripPrompt, type ShellCommand } from './shell';
import { COMMAND_WORDS, textToMarkdown } from './text';

export type GuideFormat = 'markdown' | 'html' | 'text';

export interface ConvertOptions {
  /** How checks link back to the guide: a path relative to the runbook, or a URL (`guide.md` → `guide.md#L12`). */
  readonly source: string;
  /** When the conversion happened (ISO 8601), recorded in the front matter. */
  readonly convertedAt: string;
  /** Detected from the file name and the text when absent. */
  readonly format?: GuideFormat;
  /** The guide's file name, for format detection. */
  readonly fileName?: string;
}

export interface ConvertedCheck {
  readonly kind: 'http' | 'shell' | 'python' | 'manual';
  /** Where in the guide it came from (`guide.md#L12`, `page.html#anchor`). */
  readonly link: string;
  /** 1-based guide line, when known. */
  readonly line?: number;
  /** One line: the request, the command, or the quoted sentence. */
  readonly what: string;
  /** The generated conditions (without `??warn`). */
  readonly conditions: readonly string[];
  readonly destructive: boolean;
  /** Why it became a manual step, or why a curl command stayed a shell check. */
  readonly why?: string;
  readonly notes: readonly string[];
}

export interface ConvertResult {
  /** The runbook markdown (the input itself when `unchanged`). */
  readonly text: string;
  /** True when the input already was a runbook: nothing was converted. */
  readonly unchanged: boolean;
  readonly format: GuideFormat;
  readonly title: string;
  readonly checks: readonly ConvertedCheck[];
  readonly inputs: readonly ConvertedInput[];
}

/** Guides larger than this are refused (a guide is a page, not a data dump). */
export const MAX_GUIDE_CHARS = 8 * 1024 * 1024;

/** HTML costs far more per byte (the HTML-to-markdown library), so pages have a lower limit. */
export const MAX_HTML_CHARS = 3 * 1024 * 1024;

export class GuideTooLargeError extends Error {}

// ---------------------------------------------------------------------------------------------
// Format detection and "already a runbook"

export function detectFormat(text: string, fileName?: string): GuideFormat {
  const ext = (fileName ?? '').toLowerCase().replace(/^.*\./, '.');
  if (ext === '.html' || ext === '.htm' || ext === '.xhtml') return 'html';
  if (ext === '.md' || ext === '.markdown' || ext === '.mdx') return 'markdown';
  const head = text.slice(0, 4000).trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || /<(?:body|article|main)[\s>]/.test(head)) return 'html';
  if (ext === '.txt') return 'text';
  // Markdown when it has fences, ATX headings or link syntax; text when it has ¶ headings.
  const sample = text.slice(0, 200_000);
  if (/[¶§][ \t]*$/m.test(sample)) return 'text';
  if (/^(?:```|~~~|#{1,6}\s)/m.test(sample)) return 'markdown';
  return 'text';
}

const RUNBOOK_ONLY_KINDS = new Set(['http', 'engramia', 'manual', 'confirm', 'analyze']);

/** A runbook already: front matter with inputs or a conversion record, or checks only runbooks write. */
export function isRunbook(text: string): boolean {
  // Cheap test first: only a front matter or a fence a runbook would write makes parsing worthwhile.
  if (!/^\uFEFF?---[ \t]*\r?$/m.test(text.slice(0, 8)) && !/^[ \t>]{0,12}(?:`{3,}|~{3,})[ \t]*(?:(?:http|engramia|manual|confirm|analyze)\b|[\w-]{1,20}[ \t]*\{)/im.test(text)) return false;
  const doc = parseRunbook(text);
  if (doc.failure) return false;
  const data = doc.frontMatter?.data;
  if (data && ('converted' in data || 'inputs' in data)) return true;
  for (const cell of doc.cells) {
    const c = cell.check;
    if (!c) continue;
    if (RUNBOOK_ONLY_KINDS.has(c.kind) || c.attributeStyle !== 'none') return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Planned checks

interface BareRequest {
  readonly method: string;
  /** Path and query, references marked. */
  readonly path: string;
}

interface Planned {
  kind: 'http' | 'shell' | 'python' | 'manual';
  readonly link: string;
  readonly line?: number;
  /**
   * Comment lines (without `# `) written at the top of the body. This and the other lists of a
   * check are replaced, not pushed to: kept until rendering, they should not carry the spare room
   * a pushed array grows (a large guide has thousands of checks).
   */
  comments: string[];
  /** An http check's curl command as the guide writes it, quoted among the comments at index guideAt. */
  guideText?: string;
  guideAt: number;
  curl?: CurlRequest;
  bare?: BareRequest;
  /** shell / python body, as written in the guide. */
  code?: string;
  manualText?: string;
  title?: string;
  destructive: boolean;
  confirmWord?: string;
  conditions: GeneratedCondition[];
  why?: string;
  notes: string[];
  what: string;
  /** Written into the runbook (a check of an overlapping edit is not). */
  rendered?: boolean;
  /** originOf(curl.url), worked out once (sharedHosts) for rendering; null until then. */
  origin: string | undefined | null;
}

/**
 * The comments and conditions of a check that has none: one shared array (frozen: those lists are
 * only ever replaced), not an empty array per check kept until rendering.
 */
const NONE: never[] = Object.freeze([]) as unknown as never[];

interface Edit {
  /** Replace lines [start, end) of the markdown (start === end: insert before `start`). */
  readonly start: number;
  readonly end: number;
  readonly indent: string;
  readonly checks: Planned[];
  /** Text to write instead of checks, its lines joined (e.g. a fence relabelled `text`, a cleaned heading). */
  readonly replacement: string | undefined;
  readonly seq: number;
}

const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'zsh', 'console', 'shell-session', 'sh-session', 'shellsession', 'terminal', 'ksh']);
const PYTHON_LANGS = new Set(['python', 'py', 'python3']);
const PROCESS_KIND_WORDS = new Set(['bash', 'sh', 'shell', 'python', 'py']);
const PASS = /^\s*(?:\*\*|__|_|\*)?\s*(?:pass(?:ing)?[ -]condition|expected(?: result| output| outcome)?|success(?: criteria| criterion)?|verify|verification)\s*(?::\s*(?:\*\*|__|_|\*)?|(?:\*\*|__|_|\*)\s*:)\s*/i;
const DESTRUCTIVE_PATH = /(?:^|[/_.-])(delete|purge|drop|destroy|wipe|truncate|erase)(?:$|[/_.?&=-])/i;

const DESTRUCTIVE_SHELL: readonly [RegExp, string][] = [
  [/\brm\s+(?:-\w*[rRf]\w*\s+)+/, 'rm'],
  [/\bdocker(?:-compose|\s+compose)\s+(?:\S+\s+){0,6}down\b/, 'down'],
  [/\b(?:kubectl|helm)\s+(?:\S+\s+){0,4}(?:delete|uninstall)\b/, 'delete'],
  [/\bdrop\s+(?:table|database|schema|index|user)\b/i, 'drop'],
  [/\bdropdb\b/, 'drop'],
  [/\btruncate\s+(?:table\s+)?\w/i, 'truncate'],
  [/\b(?:purge|prune)\b/, 'purge'],
  [/\bterraform\s+destroy\b/, 'destroy'],
  [/\bcurl\b[^\n]{0,400}?(?:-X\s*|--request\s+)['"]?DELETE\b/, 'delete'],
  [/\bmkfs\b|\bdd\s+if=/, 'overwrite'],
];

function destructiveShell(code: string): string | undefined {
  const text = code.slice(0, 20_000);
  for (const [re, word] of DESTRUCTIVE_SHELL) if (re.test(text)) return word;
  return undefined;
}

function looksLikeCommand(code: string): boolean {
  return COMMAND_WORDS.test(code.trim());
}

const BARE = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\s+(\S{1,2000})$/;

// ---------------------------------------------------------------------------------------------

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];
type BlockParser = { md: InstanceType<typeof MarkdownIt>; State: InstanceType<typeof MarkdownIt>['block']['State'] };
let blockParser: BlockParser | undefined;

/**
 * The block parser, and its block state with a faster `push`: markdown-it's compiled Token class
 * sets each field with Object.defineProperty (a descriptor object each), which a large guide's
 * tens of thousands of tokens pay for. The tokens are the same: same fields, same prototype
 * (instanceof Token, its methods), same push (block, level).
 */
export function parsers(): BlockParser {
  if (!blockParser) {
    const md = new MarkdownIt('commonmark', { html: true }).enable(['table', 'strikethrough']);
    md.core.ruler.enableOnly(['normalize', 'block']);
    const Base = md.block.State;
    const TokenClass = new Base('', md, {}, []).Token;
    // Fields assigned in the constructor (not class fields, which compile to defineProperty too).
    const PlainToken = function (this: Token, type: string, tag: string, nesting: -1 | 0 | 1) {
      this.map = null;
      this.level = 0;
      this.children = null;
      this.content = '';
      this.markup = '';
      this.info = '';
      this.block = false;
      this.hidden = false;
      this.type = type;
      this.tag = tag;
      this.attrs = null;
      this.nesting = nesting;
      this.meta = null;
    } as unknown as new (type: string, tag: string, nesting: -1 | 0 | 1) => Token;
    PlainToken.prototype = TokenClass.prototype;
    class State extends Base {
      override push(type: string, tag: string, nesting: -1 | 0 | 1): Token {
        const token = new PlainToken(type, tag, nesting);
        token.block = true;
        if (nesting < 0) this.level--;
        token.level = this.level;
        if (nesting > 0) this.level++;
        this.tokens.push(token);
        return token;
      }
    }
    blockParser = { md, State };
  }
  return blockParser;
}

/** About how much markdown markdown-it parses at a time (see blockTokenPieces). */
const CHUNK_CHARS = 32 * 1024;

/** Where each line of `text` (LF line ends) starts, then one past its end: line i is text.slice(at[i], at[i + 1] - 1). */
export function lineStarts(text: string): Int32Array {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  const at = new Int32Array(n + 1);
  let k = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) at[k++] = i + 1;
  at[n] = text.length + 1;
  return at;
}

/**
 * markdown-it's block tokens of `text` from line `from` on (`at`: its lineStarts), in pieces of
 * about `chunkChars`, each with the line its token maps count from: each piece is parsed on its
 * own and can be dropped once walked, so the tokens of a large guide are never all alive at once.
 * A top-level block ends where it ends whatever follows it, except the last block of a piece
 * (cut off by the piece's end): that one is parsed again as the first block of the next piece.
 * The tokens are those `md.parse` gives with core rules normalize + block: the text has LF line
 * ends already, so normalizing changes it only where it has NUL characters.
 */
export function* blockTokenPieces(text: string, at: Int32Array, from: number, chunkChars = CHUNK_CHARS): Generator<readonly [Token[], number]> {
  const { md, State } = parsers();
  const count = at.length - 1;
  let a = from;
  if (a >= count || at[a]! >= text.length) return;
  // NUL characters: markdown-it's normalizing pass replaces them; parse the whole text as it does.
  if (text.indexOf('\0', at[a]!) >= 0) {
    yield [md.parse(text.slice(at[a]!), {}), a];
    return;
  }
  // Parsing again is bounded: past this many characters, or when one block fills a piece four
  // times the size (a fence that never closes, a huge list), the rest is parsed in one piece.
  let budget = 2 * (text.length - at[a]!) + 8 * chunkChars;
  let size = chunkChars;
  while (a < count) {
    let e = a + 1;
    while (e < count && at[e]! - at[a]! < size) e++;
    const whole = e >= count || budget <= 0 || size > 4 * chunkChars;
    const src = whole ? text.slice(at[a]!) : text.slice(at[a]!, at[e]!);
    budget -= src.length;
    const tokens: Token[] = [];
    if (src) {
      const state = new State(src, md, {}, tokens);
      md.block.tokenize(state, state.line, state.lineMax);
    }
    if (whole) {
      yield [tokens, a];
      return;
    }
    let last = tokens.length - 1;
    while (last >= 0 && (tokens[last]!.level !== 0 || tokens[last]!.nesting === -1)) last--;
    const next = last > 0 ? tokens[last]!.map![0] : 0;
    if (next <= 0) {
      size *= 2; // one block fills the piece: parse a larger one
      continue;
    }
    tokens.length = last;
    yield [tokens, a];
    a += next;
    size = chunkChars;
  }
}

interface InlinePart {
  readonly type: 'text' | 'code';
  readonly text: string;
}

/** Text and code spans of an inline markdown string (CommonMark code spans; one linear pass). */
function inlineParts(content: string): InlinePart[] {
  const out: InlinePart[] = [];
  const n = content.length;
  let text = '';
  let i = 0;
  while (i < n) {
    const tick = content.indexOf('`', i);
    const slash = content.indexOf('\\', i);
    if (slash >= 0 && (tick < 0 || slash < tick)) {
      text += content.slice(i, slash + 2);
      i = slash + 2;
      continue;
    }
    if (tick < 0) {
      text += content.slice(i);
      break;
    }
    text += content.slice(i, tick);
    i = tick;
    let run = 1;
    while (i + run < n && content.charCodeAt(i + run) === 96) run++;
    // The closing run of exactly `run` backticks.
    let j = i + run;
    let close = -1;
    while (j < n) {
      const k = content.indexOf('`', j);
      if (k < 0) break;
      let r = 1;
      while (k + r < n && content.charCodeAt(k + r) === 96) r++;
      if (r === run) {
        close = k;
        break;
      }
      j = k + r;
    }
    if (close < 0) {
      text += content.slice(i, i + run);
      i += run;
      continue;
    }
    if (text) out.push({ type: 'text', text });
    text = '';
    let code = content.slice(i + run, close).replace(/\n/g, ' ');
    if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim()) code = code.slice(1, -1);
    out.push({ type: 'code', text: code });
    i = close + run;
  }
  if (text) out.push({ type: 'text', text });
  return out;
}

function plain(parts: readonly InlinePart[]): string {
  return parts.map((p) => (p.type === 'code' ? `\`${p.text}\`` : p.text)).join('');
}

// ---------------------------------------------------------------------------------------------

export function convertGuide(input: string, options: ConvertOptions): ConvertResult {
  if (input.length > MAX_GUIDE_CHARS) throw new GuideTooLargeError(`the guide is ${Math.round(input.length / 1024 / 1024)} MB; the limit is ${MAX_GUIDE_CHARS / 1024 / 1024} MB`);
  const format = options.format ?? detectFormat(input, options.fileName);
  if (format === 'html' && input.length > MAX_HTML_CHARS) throw new GuideTooLargeError(`the page is ${(input.length / 1024 / 1024).toFixed(1)} MB; the limit for HTML is ${MAX_HTML_CHARS / 1024 / 1024} MB (save the page as text, or only its main part)`);
  if (format !== 'html' && isRunbook(input)) {
    const title = parseRunbook(input).frontMatter?.title ?? options.source;
    return { text: input, unchanged: true, format, title, checks: [], inputs: [] };
  }
  const eol = format !== 'html' && /\r\n/.test(input.slice(0, 100_000)) && (input.match(/\r\n/g)?.length ?? 0) * 2 >= (input.match(/\n/g)?.length ?? 0) ? '\r\n' : '\n';
  const text = sanitize(input.replace(/^\uFEFF/, '')).replace(/\r\n?/g, '\n');

  /** The markdown the checks are written into (LF line ends, no final line end). */
  let markdown: string;
  let lineLink: (mdLine: number) => { link: string; line?: number };
  if (format === 'html') {
    const md = htmlToMarkdown(text);
    const lines = md.split('\n');
    const anchors: (string | undefined)[] = new Array(lines.length);
    let current: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      const open = l.indexOf(ANCHOR_OPEN);
      if (open >= 0) {
        const close = l.indexOf(ANCHOR_CLOSE, open);
        current = l.slice(open + 1, close > open ? close : undefined);
        lines[i] = l.slice(0, open) + (close > open ? l.slice(close + 1) : '');
      }
      anchors[i] = current;
    }
    markdown = lines.join('\n');
    lineLink = (i) => ({ link: anchors[i] ? `${options.source}#${anchors[i]}` : options.source });
  } else if (format === 'text') {
    const t = textToMarkdown(text);
    markdown = t.lines.join('\n');
    lineLink = (i) => ({ link: `${options.source}#L${t.origin[i] ?? 1}`, line: t.origin[i] ?? 1 });
  } else {
    // The guide's own text: its lines are read in place (a final line end does not start a line).
    markdown = text.length > 0 && text.charCodeAt(text.length - 1) === 10 ? text.slice(0, -1) : text;
    lineLink = (i) => ({ link: `${options.source}#L${i + 1}`, line: i + 1 });
  }

  const state = new Converter(markdown, lineLink);
  state.walk();
  return state.finish(format, { ...options, eol });
}

interface ItemFrame {
  readonly line: number;
  readonly indent: string;
  readonly task: boolean;
  label: string;
  firstParagraphEnd: number;
  hasCheck: boolean;
  readonly blockquote: boolean;
}

class Converter {
  private readonly edits: Edit[] = [];
  private readonly planned: Planned[] = [];
  readonly inputs = new InputSet();
  private seq = 0;
  private heading = '';
  private title: string | undefined;
  private frontMatterData: Record<string, unknown> | undefined;
  private frontMatterEnd = 0;
  /** Checks made from the block right before the current one (a pass condition attaches to the last). */
  private previousChecks: Planned[] = [];

  /** Where each line of `markdown` starts, and one past its end (see lineStarts). */
  private readonly at: Int32Array;
  /** The number of lines. */
  private readonly count: number;

  constructor(
    private readonly markdown: string,
    private readonly lineLink: (mdLine: number) => { link: string; line?: number },
  ) {
    this.at = lineStarts(markdown);
    this.count = this.at.length - 1;
  }

  /** Line `i` of the markdown (0-based, without its line end). */
  private line(i: number): string {
    return this.markdown.slice(this.at[i]!, this.at[i + 1]! - 1);
  }

  /** Lines [start, end) joined with LF (start < end). */
  private range(start: number, end: number): string {
    return this.markdown.slice(this.at[start]!, this.at[end]! - 1);
  }

  private edit(start: number, end: number, indent: string, checks: Planned[], replacement?: string): void {
    this.edits.push({ start, end, indent, checks, replacement, seq: this.seq++ });
    for (const c of checks) this.planned.push(c);
  }

  private plan(kind: Planned['kind'], mdLine: number, what: string): Planned {
    const { link, line } = this.lineLink(mdLine);
    // Every field from the start: one object shape for all checks.
    return {
      kind, link, line, comments: NONE, guideText: undefined, guideAt: -1, curl: undefined, bare: undefined, code: undefined, manualText: undefined, title: undefined,
      destructive: false, confirmWord: undefined, conditions: NONE, why: undefined, notes: [], what, rendered: false, origin: null,
    };
  }

  walk(): void {
    this.readFrontMatter();
    const items: ItemFrame[] = [];
    let quote = 0;
    for (const [tokens, offset] of blockTokenPieces(this.markdown, this.at, this.frontMatterEnd)) {
      for (let k = 0; k < tokens.length; k++) {
        const t = tokens[k]!;
        // The block's lines [map0, map1) in the whole markdown (hasMap: the token has them).
        const hasMap = !!t.map;
        const map0 = hasMap ? t.map![0] + offset : 0;
        const map1 = hasMap ? t.map![1] + offset : 0;
        switch (t.type) {
          case 'blockquote_open': quote++; break;
          case 'blockquote_close': quote--; break;
          case 'heading_open': {
            const inline = tokens[k + 1]!;
            const title = stripHeadingPermalink(unescapeMarkdown(inline.content)).trim();
            if (!quote && !items.length) {
              this.heading = title;
              this.title ??= title;
            }
            if (hasMap && t.markup.startsWith('#') && /[¶§]/.test(inline.content)) {
              const line = this.line(map0);
              const cleaned = stripHeadingPermalink(line);
              this.edit(map0, map0 + 1, '', [], cleaned);
            }
            this.previousChecks = [];
            break;
          }
          case 'list_item_open': {
            if (!hasMap) break;
            const line = this.line(map0);
            const m = /^([ \t]*(?:[-+*]|\d{1,9}[.)])[ \t]+)/.exec(line.replace(/^(?:[ \t]*>[ \t]?)+/, ''));
            const indent = spaces(m ? widthOf(m[1]!) : widthOf(line.match(/^[ \t]*/)![0]) + 2);
            const inline = tokens[k + 2];
            const task = tokens[k + 1]?.type === 'paragraph_open' && !!inline && /^\[[ xX]\](?:[ \t]|$)/.test(inline.content);
            items.push({ line: map0, indent, task, label: task ? inline!.content.replace(/^\[[ xX]\][ \t]*/, '') : '', firstParagraphEnd: -1, hasCheck: false, blockquote: quote > 0 });
            this.previousChecks = [];
            break;
          }
          case 'paragraph_open': {
            const inline = tokens[k + 1]!;
            const item = items[items.length - 1];
            if (item && hasMap && item.firstParagraphEnd < 0) {
              item.firstParagraphEnd = map1;
              if (item.task && !quote) this.taskParagraph(item, map0, inline.content);
              break;
            }
            if (!quote && hasMap) this.paragraph(map0, map1, inline.content, items.length ? items[items.length - 1]!.indent : '');
            break;
          }
          case 'list_item_close': {
            const item = items.pop();
            if (item && item.task && !item.hasCheck && !item.blockquote && item.label.trim()) {
              const end = item.firstParagraphEnd >= 0 ? item.firstParagraphEnd : item.line + 1;
              const sentence = cleanSentence(stripMarkdown(item.label));
              const p = this.plan('manual', item.line, sentence);
              p.manualText = sentence;
              p.why = 'a checklist item with no command to run';
              this.edit(end, end, item.indent, [p]);
            }
            this.previousChecks = [];
            break;
          }
          case 'fence': {
            if (quote || !hasMap) break;
            const item = items[items.length - 1];
            const checks = this.fence(t.info, t.content, map0, map1, t.markup);
            if (checks && checks.length && item?.task) item.hasCheck = true;
            this.previousChecks = checks ?? [];
            break;
          }
          case 'bullet_list_open': case 'ordered_list_open': case 'table_open': case 'html_block': case 'code_block': case 'hr':
            if (!items.length) this.previousChecks = [];
            break;
          default: break;
        }
      }
    }
  }

  /** A front matter the guide already has: its keys are kept (ours win), its lines replaced. */
  private readFrontMatter(): void {
    if (this.line(0) !== '---') return;
    for (let i = 1; i < Math.min(this.count, 500); i++) {
      const l = this.line(i);
      if (l === '---' || l === '...') {
        const doc = parseRunbook(this.range(0, i + 1) + '\n');
        const data = doc.frontMatter?.data;
        if (data && !doc.frontMatter?.error) {
          this.frontMatterData = { ...data };
          this.frontMatterEnd = i + 1;
          if (typeof data.title === 'string') this.title = data.title;
        }
        return;
      }
    }
  }

  /** The first paragraph of a checklist item: an inline command becomes its check. */
  private taskParagraph(item: ItemFrame, line: number, content: string): void {
    const parts = inlineParts(content.replace(/^\[[ xX]\][ \t]*/, ''));
    const idx = parts.findIndex((p, i) => p.type === 'code' && (looksLikeCommand(p.text) || (/^[a-z][\w.-]{1,40}(?:\s|$)/.test(p.text.trim()) && /^\s*(?:reports?|prints?|returns?|outputs?|shows?|says?)\b/.test(parts[i + 1]?.text ?? ''))));
    if (idx < 0) return;
    const code = stripPrompt(parts[idx]!.text.trim());
    const after = plain(parts.slice(idx + 1));
    const sentence = cleanSentence(unescapeMarkdown(after));
    let p: Planned | undefined;
    const bare = BARE.exec(code);
    if (bare && !/^https?:/i.test(bare[2]!)) {
      p = this.plan('http', line, `${bare[1]} ${bare[2]}`);
      p.bare = { method: bare[1]!, path: markPlaceholders(bare[2]!) };
    } else if (bare) {
      p = this.plan('http', line, code);
      p.curl = { method: bare[1]!, url: markPlaceholders(bare[2]!), headers: [], insecure: false, notes: [] };
    } else if (startsWithCurl(code)) {
      p = this.curlCheck(code, code, [], line, []);
    } else {
      p = this.plan('shell', line, code);
      p.code = code;
      this.shellDestructive(p);
    }
    if (!p.curl || bare) {
      p.comments = [`guide: ${oneLine(stripMarkdown(item.label), 160)}`];
    }
    this.addConditions(p, sentence);
    item.hasCheck = true;
    this.edit(item.firstParagraphEnd, item.firstParagraphEnd, item.indent, [p]);
  }

  private addConditions(p: Planned, sentence: string): boolean {
    if (!sentence || p.kind === 'manual') return false;
    const conds = conditionsFrom(sentence, p.kind as ConditionKind, this.inputs);
    if (conds.length) p.conditions = p.conditions.concat(conds);
    return conds.length > 0;
  }

  /** A paragraph outside items: "Pass condition: …" attaches to the check right before, or becomes a manual step. */
  private paragraph(start: number, end: number, content: string, indent: string): void {
    const m = PASS.exec(content);
    if (!m) {
      this.previousChecks = [];
      return;
    }
    const sentence = cleanSentence(unescapeMarkdown(content.slice(m[0].length)));
    const quoted = cleanSentence(stripMarkdown(content.slice(m[0].length)));
    const target = this.previousChecks[this.previousChecks.length - 1];
    this.previousChecks = [];
    if (target && this.addConditions(target, sentence)) {
      target.comments = target.comments.concat(`pass condition in the guide: ${oneLine(quoted, 200)}`);
      return;
    }
    const p = this.plan('manual', start, quoted);
    p.manualText = quoted;
    p.title = oneLine(this.heading || quoted, 80);
    p.why = target ? 'the pass condition names nothing the check can test' : 'a pass condition with no command before it';
    this.edit(end, end, indent, [p]);
  }

  /** A fenced block: shell and Python become checks; anything else stays as written. */
  private fence(info: string, content: string, start: number, end: number, marker: string): Planned[] | undefined {
    const lang = (info.trim().split(/[\s{]/)[0] ?? '').toLowerCase();
    const open = this.line(start);
    const indent = open.match(/^[ \t]*/)![0];
    const bodyStart = start + 1;
    if (PYTHON_LANGS.has(lang)) {
      const p = this.plan('python', bodyStart, firstCodeLine(content));
      p.code = content.replace(/\n$/, '');
      if (p.code.includes('{{')) p.notes.push('{{…}} in a Python check is refused: inputs reach it as environment variables');
      p.title = this.heading || undefined;
      this.edit(start, end, indent, [p]);
      return [p];
    }
    const shellish = SHELL_LANGS.has(lang) || (lang === '' && /^\s{0,8}(?:\$\s+)?curl\s/m.test(content.slice(0, 2000)));
    if (!shellish) return undefined;
    const block = splitShellBlock(content);
    const checks: Planned[] = [];
    let group: Planned | undefined;
    let groupLines: string[] = [];
    const flush = () => {
      if (group) {
        group.code = groupLines.join('\n');
        this.shellDestructive(group);
        checks.push(group);
      }
      group = undefined;
      groupLines = [];
    };
    const locals = localVariables(block.commands);
    for (const cmd of block.commands) {
      if (this.assignment(cmd)) continue;
      if (startsWithCurl(cmd.joined) && !cmd.text.includes('{{')) {
        const parsed = parseCurl(cmd.joined, cmd.heredocs);
        if (parsed.ok) {
          flush();
          checks.push(this.curlCheck(cmd.text, cmd.joined, cmd.heredocs, bodyStart + cmd.line, cmd.comments, parsed.request));
          continue;
        }
        if (!group) group = this.plan('shell', bodyStart + cmd.line, oneLine(cmd.text, 120));
        group.notes.push(`curl stays a shell command: ${parsed.reason}`);
        if (!group.why) group.why = `curl kept as a shell command: ${parsed.reason}`;
      }
      const destructive = destructiveShell(cmd.text);
      if (destructive) flush();
      if (!group) group = this.plan('shell', bodyStart + cmd.line, oneLine(cmd.text, 120));
      for (const c of cmd.comments) groupLines.push(`# ${c}`);
      groupLines.push(this.shellText(cmd.text, locals));
      if (destructive) flush();
    }
    flush();
    for (const c of checks) c.title = this.heading || undefined;
    if (!checks.length) {
      // Nothing to run (comments, assignments, output): keep it as text so it is not a check.
      if (PROCESS_KIND_WORDS.has(lang)) {
        const relabelled = open.replace(/^([ \t]*(?:`{3,}|~{3,})[ \t]*)\S+/, '$1text');
        this.edit(start, end, indent, [], start + 1 < end ? `${relabelled}\n${this.range(start + 1, end)}` : relabelled);
      }
      return [];
    }
    if (marker && checks.length) this.edit(start, end, indent, checks);
    return checks;
  }

  /** `NAME=value` / `export NAME=value` alone on a line: the default of input NAME. */
  private assignment(cmd: ShellCommand): boolean {
    const ph = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]{0,63})=["']?<[A-Za-z][\w %.:-]{0,60}>["']?\s*$/.exec(cmd.joined);
    if (ph) {
      this.inputs.variable(ph[1]!);
      return true;
    }
    const m = ASSIGNMENT.exec(cmd.joined);
    if (!m || cmd.heredocs.length) return false;
    const raw = m[2]!;
    const value = raw.startsWith('"') || raw.startsWith("'") ? raw.slice(1, -1) : raw;
    this.inputs.assignment(m[1]!, value);
    return true;
  }

  /** Shell text: `<placeholder>`s become `${ENV}` of their input; `$VAR`s become inputs. */
  private shellText(text: string, locals: ReadonlySet<string>): string {
    const marked = markPlaceholders(text);
    const out = replaceRefs(marked, (ref) => {
      const input = this.inputs.placeholder(ref.text);
      return `\${${input.env ?? envName(input.name)}}`;
    });
    for (const m of out.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]{0,63})\}|\$([A-Za-z_][A-Za-z0-9_]{0,63})/g)) {
      const name = (m[1] ?? m[2])!;
      if (isAmbientVariable(name) || locals.has(name) || this.isPlaceholderEnv(name)) continue;
      this.inputs.variable(name);
    }
    return out;
  }

  private isPlaceholderEnv(name: string): boolean {
    return this.inputs.all().some((i) => i.description.startsWith("the guide's placeholder") && (i.env ?? envName(i.name)) === name);
  }

  private shellDestructive(p: Planned): void {
    const word = destructiveShell(p.code ?? '');
    if (word) {
      p.destructive = true;
      p.confirmWord = word;
    }
  }

  private curlCheck(text: string, joined: string, heredocs: ShellCommand['heredocs'], line: number, comments: readonly string[], request?: CurlRequest): Planned {
    const parsed = request ? { ok: true as const, request } : parseCurl(joined, heredocs);
    if (!parsed.ok) {
      const p = this.plan('shell', line, oneLine(text, 120));
      p.code = this.shellText(text, new Set());
      p.why = `curl kept as a shell command: ${parsed.reason}`;
      p.notes.push(`curl stays a shell command: ${parsed.reason}`);
      this.shellDestructive(p);
      return p;
    }
    const r = parsed.request;
    const p = this.plan('http', line, `${r.method} ${r.url.replace(/[\uE000\uE003]([^\uE001]*)\uE001/g, '<$1>')}`);
    p.curl = r;
    // The command's own lines are written after its comments when the check is rendered.
    p.comments = comments.length ? comments.slice() : NONE;
    p.guideText = text;
    p.guideAt = p.comments.length;
    if (r.notes.length) p.notes = r.notes.slice();
    const path = r.url.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0]!;
    if (r.method === 'DELETE' || DESTRUCTIVE_PATH.test(path)) p.destructive = true;
    return p;
  }

  // -------------------------------------------------------------------------------------------

  finish(format: GuideFormat, options: ConvertOptions & { eol: '\n' | '\r\n' }): ConvertResult {
    const hosts = this.sharedHosts();
    const body = this.render(hosts);
    const title = this.title ?? options.source.replace(/^.*[\\/]/, '');
    const fm: Record<string, unknown> = { ...(this.frontMatterData ?? {}) };
    delete fm.title;
    delete fm.inputs;
    delete fm.converted;
    const inputs = this.inputs.all();
    const data: Record<string, unknown> = {
      title,
      description:
        (typeof fm.description === 'string' ? `${fm.description} ` : '') +
        `Converted from ${options.source}. Conditions written ??warn were generated from the guide's sentences: review each one, then write ?? to make it a hard condition.`,
      ...Object.fromEntries(Object.entries(fm).filter(([k]) => k !== 'description')),
      converted: { from: options.source, at: options.convertedAt },
      ...(inputs.length ? { inputs: inputs.map(inputYaml) } : {}),
    };
    const yaml = yamlStringify(data, { lineWidth: 0, minContentWidth: 0 }).trimEnd();
    // The body without its leading and trailing line ends, after the front matter and a blank line,
    // ending with a line end: joined once, so the text is one flat string. body[0] is the front
    // matter's place (see render), so the pieces are joined where they are, not copied first.
    let first = 1;
    while (first < body.length) {
      const piece = body[first]!;
      let k = 0;
      while (k < piece.length && piece.charCodeAt(k) === 10) k++;
      if (k === piece.length) {
        first++; // only line ends: it and the line end after it go
        continue;
      }
      if (k) body[first] = piece.slice(k);
      break;
    }
    let last = body.length - 1;
    while (last >= first) {
      const piece = body[last]!;
      let k = piece.length;
      while (k > 0 && piece.charCodeAt(k - 1) === 10) k--;
      if (k === 0) {
        last--;
        continue;
      }
      if (k < piece.length) body[last] = piece.slice(0, k);
      break;
    }
    body[0] = `---\n${yaml}\n---\n`;
    let text: string;
    if (first > last) text = `${body[0]}\n\n`; // no body: the front matter, a blank line, a line end
    else {
      if (first > 1) body.copyWithin(1, first, last + 1);
      const n = last - first + 2;
      body[n] = '';
      body.length = n + 1;
      text = body.join('\n');
    }
    const eolText = options.eol === '\r\n' ? text.replace(/\n/g, '\r\n') : text;
    return {
      text: eolText,
      unchanged: false,
      format,
      title,
      checks: this.planned.filter((p) => p.rendered).map((p) => this.summaryOf(p)),
      inputs,
    };
  }

  private summaryOf(p: Planned): ConvertedCheck {
    // Object literals (no spread objects), in the key order kind, link, line?, what, conditions, destructive, why?, notes.
    const conditions = new Array<string>(p.conditions.length);
    for (let i = 0; i < conditions.length; i++) conditions[i] = p.conditions[i]!.expression;
    const { kind, link, line, what, destructive, why, notes } = p;
    if (line !== undefined) return why ? { kind, link, line, what, conditions, destructive, why, notes } : { kind, link, line, what, conditions, destructive, notes };
    return why ? { kind, link, what, conditions, destructive, why, notes } : { kind, link, what, conditions, destructive, notes };
  }

  /** Origins used by two or more requests (bare paths count toward the guide's only origin). */
  private sharedHosts(): Map<string, ConvertedInput> {
    const counts = new Map<string, { n: number; first: number }>();
    let bare = 0;
    this.planned.forEach((p, i) => {
      if (p.bare) bare++;
      const o = (p.origin = p.curl ? originOf(p.curl.url) : undefined);
      if (!o) return;
      const c = counts.get(o) ?? { n: 0, first: i };
      c.n++;
      counts.set(o, c);
    });
    if (counts.size === 1 && bare) for (const c of counts.values()) c.n += bare;
    const shared = [...counts.entries()].filter(([, c]) => c.n >= 2).sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first);
    const out = new Map<string, ConvertedInput>();
    for (const [origin] of shared) out.set(origin, this.inputs.origin(origin));
    return out;
  }

  /**
   * The runbook's body as pieces of whole lines, to be joined with LF: the guide's unchanged
   * lines are copied a run at a time, each check is one piece. Piece 0 is left empty for the
   * front matter (see finish).
   */
  private render(hosts: Map<string, ConvertedInput>): string[] {
    const bareBase = hosts.size ? [...hosts.values()][0]! : undefined;
    const out: string[] = [''];
    /** Whether the last line written is blank (undefined: nothing written yet). */
    let lastBlank: boolean | undefined;
    const sorted = [...this.edits].sort((a, b) => a.start - b.start || (a.start === a.end ? 0 : 1) - (b.start === b.end ? 0 : 1) || a.seq - b.seq);
    let pos = this.frontMatterEnd;
    const copyTo = (end: number) => {
      if (pos >= end) return;
      out.push(this.range(pos, end));
      lastBlank = this.line(end - 1).trim() === '';
    };
    for (const e of sorted) {
      if (e.start < pos) continue; // overlapping edit (cannot happen for well-formed tokens)
      copyTo(e.start);
      if (e.replacement !== undefined) {
        out.push(e.replacement);
        lastBlank = e.replacement.slice(e.replacement.lastIndexOf('\n') + 1).trim() === '';
      } else {
        const insert = e.start === e.end;
        if (insert && lastBlank === false) {
          out.push('');
          lastBlank = true;
        }
        // Checks are separated by a blank line (an empty piece); each ends with its closing fence.
        for (let i = 0; i < e.checks.length; i++) {
          if (i) out.push('');
          out.push(this.renderCheck(e.checks[i]!, hosts, bareBase, e.indent));
          lastBlank = false;
        }
        if (insert && e.start < this.count && this.line(e.start).trim() !== '') {
          out.push('');
          lastBlank = true;
        }
      }
      pos = e.end;
    }
    copyTo(this.count);
    return out;
  }

  private inputRef(ref: Ref, hints: { secret?: boolean; url?: boolean }): string {
    const input = ref.type === 'var' ? this.inputs.variable(ref.text, hints) : this.inputs.placeholder(ref.text, hints);
    return `{{${input.name}}}`;
  }

  /** A check as written into the runbook: its lines joined with LF, each non-empty one after `indent`. */
  private renderCheck(p: Planned, hosts: Map<string, ConvertedInput>, bareBase: ConvertedInput | undefined, indent: string): string {
    p.rendered = true;
    const attrs: Record<string, string> = {};
    const fenceKind = p.kind;
    const out = new FencedCheck(indent, this.scratch);
    if (p.kind === 'manual') {
      if (p.title) attrs.title = p.title;
      const text = (p.manualText ?? '').replace(/\{\{/g, '{ {');
      out.line('Confirm: ', text);
      out.blank();
      out.line('Guide: ', p.link);
      return out.text('manual', attrs);
    }
    out.line('# from ', p.link);
    for (const n of p.notes) out.line('# note: ', n);
    const comments = p.comments;
    for (let i = 0; i <= comments.length; i++) {
      if (i === p.guideAt) guideLines(p.guideText!, out);
      if (i < comments.length) out.line('# ', comments[i]!);
    }
    if (p.kind === 'http') {
      let method: string;
      let url: string;
      const headers: [string, string][] = [];
      let reqBody: string | undefined;
      if (p.bare) {
        method = p.bare.method;
        const base = bareBase ?? this.inputs.origin('', 'baseUrl');
        url = `{{${base.name}}}${this.refsToInputs(p.bare.path, {})}`;
        const auth = this.sharedAuthorization(base, hosts);
        if (auth) {
          headers.push(['Authorization', auth]);
          out.line('', '# note: Authorization as the guide\'s other commands for this host send it');
        }
      } else {
        const r = p.curl!;
        method = r.method;
        const origin = p.origin === null ? originOf(r.url) : p.origin;
        const host = origin ? hosts.get(origin) : undefined;
        let u = host ? `{{${host.name}}}${r.url.slice(origin!.length)}` : r.url;
        u = u.replace(/ /g, '%20');
        url = this.refsToInputs(u, { url: true });
        for (const [name, value] of r.headers) headers.push([name, this.headerValue(name, value)]);
        if (r.basicAuth !== undefined) {
          const input = this.inputs.credential(`basic:${r.basicAuth}`, 'basicAuth', 'base64 of the user:password the guide passes to curl -u');
          headers.push(['Authorization', `Basic {{${input.name}}}`]);
          out.line('', `# note: curl -u: set the secret input ${input.name} to base64("user:password")`);
        }
        if (r.body !== undefined) reqBody = this.refsToInputs(r.body, {});
        if (r.maxTimeS) attrs.timeout = `${Math.ceil(r.maxTimeS)}s`;
        if (r.connectTimeoutS) attrs.connectTimeout = `${Math.ceil(r.connectTimeoutS)}s`;
      }
      if (p.destructive) attrs.destructive = 'true';
      if (p.title) attrs.title = p.title;
      out.line(method, url, ' ');
      for (const [n, v] of headers) out.line(n, v, ': ');
      if (reqBody !== undefined && reqBody.trim()) {
        out.blank();
        out.lines(reqBody.trim());
      }
      const status = p.conditions.find((c) => /^status == \d/.test(c.expression));
      if (p.conditions.length) {
        out.blank();
        if (!status || /^status == 2\d\d$/.test(status.expression)) out.line('', '?? status between 200 and 299 -- the request itself failed (the guide expects a 2xx answer)');
        for (const c of p.conditions) out.condition(c);
      }
      return out.text(fenceKind, attrs);
    }
    // shell / python
    if (p.destructive) {
      attrs.destructive = 'true';
      if (p.kind === 'shell' && p.confirmWord) attrs.confirm = p.confirmWord;
    }
    if (p.title) attrs.title = p.title;
    out.lines(p.code ?? '');
    for (const c of p.conditions) out.condition(c);
    return out.text(fenceKind, attrs);
  }

  private refsToInputs(text: string, hints: { url?: boolean }): string {
    let first = true;
    return replaceRefs(text, (ref) => {
      const atStart = first && hints.url && text.startsWith(ref.type === 'var' ? '\uE000' : '\uE003');
      first = false;
      return this.inputRef(ref, { url: !!atStart });
    });
  }

  /** Header values; credentials (Authorization, X-API-Key …) become secret inputs. */
  private headerValue(name: string, value: string): string {
    const sensitive = SENSITIVE_HEADERS.has(name.toLowerCase());
    if (!sensitive) return this.refsToInputs(value, {});
    if (hasRefs(value)) return replaceRefs(value, (ref) => this.inputRef(ref, { secret: true }));
    const m = /^(\s*(?:Bearer|Basic|Token|ApiKey|Digest)\s+)(\S.*)$/i.exec(value);
    const credential = m ? m[2]! : value;
    const input = this.inputs.credential(`${name.toLowerCase()}:${credential}`, name.toLowerCase() === 'authorization' ? 'authToken' : inputWord(name), `the ${name} credential written in the guide`);
    return `${m ? m[1] : ''}{{${input.name}}}`;
  }

  /** Room for a check's parts while it is rendered (see FencedCheck). */
  private readonly scratch: string[] = ['', '', ''];

  /** sharedAuthorization's answer for each host (the hosts do not change while rendering). */
  private readonly authorizations = new Map<ConvertedInput, string | undefined>();

  /**
   * The Authorization every curl command to this host sends, when they all agree. Worked out once
   * per host: asking again (every bare request does) would find the same inputs and the same
   * answer, at the cost of a pass over every check.
   */
  private sharedAuthorization(base: ConvertedInput, hosts: Map<string, ConvertedInput>): string | undefined {
    if (this.authorizations.has(base)) return this.authorizations.get(base);
    const found = this.firstSharedAuthorization(base, hosts);
    this.authorizations.set(base, found);
    return found;
  }

  private firstSharedAuthorization(base: ConvertedInput, hosts: Map<string, ConvertedInput>): string | undefined {
    let found: string | undefined;
    for (const p of this.planned) {
      if (!p.curl) continue;
      const o = p.origin === null ? originOf(p.curl.url) : p.origin;
      if (!o || hosts.get(o) !== base) continue;
      const h = p.curl.headers.find(([n]) => n.toLowerCase() === 'authorization');
      if (!h) continue;
      const v = this.headerValue(h[0], h[1]);
      if (found !== undefined && found !== v) return undefined;
      found = v;
    }
    return found;
  }
}

function inputWord(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
}

function originOf(url: string): string | undefined {
  const m = /^(https?:\/\/[^/?#\s\uE000\uE003]+)/i.exec(url);
  return m && !hasRefs(m[1]!) ? m[1]!.toLowerCase() : undefined;
}

const SPACES: string[] = [];

/** `n` spaces: the short runs (list item indents) made once, not once per item. */
function spaces(n: number): string {
  if (n >= 64) return ' '.repeat(n);
  return (SPACES[n] ??= ' '.repeat(n));
}

function widthOf(ws: string): number {
  let w = 0;
  for (const c of ws) w = c === '\t' ? w + 4 - (w % 4) : w + 1;
  return w;
}

function unescapeMarkdown(s: string): string {
  return s.includes('\\') ? s.replace(/\\([!-/:-@[-`{-~])/g, '$1') : s;
}

function stripMarkdown(s: string): string {
  let t = unescapeMarkdown(s);
  if (t.includes('`')) t = t.replace(/`+/g, '');
  if (t.includes('**') || t.includes('__')) t = t.replace(/\*\*|__/g, '');
  return t.includes('](') ? t.replace(/\[([^\]]{0,200})\]\([^)]{0,500}\)/g, '$1') : t;
}

/** A guide's text as one line (every line joined), at most `max` characters. */
function oneLine(s: string, max: number): string {
  return fitLine(s, max, 'joined');
}

function firstCodeLine(code: string): string {
  const l = code.split('\n').find((x) => x.trim() && !x.trim().startsWith('#')) ?? '';
  return oneLine(l, 120);
}

/** `NAME=value` / `export NAME=value` alone on a line (a literal value): it sets an input's default. */
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]{0,63})=("[^"$`\\]{0,2000}"|'[^']{0,2000}'|[^\s"'$`\\;&|<>()]{0,2000})\s*$/;

/** Variables a block sets itself (`NAME=$(…)`, `for NAME in`, `read NAME`): not inputs. */
function localVariables(commands: readonly ShellCommand[]): Set<string> {
  const out = new Set<string>();
  for (const c of commands) {
    const text = c.joined.slice(0, 4000);
    if (ASSIGNMENT.test(text) && !c.heredocs.length) continue;
    for (const m of text.matchAll(/(?:^|[;&|\s(])(?:export\s+|local\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]{0,63})=/g)) out.add(m[1]!);
    for (const m of text.matchAll(/\b(?:for|read(?:\s+-\w+)*)\s+([A-Za-z_][A-Za-z0-9_]{0,63})\b/g)) out.add(m[1]!);
  }
  return out;
}

function inputYaml(i: ConvertedInput): Record<string, unknown> {
  return {
    name: i.name,
    description: i.description,
    type: i.type,
    ...(i.secret ? { secret: true } : {}),
    ...(i.env ? { env: i.env } : {}),
    ...(!i.secret && i.default !== undefined && i.default !== '' ? { default: i.type === 'number' && /^-?\d+(?:\.\d+)?$/.test(i.default) ? Number(i.default) : i.default } : {}),
  };
}

/**
 * A fenced check, its lines joined with LF and each non-empty one after `indent`: the marker is
 * longer than any backtick run that starts a line of the body. Built from the lines' parts (the
 * indent, a prefix, a value…) and joined once, so a line is not made as a string of its own.
 * Every line is written without trailing white space (what trimEnd removes).
 */
class FencedCheck {
  /** Parts written so far (parts[0..2] are the opening fence's indent, marker and info string, filled in by text). */
  private n = 3;

  /**
   * `parts` is scratch room shared by the checks of one rendering (written from index 0 on by
   * each): a check's parts are copied out once at the exact size, not grown push by push.
   */
  constructor(
    private readonly indent: string,
    private readonly parts: string[],
  ) {}

  private put(s: string): void {
    this.parts[this.n++] = s;
  }

  /** The line `head + sep + value` (sep between head and value), trimmed at its end. */
  line(head: string, value: string, sep = ''): void {
    const last = value || sep || head;
    if (!last || isSpace(last.charCodeAt(last.length - 1))) {
      // Trailing white space (or an empty value): the line as one string, trimmed.
      const t = (head + sep + value).trimEnd();
      this.put('\n');
      if (!t) return;
      this.backticks(t, '', '');
      if (this.indent) this.put(this.indent);
      this.put(t);
      return;
    }
    this.backticks(head, sep, value);
    this.put('\n');
    if (this.indent) this.put(this.indent);
    if (head) this.put(head);
    if (sep) this.put(sep);
    this.put(value);
  }

  /** An empty line. */
  blank(): void {
    this.put('\n');
  }

  /** Each line of `text` (LF line ends), as line does it. */
  lines(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.line('', text.slice(start, nl));
      start = nl + 1;
    }
    this.line('', start ? text.slice(start) : text);
  }

  /** The ??warn line of a generated condition (see conditionLineParts): never blank, never starting with a backtick. */
  condition(c: GeneratedCondition): void {
    this.put('\n');
    if (this.indent) this.put(this.indent);
    this.n = conditionLineParts(c, this.parts, this.n);
  }

  /** The check: opening fence, the lines, closing fence. */
  text(kind: string, attributes: Record<string, string>): string {
    const fence = this.longest === 2 ? '```' : '`'.repeat(this.longest + 1);
    this.parts[0] = this.indent;
    this.parts[1] = fence;
    this.parts[2] = formatInfoString(kind, attributes, 'keyValue');
    this.put('\n');
    this.put(this.indent);
    this.put(fence);
    return this.parts.slice(0, this.n).join('');
  }

  private longest = 2;

  /** What /^\s*(`{3,})/ finds at the start of a + b + c: the longest such run sets the marker. */
  private backticks(a: string, b: string, c: string): void {
    const first = a || b || c;
    if (!first) return;
    const ch = first.charCodeAt(0);
    if (ch !== 96 && !isSpace(ch)) return; // the usual line: it starts with neither
    const l = a + b + c;
    if (!l.includes('```')) return;
    const m = /^\s*(`{3,})/.exec(l);
    if (m) this.longest = Math.max(this.longest, m[1]!.length);
  }
}

/** What `\s` (and so trimEnd) matches, by character code. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * The guide's curl command quoted at the top of its http check (the first 12 lines), as comment
 * lines: made while rendering, so a planned check keeps one string instead of these lines.
 */
function guideLines(text: string, out: FencedCheck): void {
  let start = 0;
  let n = 0;
  for (; n < 12; n++) {
    const nl = text.indexOf('\n', start);
    const l = nl < 0 ? (start ? text.slice(start) : text) : text.slice(start, nl);
    if (n === 0) out.line('# guide: ', l.trimStart());
    else out.line('#        ', l);
    if (nl < 0) return;
    start = nl + 1;
  }
  let more = 1;
  for (let i = text.indexOf('\n', start); i >= 0; i = text.indexOf('\n', i + 1)) more++;
  out.line('', `#        … (${more} more lines)`);
}

export { refsIn, BAD_REF };
