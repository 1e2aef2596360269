/**
 * serializeRunbook: cells → the runbook's text. Unchanged cells give back their original bytes;
 * edited cells are patched line by line (unchanged lines keep their original bytes, indentation
 * and line ends); cells the user added are rendered fresh. A file that could not be parsed is
 * written back byte for byte unless its error cell was edited.
 */
import { deriveRunbook, normaliseEol } from './derive';
import { formatAttributes, infoKind, parseInfoString, sameAttributes } from './infoString';
import { BOM, columnWidth, contentText, isBlank, layoutOf, leadingWhitespace, sourceShows, type CellLayout, type Eol, type Line } from './lines';
import type { CellLike, CellSource, DerivedRunbook, ParseFailure } from './model';
import { failureCellValue } from './parse';
import { closesFence } from './split';
import { headingOf, taskContentPrefix, taskOf } from './text';

export type { CellLike } from './model';

export interface SerializeMeta {
  /** Line end for lines the serializer writes anew. */
  readonly eol: '\n' | '\r\n';
  /** The file started with a byte order mark: it stays first even when the top cell is deleted or moved. */
  readonly bom?: boolean;
  readonly failure?: ParseFailure;
}

export function serializeRunbook(cells: readonly CellLike[], meta: SerializeMeta): string {
  const original = originalBytes(meta);
  const at = untouchedErrorCell(cells, meta);
  if (at < 0 || !original) return render(cells, meta);
  const text = new TextDecoder('utf-8').decode(original);
  if (cells.length === 1) return text;
  return render(cells.slice(0, at), meta) + text + render(cells.slice(at + 1), meta, text);
}

/**
 * Like serializeRunbook, as UTF-8 bytes. A file that failed to parse comes back byte for byte
 * while its error cell is unedited (also when cells were added around it).
 */
export function serializeRunbookBytes(cells: readonly CellLike[], meta: SerializeMeta): Uint8Array {
  const original = originalBytes(meta);
  const at = untouchedErrorCell(cells, meta);
  if (at < 0 || !original) return encodeUtf8(renderParts(cells, meta));
  if (cells.length === 1) return original;
  const enc = new TextEncoder();
  const before = enc.encode(render(cells.slice(0, at), meta));
  const tail = new TextDecoder('utf-8').decode(original.subarray(Math.max(0, original.length - 64)));
  const after = enc.encode(render(cells.slice(at + 1), meta, tail));
  const out = new Uint8Array(before.length + original.length + after.length);
  out.set(before, 0);
  out.set(original, before.length);
  out.set(after, before.length + original.length);
  return out;
}

function originalBytes(meta: SerializeMeta): Uint8Array | undefined {
  if (!meta.failure) return undefined;
  return new Uint8Array(Buffer.from(meta.failure.originalBase64, 'base64'));
}

/** Index of the failure's error cell when its text is still what the parser wrote, else -1. */
function untouchedErrorCell(cells: readonly CellLike[], meta: SerializeMeta): number {
  if (!meta.failure) return -1;
  const expected = failureCellValue(meta.failure.message);
  return cells.findIndex((c) => !c.source && c.kind === 'markup' && normaliseEol(c.value) === expected);
}

function endsWithEol(s: string): boolean {
  const c = s.charCodeAt(s.length - 1);
  return c === 10 || c === 13;
}

/** How many blank lines (0, 1, or 2 meaning two or more) end `s`; the text's start counts as a line start. */
function blankLinesAtEnd(s: string): number {
  let i = s.length;
  const skipEol = (): boolean => {
    const c = s.charCodeAt(i - 1);
    if (c === 10) {
      i -= i > 1 && s.charCodeAt(i - 2) === 13 ? 2 : 1;
      return true;
    }
    if (c === 13) {
      i--;
      return true;
    }
    return false;
  };
  if (i === 0 || !skipEol()) return 0;
  let count = 0;
  while (count < 2) {
    let j = i;
    while (j > 0 && (s.charCodeAt(j - 1) === 32 || s.charCodeAt(j - 1) === 9)) j--;
    if (j === 0) return count + 1;
    i = j;
    if (!skipEol()) return count;
    count++;
  }
  return count;
}

