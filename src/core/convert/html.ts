/**
 * A saved docs page (mkdocs, Sphinx, GitHub, Docusaurus…) → markdown, with node-html-markdown.
 * Kept: headings (with their `id`, remembered as the page anchor each check links back to), task
 * list boxes, code blocks with their language (read from the `language-*` / `highlight-*` class
 * of the code, the pre or a wrapping div). Dropped: headerlink glyphs (`¶`), navigation,
 * scripts and styles, line-number gutters.
 */
import { NodeHtmlMarkdown, type TranslatorConfigObject, type TranslatorConfig } from 'node-html-markdown';
import { stripHeadingGlyph } from './headingGlyph';

/** Marks a heading's anchor inside the markdown; removed again by the converter. */
export const ANCHOR_OPEN = '\uE004';
export const ANCHOR_CLOSE = '\uE005';

interface El {
  tagName?: string;
  parentNode?: El | null;
  childNodes?: El[];
  getAttribute?(name: string): string | undefined;
  querySelector?(selector: string): El | null;
  textContent?: string;
  nodeType?: number;
}

const LANG = /(?:^|\s)(?:language|lang|highlight-source|highlight)-([A-Za-z0-9_+#-]{1,20})(?:\s|$)/;

function classOf(el: El | null | undefined): string {
  return (el?.getAttribute?.('class') ?? '').slice(0, 300);
}

function languageOf(pre: El): string {
  const candidates: (El | null | undefined)[] = [pre.querySelector?.('code'), pre, pre.parentNode, pre.parentNode?.parentNode];
  for (const el of candidates) {
    const m = LANG.exec(classOf(el));
    if (m && m[1] !== 'text' && m[1] !== 'source') return m[1]!.toLowerCase();
    const data = el?.getAttribute?.('data-lang') ?? el?.getAttribute?.('data-language');
    if (data && /^[A-Za-z0-9_+#-]{1,20}$/.test(data)) return data.toLowerCase();
  }
  return '';
}

function fenceFor(text: string): string {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 96) longest = Math.max(longest, ++run);
    else run = 0;
  }
  return '`'.repeat(Math.max(3, longest + 1));
}

function codeBlock(pre: El): TranslatorConfig {
  const text = (pre.textContent ?? '').replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  const fence = fenceFor(text);
  return { content: `${fence}${languageOf(pre)}\n${text}\n${fence}`, noEscape: true, recurse: false, surroundingNewlines: 2 };
}

const translators: TranslatorConfigObject = {
  pre: ({ node }) => codeBlock(node as unknown as El),
  // Pygments / mkdocs tables with a line-number gutter: only the code cell.
  table: ({ node, base }) => {
    const el = node as unknown as El;
    if (/highlighttable|linenos/.test(classOf(el))) {
      const pre = el.querySelector?.('td.code pre') ?? el.querySelector?.('pre:last-of-type');
      if (pre) return codeBlock(pre);
    }
    return base ?? {};
  },
  a: ({ node, base }) => {
    const el = node as unknown as El;
    const cls = classOf(el);
    const text = (el.textContent ?? '').trim();
    if (/headerlink|anchor|header-anchor|permalink/.test(cls) || text === '¶' || text === '#' || text === '§') return { ignore: true };
    return base ?? {};
  },
  'h1,h2,h3,h4,h5,h6': ({ node, base }) => {
    const el = node as unknown as El;
    const level = Number(el.tagName?.slice(1) ?? '1') || 1;
    const id = el.getAttribute?.('id') ?? el.querySelector?.('a[id]')?.getAttribute?.('id') ?? el.parentNode?.getAttribute?.('id');
    const anchor = id && /^[\w.:-]{1,100}$/.test(id) ? `${ANCHOR_OPEN}${id}${ANCHOR_CLOSE}` : '';
    return {
      ...(base ?? {}),
      prefix: '#'.repeat(level) + ' ',
      surroundingNewlines: 2,
      postprocess: ({ content }) => `${stripHeadingGlyph(content).replace(/\s+/g, ' ').trim()}${anchor}`,
    };
  },
};

let converter: NodeHtmlMarkdown | undefined;

/** Deeper pages are refused: the HTML converter's time grows with the square of the nesting depth. */
export const MAX_HTML_DEPTH = 200;

export class HtmlTooDeepError extends Error {}

const VOID_OR_OPTIONAL = new Set(['br', 'img', 'input', 'meta', 'link', 'hr', 'wbr', 'source', 'area', 'col', 'embed', 'param', 'track', 'base', 'p', 'li', 'td', 'th', 'tr', 'option', 'dt', 'dd', 'colgroup', 'thead', 'tbody', 'tfoot']);

/** The deepest element nesting, by one linear scan of the tags (optional-end and void elements ignored). */
export function htmlDepth(html: string): number {
  let depth = 0;
  let max = 0;
  const tag = /<(\/?)([A-Za-z][\w-]{0,30})(?:\s[^<>]{0,2000})?(\/?)>/g;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    const name = m[2]!.toLowerCase();
    if (VOID_OR_OPTIONAL.has(name) || m[3]) continue;
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (++depth > max) max = depth;
  }
  return max;
}

export function htmlToMarkdown(html: string): string {
  const depth = htmlDepth(html);
  if (depth > MAX_HTML_DEPTH) throw new HtmlTooDeepError(`the page nests its elements ${depth} deep (the limit is ${MAX_HTML_DEPTH}); save it as text and convert that`);
  converter ??= new NodeHtmlMarkdown(
    {
      ignore: ['script', 'style', 'noscript', 'nav', 'header', 'footer', 'aside', 'svg', 'button', 'form', 'template', 'iframe', 'head'],
      bulletMarker: '-',
      codeFence: '```',
      maxConsecutiveNewlines: 2,
      useLinkReferenceDefinitions: false,
    },
    translators,
  );
  // Convert the page's main content when it marks one, in chunks cut between top-level elements:
  // the converter's time grows with the square of what it has written so far.
  const main = checkboxesAsText(mainContent(html)).replace(/<\/?(?:html|body|main|article)\b[^<>]{0,2000}>/gi, '');
  return chunks(main)
    .map((c) => converter!.translate(c).replace(/^\n+|\n+$/g, ''))
    .filter(Boolean)
    .join('\n\n')
    .replace(/\r\n?/g, '\n')
    .replace(/\uE006[ \t]*/g, '[ ] ')
    .replace(/\uE007[ \t]*/g, '[x] ');
}

const BOX_OPEN = '\uE006';
const BOX_CHECKED = '\uE007';

const CHUNK = 16_000;

/** Cuts HTML after closing tags at nesting depth 0 once a piece is CHUNK characters long (one linear scan). */
function chunks(html: string): string[] {
  if (html.length <= CHUNK) return [html];
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  const lower = html.toLowerCase();
  const tag = /<(\/?)([A-Za-z][\w-]{0,30})(?:\s[^<>]{0,2000})?(\/?)>|<!--[\s\S]{0,100000}?-->/g;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    if (!m[2]) continue;
    const name = m[2].toLowerCase();
    if (!VOID_OR_OPTIONAL.has(name) && !m[3]) {
      if (m[1]) depth = Math.max(0, depth - 1);
      else depth++;
    }
    if (name === 'script' || name === 'style' || name === 'pre' || name === 'textarea') {
      if (!m[1]) {
        // Skip raw text up to the element's end: its content is not markup.
        const end = lower.indexOf(`</${name}`, tag.lastIndex);
        if (end > 0) tag.lastIndex = end;
      }
    }
    const end = m.index + m[0].length;
    if (depth === 0 && m[1] && end - start >= CHUNK) {
      out.push(html.slice(start, end));
      start = end;
    }
  }
  out.push(html.slice(start));
  return out;
}

/** Task-list checkboxes (empty elements the converter skips) → `[ ] ` / `[x] ` text. */
function checkboxesAsText(html: string): string {
  return html.replace(/<input\b([^<>]{0,400})>/gi, (_tag, attrs: string) => {
    if (!/type\s*=\s*["']?checkbox/i.test(attrs)) return '';
    return /\bchecked\b/i.test(attrs) ? BOX_CHECKED : BOX_OPEN;
  });
}

/** The `<main>` or first `<article>` element's HTML when present (a linear scan for the tags). */
function mainContent(html: string): string {
  const lower = html.length > 20_000_000 ? html.slice(0, 20_000_000).toLowerCase() : html.toLowerCase();
  for (const tag of ['main', 'article']) {
    const open = lower.indexOf(`<${tag}`);
    if (open < 0) continue;
    const close = lower.lastIndexOf(`</${tag}>`);
    if (close > open) return html.slice(open, close + tag.length + 3);
  }
  return html;
}
