/**
 * Text positions (UTF-16 code units, like VS Code and web-tree-sitter on JS strings) and pure
 * text edits: offset ↔ line/character, applying and merging edits.
 */
export interface Position {
  /** 0-based line. */
  readonly line: number;
  /** 0-based UTF-16 column. */
  readonly character: number;
}

export interface TextRange {
  readonly start: Position;
  readonly end: Position;
  /** UTF-16 offsets into the source (of the cell, for notebooks). */
  readonly startOffset: number;
  readonly endOffset: number;
}

export interface TextEdit {
  readonly range: TextRange;
  readonly newText: string;
  /** Notebook cell index the edit applies to (absent for a plain file). */
  readonly cell?: number;
}

/** An edit by offsets, before positions are attached. */
export interface OffsetEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly cell?: number;
}

export class LineTable {
  readonly starts: number[] = [0];
  readonly eol: string;

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    const firstNl = text.indexOf('\n');
    this.eol = firstNl > 0 && text[firstNl - 1] === '\r' ? '\r\n' : '\n';
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo]! };
  }

  offsetAt(line: number, character: number): number {
    if (line >= this.starts.length) return this.text.length;
    return Math.min(this.starts[line]! + character, this.lineEnd(line));
  }

  /** Offset of the end of a line's content (before `\r\n` / `\n`). */
  lineEnd(line: number): number {
    if (line + 1 >= this.starts.length) return this.text.length;
    let e = this.starts[line + 1]! - 1;
    if (e > this.starts[line]! && this.text.charCodeAt(e - 1) === 13) e--;
    return e;
  }

  lineText(line: number): string {
    return this.text.slice(this.starts[line] ?? this.text.length, this.lineEnd(line));
  }

  /** The leading spaces/tabs of a line. */
  indentOf(line: number): string {
    const t = this.lineText(line);
    let i = 0;
    while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
    return t.slice(0, i);
  }

  range(startOffset: number, endOffset: number): TextRange {
    return { start: this.positionAt(startOffset), end: this.positionAt(endOffset), startOffset, endOffset };
  }

  toTextEdit(e: OffsetEdit): TextEdit {
    return e.cell === undefined ? { range: this.range(e.start, e.end), newText: e.text } : { range: this.range(e.start, e.end), newText: e.text, cell: e.cell };
  }
}

/**
 * Sorts edits and merges the ones that touch (an insertion at the end of a replacement, or two
 * insertions at one offset, become one edit in order). Overlapping edits conflict: later ones are
 * dropped (a second fix-all pass picks them up). Edits of different cells never interact.
 */
export function mergeEdits(edits: readonly OffsetEdit[]): OffsetEdit[] {
  const byCell = new Map<number, { e: OffsetEdit; i: number }[]>();
  edits.forEach((e, i) => {
    const k = e.cell ?? -1;
    if (!byCell.has(k)) byCell.set(k, []);
    byCell.get(k)!.push({ e, i });
  });
  const out: OffsetEdit[] = [];
  for (const list of byCell.values()) {
    list.sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end || a.i - b.i);
    const merged: OffsetEdit[] = [];
    for (const { e } of list) {
      const prev = merged[merged.length - 1];
      if (prev && e.start < prev.end) continue; // conflict
      if (prev && e.start === prev.end && (e.start === e.end || prev.start === prev.end)) {
        merged[merged.length - 1] = { ...prev, end: e.end, text: prev.text + e.text };
        continue;
      }
      merged.push(e);
    }
    out.push(...merged);
  }
  return out;
}

/** Applies offset edits to a text (edits must not overlap; they are merged first). */
export function applyEdits(text: string, edits: readonly OffsetEdit[]): string {
  const sorted = mergeEdits(edits).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Applies TextEdits (by their offsets) to a text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  return applyEdits(text, edits.map((e) => ({ start: e.range.startOffset, end: e.range.endOffset, text: e.newText })));
}