/** True when markup text starts a cell by itself: a task item, or a heading outside lists. */
function startsCell(value: string, inList: boolean): boolean {
  const v = normaliseEol(value);
  return !!taskOf(v) || (!inList && !!headingOf(v));
}

/** `before`: text already written ahead of these cells (for the separator rules). */
function render(cells: readonly CellLike[], meta: SerializeMeta, before = ''): string {
  return renderParts(cells, meta, before).join('');
}

/** The pieces of the text `render` returns, in order (none empty). */
function renderParts(cells: readonly CellLike[], meta: SerializeMeta, before = ''): string[] {
  const eol = meta.eol;
  const parts: string[] = [];
  let tail = before;
  let derived: DerivedRunbook | undefined;
  let tailFresh = false;
  // What the last written cell was: a new markup cell must not run on into it or into the next cell.
  let last: 'none' | 'fence' | 'markup' = 'none';
  let lastFreshMarkup = false;
  // The byte order mark belongs to the file, not to the cell that held it: it goes first.
  let bom = !before && meta.bom === true;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell.source && sourceKind(cell.source) === cell.kind) {
      let out = unchanged(cell, cell.source) ? cell.source.raw : patch(cell, cell.source, eol);
      if (out.charCodeAt(0) === 0xfeff && (parts.length > 0 || before)) {
        out = out.slice(1);
        bom = !before;
      }
      if (!out) continue;
      if (tail && !endsWithEol(tail)) parts.push(eol);
      // A cell the user added is followed by a blank line; by two before prose, which would
      // otherwise read as part of the added cell.
      if (tailFresh) parts.push(eol);
      if (lastFreshMarkup && cell.source.role === 'prose') parts.push(eol);
      parts.push(out);
      tail = out;
      tailFresh = false;
      lastFreshMarkup = false;
      last = cell.kind === 'code' ? 'fence' : 'markup';
      continue;
    }
    derived ??= deriveRunbook(cells);
    const nested = cell.kind === 'markup' ? nestedIndent(cells, i, derived) : '';
    const fresh = renderNew(cell, i, cells, derived, eol, nested);
    if (tail && !endsWithEol(tail)) {
      parts.push(eol);
      tail += eol;
    }
    // A new cell starts a new block: a blank line before it, unless it is a check nested under its task item.
    // New markup that does not start a cell by itself (a heading or a task item does, and so does
    // anything right after a fence) gets two blank lines: the parser starts a cell there.
    const blanks = cell.kind === 'markup' && last === 'markup' && !startsCell(cell.value, nested !== '') ? 2 : 1;
    if (tail && !(fresh.underTask && !tailFresh)) for (let k = blankLinesAtEnd(tail); k < blanks; k++) parts.push(eol);
    parts.push(fresh.text);
    tail = fresh.text;
    tailFresh = true;
    lastFreshMarkup = cell.kind === 'markup';
    last = cell.kind === 'code' ? 'fence' : 'markup';
  }
  if (bom && (parts.length === 0 || parts[0].charCodeAt(0) !== 0xfeff)) parts.unshift(BOM);
  return parts;
}

/** Characters joined into one string before encoding: small enough to stay out of V8's large-object space. */
const ENCODE_CHUNK = 32 * 1024;

/**
 * The UTF-8 bytes of `parts.join('')` (what TextEncoder gives for it), without building that string:
 * runs of parts are joined into strings of at most ENCODE_CHUNK characters (a longer part is taken
 * as it is), encoded one after another into one array. A whole 1 MB string is a fresh large-object
 * allocation (a page fault per 4 kB, on every save); the chunks are short-lived young-generation
 * strings. Parts are never split, nor joined runs cut between the halves of a surrogate pair, so
 * lone surrogates are replaced exactly as in the joined string.
 */
