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
