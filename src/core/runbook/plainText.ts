/**
 * Text for places that show plain text (tree views, toasts, quick picks, status bar items, the
 * CLI): inline markdown read as a reader sees it. Section titles, item labels and check reasons
 * are inline markdown; where they leave as plain text they go through `plainText`, so `(*local*)`
 * reads "(local)" and `` `engramia_sk_` `` reads "engramia_sk_".
 *
 * Parsed by markdown-it's inline parser (no HTML, no linkify, no typographer): a single pass with
 * bounded nesting and cached bracket/backtick scans, linear in the input; no regex on the text.
 */
import MarkdownIt from 'markdown-it';

type InlineParser = InstanceType<typeof MarkdownIt>;
type InlineToken = ReturnType<InlineParser['parseInline']>[number];

let parser: InlineParser | undefined;
const inline = () => (parser ??= new MarkdownIt('default', { html: false, linkify: false, typographer: false }));

/**
 * Inline markdown → plain text: emphasis, strong and strikethrough markers go, code spans keep
 * their content as written (underscores included), links and images become their text, escapes
 * and entities become the characters they stand for, and line breaks become spaces.
 */
export function plainText(markdownInline: string): string {
  if (!needsParsing(markdownInline)) return markdownInline;
  const tokens = inline().parseInline(markdownInline, {});
  let out = '';
  for (const t of tokens) out += textOf(t.children ?? []);
  return out;
}

/** Only these characters can start markdown syntax inline; text without them is already plain. */
function needsParsing(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    switch (s.charCodeAt(i)) {
      case 0x2a: /* * */ case 0x5f: /* _ */ case 0x7e: /* ~ */ case 0x60: /* ` */
      case 0x5b: /* [ */ case 0x21: /* ! */ case 0x3c: /* < */ case 0x26: /* & */
      case 0x5c: /* \ */ case 0x0a: case 0x0d: /* line breaks */ case 0x00: /* NUL, which markdown-it replaces */
        return true;
    }
  }
  return false;
}

function textOf(tokens: readonly InlineToken[]): string {
  let out = '';
  for (const t of tokens) {
    switch (t.type) {
      case 'text':
      case 'code_inline':
      case 'text_special':
      case 'html_inline':
        out += t.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        out += ' ';
        break;
      case 'image':
        out += textOf(t.children ?? []);
        break;
      default:
        // *_open / *_close markers (emphasis, strong, strikethrough, links) carry no text.
        if (t.children) out += textOf(t.children);
    }
  }
  return out;
}

/** Characters that markdown (or the math extension, `$`) would read as syntax in running text. */
const SYNTAX = new Set(['\\', '*', '_', '~', '[', ']', '$', '&', '<', '>']);

/**
 * Text that is meant as written (a check's reason or next step) as inline markdown that shows it
 * as written: its code spans (`` `engramia_sk_` ``) stay code, and every other character that
 * markdown or math would read as syntax is backslash-escaped, so `engramia_data_backup_$(date)`
 * keeps its underscores and dollar sign. A backtick without its closing run is escaped too.
 * One pass: each run of backticks is paired with the next run of the same length, found through a
 * cursor per length that only moves forward.
 */
export function inlineMarkdown(text: string): string {
  // Backtick runs: start and length, and for each length the runs of that length in order.
  const runs: { start: number; len: number }[] = [];
  for (let i = 0; i < text.length;) {
    if (text.charCodeAt(i) !== 0x60) { i++; continue; }
    let j = i;
    while (j < text.length && text.charCodeAt(j) === 0x60) j++;
    runs.push({ start: i, len: j - i });
    i = j;
  }
  const byLength = new Map<number, number[]>();
  runs.forEach((r, k) => { let list = byLength.get(r.len); if (!list) byLength.set(r.len, (list = [])); list.push(k); });
  const cursor = new Map<number, number>();
  /** The index (in runs) of the next run after run k with the same length, if any. */
  const closer = (k: number): number | undefined => {
    const list = byLength.get(runs[k]!.len)!;
    let c = cursor.get(runs[k]!.len) ?? 0;
    while (c < list.length && list[c]! <= k) c++;
    cursor.set(runs[k]!.len, c);
    return c < list.length ? list[c] : undefined;
  };
  let out = '';
  let pos = 0;
  const escapePlain = (s: string) => { for (const ch of s) out += SYNTAX.has(ch) ? `\\${ch}` : ch; };
  for (let k = 0; k < runs.length; k++) {
    const open = runs[k]!;
    if (open.start < pos) continue;
    escapePlain(text.slice(pos, open.start));
    const close = closer(k);
    if (close === undefined) {
      out += '\\`'.repeat(open.len);
      pos = open.start + open.len;
      continue;
    }
    const end = runs[close]!.start + runs[close]!.len;
    out += text.slice(open.start, end);
    pos = end;
    k = close;
  }
  escapePlain(text.slice(pos));
  return out;
}