export function encodeUtf8(parts: readonly string[]): Uint8Array {
  const chunks: string[] = [];
  let from = 0;
  let length = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (length > 0 && length + part.length > ENCODE_CHUNK && !(isHighSurrogate(parts[i - 1].charCodeAt(parts[i - 1].length - 1)) && isLowSurrogate(part.charCodeAt(0)))) {
      chunks.push(i - from === 1 ? parts[from] : parts.slice(from, i).join(''));
      from = i;
      length = 0;
    }
    length += part.length;
  }
  if (from < parts.length) chunks.push(parts.length - from === 1 ? parts[from] : parts.slice(from).join(''));
  let total = 0;
  for (const chunk of chunks) total += Buffer.byteLength(chunk, 'utf8');
  const out = new Uint8Array(total);
  const encoder = new TextEncoder();
  let at = 0;
  for (const chunk of chunks) {
    const { read, written } = encoder.encodeInto(chunk, at === 0 ? out : out.subarray(at));
    // Buffer.byteLength and encodeInto count alike (a lone surrogate is 3 bytes in both); should
    // they ever differ, the bytes come from the whole string rather than from a short array.
    if (read !== chunk.length) return encoder.encode(parts.join(''));
    at += written;
  }
  return at === total ? out : encoder.encode(parts.join(''));
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function sourceKind(source: CellSource): 'markup' | 'code' {
  return source.role === 'fence' || source.role === 'frontMatter' ? 'code' : 'markup';
}

function sourceLanguage(source: CellSource): string {
  if (source.role === 'frontMatter') return 'yaml';
  if (source.fence) return infoKind(source.fence.info) || 'text';
  return 'markdown';
}

function attributesChanged(cell: CellLike, source: CellSource): boolean {
  if (!cell.attributes || !source.fence || source.role === 'frontMatter') return false;
  return !sameAttributes(cell.attributes, parseInfoString(source.fence.info).attributes);
}

function languageChanged(cell: CellLike, source: CellSource): boolean {
  if (cell.kind === 'markup' || source.role === 'frontMatter') return false;
  const info = source.fence?.info ?? '';
  const lang = cell.language;
  // Fast path, no allocation: the info string starts with exactly this word.
  const n = lang.length;
  if (n > 0 && info.length >= n) {
    let i = 0;
    while (i < n && info.charCodeAt(i) === lang.charCodeAt(i)) i++;
    if (i === n) {
      const next = info.charCodeAt(n);
      if (Number.isNaN(next) || next === 32 || next === 9 || next === 123) return false;
    }
  }
  return lang.toLowerCase() !== sourceLanguage(source);
}

function unchanged(cell: CellLike, source: CellSource): boolean {
  return sourceShows(source, normaliseEol(cell.value)) && !languageChanged(cell, source) && !attributesChanged(cell, source);
}

