/**
 * Plain text copied from a docs page → markdown. Such text has lost its markup: headings end in
 * the page's `¶` permalink glyph, checklist items run together on one line (`… - [ ] …`), inline
 * code is glued to the words around it (`pip show engramiareports0.6.6`), and code blocks are
 * bare lines. This restores what can be restored with line-local, bounded rules, and keeps, for
 * every markdown line, the guide line it came from.
 */
import { endsWithHeadingGlyph, stripHeadingGlyph } from './headingGlyph';

export interface TextMarkdown {
  readonly lines: string[];
  /** 1-based guide line for each markdown line. */
  readonly origin: number[];
}

type Entry = { kind: 'item'; box: string; text: string; origin: number; glued: boolean } | { kind: 'line'; text: string; origin: number };

const BARE_BOX = /^\s*[-*]\s\[([ xX])\]\s*$/;
const ITEM_START = /^\s*[-*]\s\[([ xX])\](?:\s+|$)/;
const MID_ITEM = /\s[-*]\s\[([ xX])\](?=\s|$)/g;

const STRONG_PY = /^(?:import\s+\w|from\s+[\w.]+\s+import\s|def\s+\w|async\s+def\s|class\s+\w+\s*[(:])/;
const STRONG_SH = /^(?:\$\s+)?(?:curl|wget|pip3?|python3?|docker(?:-compose)?|kubectl|helm|psql|pg_dump|pg_restore|redis-cli|systemctl|sudo|export|cd|ls|cat|echo|rm|cp|mv|mkdir|git|npm|npx|node|make|aws|gcloud|az|terraform|ssh|tar|grep|jq|uv|poetry)(?:\s|$)/;
const PY_CONT = /^(?:[A-Za-z_][\w.]{0,80}\s*(?:=[^=]|\(|\[)|(?:return|await|assert|print|if|elif|else|for|while|with|try|except|finally|raise|yield|pass|async|import|from|def|class)\b|[)\]}])/;

