/**
 * Extends VS Code's built-in markdown-it renderer so that GFM task items in runbook markdown
 * cells show as checkboxes (display only: ticking happens through the cell status bar item, the
 * cell toolbar or Alt+C, which edit the source so that exactly one character changes).
 *
 * One style fix for every markdown cell: VS Code pads inline code 1px above and below, so where two
 * code spans sit on adjacent lines the lower one's background covers the upper one's underscores
 * (`engramia_sk_` read "engramia sk "). Without the vertical padding the backgrounds stay within
 * their lines.
 */
interface MarkdownItLike {
  core: { ruler: { after(name: string, rule: string, fn: (state: { tokens: TokenLike[]; Token: new (type: string, tag: string, nesting: number) => TokenLike }) => void): void } };
}
interface TokenLike {
  type: string;
  content: string;
  children: TokenLike[] | null;
  attrJoin?(name: string, value: string): void;
}
interface RendererContext {
  getRenderer(id: string): Promise<{ extendMarkdownIt(fn: (md: MarkdownItLike) => void): void } | undefined>;
}

const BOX = /^\[([ xX])\][ \t]/;

function taskLists(md: MarkdownItLike): void {
  md.core.ruler.after('inline', 'runbook-task-lists', (state) => {
    const tokens = state.tokens;
    for (let i = 2; i < tokens.length; i++) {
      const inline = tokens[i]!;
      if (inline.type !== 'inline' || tokens[i - 1]!.type !== 'paragraph_open' || tokens[i - 2]!.type !== 'list_item_open') continue;
      const first = inline.children?.[0];
      const m = first && first.type === 'text' ? BOX.exec(first.content) : null;
      if (!m || !first) continue;
      first.content = first.content.slice(m[0].length);
      const box = new state.Token('html_inline', '', 0);
      box.content = `<input class="runbook-task" type="checkbox" disabled${m[1] !== ' ' ? ' checked' : ''}> `;
      inline.children!.unshift(box);
      tokens[i - 2]!.attrJoin?.('class', 'runbook-task-item');
    }
  });
}

const CSS = `
.runbook-task-item { list-style: none; }
.runbook-task-item > p > input.runbook-task { margin: 0 .4em 0 -1.3em; vertical-align: middle; transform: scale(1.15); }
:not(pre) > code { padding-top: 0; padding-bottom: 0; }
`;

export async function activate(ctx: RendererContext): Promise<void> {
  const markdownIt = await ctx.getRenderer('vscode.markdown-it-renderer');
  if (!markdownIt) throw new Error('Runbook: the built-in markdown renderer was not found');
  const style = document.createElement('style');
  style.textContent = CSS;
  const template = document.createElement('template');
  template.classList.add('markdown-style');
  template.content.appendChild(style);
  document.head.appendChild(template);
  markdownIt.extendMarkdownIt((md) => taskLists(md));
}