/** Rewrites only what changed: the lines between the common prefix and suffix, and the fence line. */
function patch(cell: CellLike, source: CellSource, docEol: '\n' | '\r\n'): string {
  const layout = layoutOf(source.raw, source.fence);
  const { lines } = layout;
  const indent = source.indent;
  const value = normaliseEol(cell.value);
  const next = value === '' ? [] : value.split('\n');
  const old: string[] = [];
  for (let i = layout.start; i < layout.end; i++) old.push(contentText(layout, i, indent));

  let p = 0;
  while (p < old.length && p < next.length && old[p] === next[p]) p++;
  let s = 0;
  while (s < old.length - p && s < next.length - p && old[old.length - 1 - s] === next[next.length - 1 - s]) s++;

  const out: { text: string; eol: Eol }[] = [];
  const head: Line[] = lines.slice(0, layout.start);
  const oldMid = old.length - p - s;
  const newMid = next.length - p - s;
  for (const l of head) out.push({ ...l });
  for (let i = 0; i < p; i++) out.push({ ...lines[layout.start + i] });
  // A rewritten line keeps the indentation its old line had (a fence body may be indented
  // differently from its fence, or with tabs); an added line takes that of the line above it.
  // Where that indentation is shorter than the cell's and the new text starts with whitespace,
  // re-reading would strip some of the text's own whitespace: the cell's indentation is used then.
  let above = indent;
  for (let i = layout.start; i < layout.start + p; i++) above = prefixOf(layout, i, indent) ?? above;
  for (let k = 0; k < newMid; k++) {
    const t = next[p + k];
    const lineEol: Eol = oldMid === 1 && newMid === 1 ? lines[layout.start + p].eol : docEol;
    const own = k < oldMid ? prefixOf(layout, layout.start + p + k, indent) : undefined;
    let lead = own ?? above;
    if (lead.length < indent.length && startsWithWs(t)) lead = indent;
    if (own !== undefined) above = own;
    out.push({ text: t === '' ? '' : lead + t, eol: lineEol });
  }
  for (let i = layout.end - s; i < layout.end; i++) out.push({ ...lines[i] });
  const after = lines.slice(layout.end);
  for (const l of after) out.push({ ...l });

  if (source.fence && source.role !== 'frontMatter') {
    const closeIndex = layout.close >= 0 ? head.length + p + newMid + s : -1;
    refence(out, closeIndex, cell, source);
  }

  // A line written before others needs an end; the last line keeps "no EOL" if it had none.
  const lastHadNoEol = lines.length > 0 && lines[lines.length - 1].eol === '';
  for (let i = 0; i < out.length - 1; i++) if (out[i].eol === '') out[i].eol = docEol;
  if (out.length) {
    const last = out[out.length - 1];
    if (lastHadNoEol) last.eol = '';
    else if (last.eol === '') last.eol = docEol;
  }
  let text = '';
  for (const l of out) text += l.text + l.eol;
  if (layout.bom && !text.startsWith(BOM)) text = BOM + text;
  return text;
}

/** The indentation stripped from content line `index` to get its value; undefined for a blank line. */
function prefixOf(layout: CellLayout, index: number, indent: string): string | undefined {
  let t = layout.lines[index].text;
  if (index === 0 && layout.bom) t = t.slice(1);
  if (isBlank(t)) return undefined;
  return t.slice(0, t.length - contentText(layout, index, indent).length);
}

function startsWithWs(t: string): boolean {
  const c = t.charCodeAt(0);
  return c === 32 || c === 9;
}

/** Keeps the fence valid for the new body: a longer marker if a body line would close it; new language/attributes. */
function refence(out: { text: string; eol: Eol }[], closeIndex: number, cell: CellLike, source: CellSource): void {
  const fence = source.fence!;
  const ch = fence.marker[0];
  const open = out[0];
  const bom = open.text.startsWith(BOM) ? BOM : '';
  const openText = bom ? open.text.slice(1) : open.text;
  const ws = leadingWhitespace(openText);
  // A body line closes the fence only when indented less than 4 columns past the fence's
  // container; the fence itself sits 0–3 columns into it, so a line 4+ columns deeper than the
  // fence line can never close it (lengthening for such a line would change bytes for nothing).
  const fenceColumn = columnWidth(ws);
  let longest = 0;
  const bodyEnd = closeIndex >= 0 ? closeIndex : out.length;
  for (let k = 1; k < bodyEnd; k++) {
    const line = out[k].text;
    if (closesFence(line, fence.marker) && columnWidth(leadingWhitespace(line)) - fenceColumn < 4) longest = Math.max(longest, line.trim().length);
  }
  let marker = openText.slice(ws.length, ws.length + fence.marker.length);
  let rest = openText.slice(ws.length + fence.marker.length);
  if (longest > 0) marker = ch.repeat(longest + 1);
  if (languageChanged(cell, source) || attributesChanged(cell, source)) {
    const parsed = parseInfoString(fence.info);
    const lead = leadingWhitespace(rest);
    const info = rest.trim();
    let word = info.slice(0, parsed.word.length);
    let attrs = info.slice(parsed.word.length).trim();
    if (languageChanged(cell, source)) word = cell.language;
    if (attributesChanged(cell, source)) attrs = formatAttributes(cell.attributes!, parsed.style === 'none' ? 'keyValue' : parsed.style);
    rest = (lead || (ch === '`' ? '' : '')) + word + (attrs ? ' ' + attrs : '');
  }
  open.text = bom + ws + marker + rest;
  if (closeIndex >= 0 && longest > 0) {
    const close = out[closeIndex];
    const cws = leadingWhitespace(close.text);
    close.text = cws + marker + close.text.slice(cws.length).replace(new RegExp(`^\\${ch}+`), '');
  }
}