/** Names of commands an inline code span may start with to count as a command. */
export const COMMAND_WORDS = /^(?:\$\s+)?(?:(?:curl|wget|pip3?|python3?|docker(?:-compose)?|kubectl|helm|psql|pg_isready|pg_dump|redis-cli|systemctl|engramia|npm|npx|node|git|test|ls|cat|grep|jq|which|uv|poetry|make|aws|gcloud|az|terraform|openssl|dig|nc|ping|sqlite3|mysql|[a-z][\w-]{0,30}ctl)(?:\s|$)|(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\s+(?:\/|https?:\/\/|\$|\{\{))/;

function splitEntries(lines: readonly string[]): Entry[] {
  const out: Entry[] = [];
  let pendingBox: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const origin = i + 1;
    if (BARE_BOX.test(line)) {
      pendingBox = BARE_BOX.exec(line)![1]!;
      continue;
    }
    // Items that run together on one line.
    const segments: { box?: string; text: string }[] = [];
    let last = 0;
    let box: string | undefined;
    const start = ITEM_START.exec(line);
    if (start) {
      box = start[1];
      last = start[0].length;
    }
    MID_ITEM.lastIndex = last;
    for (let m = MID_ITEM.exec(line); m; m = MID_ITEM.exec(line)) {
      segments.push({ box, text: line.slice(last, m.index) });
      box = m[1];
      last = m.index + m[0].length;
    }
    segments.push({ box, text: line.slice(last) });
    segments.forEach((seg, k) => {
      const text = seg.text.trim();
      if (k === 0 && seg.box === undefined) {
        const prev = out[out.length - 1];
        if (pendingBox !== undefined) {
          out.push({ kind: 'item', box: pendingBox, text: unglue(text), origin, glued: true });
          pendingBox = undefined;
        } else if (prev?.kind === 'item' && prev.origin === origin - 1 && text && !/[.!?]$/.test(prev.text) && !endsWithHeadingGlyph(text)) {
          // The item's text went on after a line break (copied text breaks before inline code).
          prev.text = `${prev.text} ${unglue(text)}`.trim();
          prev.origin = origin;
        } else out.push({ kind: 'line', text: seg.text.trimEnd(), origin });
        return;
      }
      if (!text && k === segments.length - 1) {
        pendingBox = seg.box;
        return;
      }
      if (pendingBox !== undefined && k === 0) pendingBox = undefined;
      out.push({ kind: 'item', box: seg.box!, text, origin, glued: false });
    });
  }
  return out;
}

const GLUED_VERB = /^(.{1,300}?\S)(returns|reports|prints|shows|outputs)(.*)$/;

/** `pip show engramiareports0.6.6(or …)` → `` `pip show engramia` reports 0.6.6 (or …) ``. */
export function unglue(text: string): string {
  const m = GLUED_VERB.exec(text.slice(0, 1000));
  if (!m) return text;
  const code = m[1]!.trim();
  if (!COMMAND_WORDS.test(code)) return text;
  const rest = (m[3]! + text.slice(1000))
    .replace(/^(\S{1,60}?)\(/, '$1 (')
    .replace(/(\S)(≥|≤|>=|<=)/, '$1 $2');
  const ticks = code.includes('`') ? '``' : '`';
  const pad = ticks.length > 1 ? ' ' : '';
  return `${ticks}${pad}${code}${pad}${ticks} ${m[2]} ${rest.trim()}`;
}

function isBlank(s: string): boolean {
  return !s.trim();
}

export function textToMarkdown(text: string): TextMarkdown {
  const src = text.split('\n');
  const entries = splitEntries(src);
  const lines: string[] = [];
  const origin: number[] = [];
  const emit = (line: string, o: number) => {
    lines.push(line);
    origin.push(o);
  };
  const blank = (o: number) => {
    if (lines.length && lines[lines.length - 1] !== '') emit('', o);
  };
  let headings = 0;
  let inList = false;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.kind === 'item') {
      if (!inList) blank(e.origin);
      inList = true;
      emit(`- [${e.box}] ${e.text}`.trimEnd(), e.origin);
      continue;
    }
    if (inList) {
      blank(e.origin);
      inList = false;
    }
    const t = e.text;
    if (isBlank(t)) {
      blank(e.origin);
      continue;
    }
    if (endsWithHeadingGlyph(t) && t.trim().length > 1) {
      const title = stripHeadingGlyph(t).trim();
      const level = headings === 0 ? 1 : /^\d{1,3}[.)]\s/.test(title) ? 3 : 2;
      headings++;
      blank(e.origin);
      emit(`${'#'.repeat(level)} ${level === 3 ? title.replace(/^(\d{1,3})([.)])/, '$1\\$2') : title}`, e.origin);
      emit('', e.origin);
      continue;
    }
    const trimmed = t.trimStart();
    const next = entries[i + 1];
    const nextStrong = next?.kind === 'line' && (STRONG_PY.test(next.text.trimStart()) || STRONG_SH.test(next.text.trimStart()));
    const py = STRONG_PY.test(trimmed);
    if (py || STRONG_SH.test(trimmed) || (trimmed.startsWith('#') && nextStrong)) {
      // A run of code lines.
      let lang = py ? 'python' : '';
      const run: { text: string; origin: number }[] = [];
      let j = i;
      for (; j < entries.length; j++) {
        const c = entries[j]!;
        if (c.kind !== 'line') break;
        const s = c.text.trimStart();
        const prev = run.length ? run[run.length - 1]!.text : '';
        const cont = run.length === 0 || /^\s/.test(c.text) || /\\$/.test(prev) || s.startsWith('#') || STRONG_PY.test(s) || STRONG_SH.test(s) || (lang === 'python' && PY_CONT.test(s));
        if (!cont || isBlank(c.text)) break;
        if (!lang && STRONG_PY.test(s)) lang = 'python';
        if (!lang && STRONG_SH.test(s)) lang = 'bash';
        run.push({ text: c.text, origin: c.origin });
      }
      blank(e.origin);
      emit('```' + (lang || 'bash'), e.origin);
      for (const r of run) emit(r.text.includes('```') ? r.text.replace(/```/g, '` ` `') : r.text, r.origin);
      emit('```', run[run.length - 1]!.origin);
      emit('', run[run.length - 1]!.origin);
      i = j - 1;
      continue;
    }
    blank(e.origin);
    emit(t.trim(), e.origin);
    emit('', e.origin);
  }
  while (lines.length && lines[lines.length - 1] === '') {
    lines.pop();
    origin.pop();
  }
  return { lines, origin };
}