/** A cell the user added: markup as written, code as a new fence (indented under its task item). */
function renderNew(cell: CellLike, i: number, cells: readonly CellLike[], derived: DerivedRunbook, eol: '\n' | '\r\n', nested = ''): { text: string; underTask: boolean } {
  const value = normaliseEol(cell.value);
  const join = (lines: string[]) => lines.map((l) => l + eol).join('');
  if (cell.kind === 'markup') return { text: join(value.split('\n').map((l) => (l && nested ? nested + l : l))), underTask: false };
  let longest = 0;
  for (const m of value.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const marker = '`'.repeat(Math.max(3, longest + 1));
  const attrs = cell.attributes ? formatAttributes(cell.attributes, 'keyValue') : '';
  const info = cell.language + (attrs ? ' ' + attrs : '');
  const taskCell = derived.cells[i]?.check?.taskCell ?? (derived.cells[i - 1]?.role === 'task' ? i - 1 : null);
  const indent = taskCell !== null ? taskIndent(cells[taskCell]) : '';
  const body = value === '' ? [] : value.split('\n');
  const lines = [indent + marker + info, ...body.map((l) => (l ? indent + l : l)), indent + marker];
  return { text: join(lines), underTask: taskCell !== null };
}

/**
 * Markup added between a list item and content nested in it is indented like that content, so that
 * it stays inside the item (at the margin it would end the list, and deeper content after it could
 * turn into an indented code block or take an unclosed fence out of its item).
 */
function nestedIndent(cells: readonly CellLike[], i: number, derived: DerivedRunbook): string {
  const prev = cells[i - 1];
  const next = cells[i + 1];
  if (!prev || !next?.source || next.source.role === 'frontMatter') return '';
  const nextIndent = firstLineIndent(next, next.source);
  if (!nextIndent) return '';
  const prevRole = derived.cells[i - 1]?.role;
  const inItem = prevRole === 'task' || (prev.kind === 'code' && !!prev.source?.fence?.inTask) || (prev.kind === 'markup' && (!!prev.source?.indent.replace(/^\uFEFF/, '') || endsInList(normaliseEol(prev.value))));
  return inItem ? nextIndent : '';
}

/** True when the last block of markup text is a list (its last paragraph starts with an item marker line). */
function endsInList(value: string): boolean {
  const blocks = value.split(/\n[ \t]*\n/);
  return /(^|\n) {0,3}([-+*]|\d{1,9}[.)])([ \t]|$)/.test(blocks[blocks.length - 1]);
}

function firstLineIndent(cell: CellLike, source: CellSource): string {
  const base = source.indent.replace(/^\uFEFF/, '');
  if (source.fence) return base;
  const value = normaliseEol(cell.value);
  return base + leadingWhitespace(value.slice(0, value.indexOf('\n') >= 0 ? value.indexOf('\n') : value.length));
}

/** The content column of a task item, as spaces: where a fence must start to belong to it. */
function taskIndent(task: CellLike): string {
  const prefix = taskContentPrefix(normaliseEol(task.value)) ?? '';
  const base = (task.source?.indent ?? '').replace(/^\uFEFF/, '');
  return base + ' '.repeat(Math.max(2, columnWidth(prefix)));
}
