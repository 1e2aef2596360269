/**
 * Entry points over the analyzer: one text, the cells of a notebook, and an incrementally
 * re-parsed document for the editor (keeps its tree and applies `tree.edit` per change).
 */
import { Edit, type Tree } from 'web-tree-sitter';
import { analyzeUnits, type AnalysisResult, type AnalyzeOptions } from './analyze';
import type { PythonParser } from './parser';
import { LineTable } from './text';

/** Cheap pre-gate: files that never mention `agents` or `engramia` cannot match any rule. */
export function mayContainAgentCode(text: string): boolean {
  return text.includes('agents') || text.includes('engramia');
}

function parse(py: PythonParser, text: string, old?: Tree): Tree {
  const tree = py.parser.parse(text, old ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** Analyses one Python source with a loaded parser (the tree is deleted afterwards); `fixes`: see `analyzeUnits`. */
export function analyzeText(py: PythonParser, text: string, options: AnalyzeOptions = {}, fixes = true): AnalysisResult {
  const tree = parse(py, text);
  try {
    return analyzeUnits(py, [{ text, tree }], options, false, fixes);
  } finally {
    tree.delete();
  }
}

/**
 * The Python a notebook cell runs, at the same offsets: a cell magic (`%%bash`, `%%writefile`, any
 * `%%`) blanks the whole cell; a line magic or shell line (`%pip ...`, `!ls`) becomes a comment,
 * unless it lies inside a string. Lengths never change, so findings and edits keep their positions.
 */
export function pythonOfCell(py: PythonParser, text: string): string {
  const firstLine = text.trimStart().split('\n', 1)[0] ?? '';
  if (firstLine.startsWith('%%')) return text.replace(/[^\r\n]/g, ' ');
  const lines = new LineTable(text);
  const magic: number[] = [];
  for (let row = 0; row < lines.lineCount; row++) {
    const t = lines.lineText(row);
    const indent = lines.indentOf(row).length;
    if (t[indent] === '%' || t[indent] === '!') magic.push(lines.starts[row]! + indent);
  }
  if (!magic.length) return text;
  const tree = parse(py, text);
  try {
    let out = text;
    for (const at of magic) {
      let inString = false;
      for (let n = tree.rootNode.descendantForIndex(at); n; n = n.parent) {
        if (n.type === 'string' || n.type === 'string_content' || n.type === 'concatenated_string') {
          inString = n.startIndex < at;
          if (inString) break;
        }
      }
      if (!inString) out = `${out.slice(0, at)}#${out.slice(at + 1)}`;
    }
    return out;
  } finally {
    tree.delete();
  }
}

/**
 * Analyses the cells of a notebook as one unit: bindings resolve across cells; findings carry
 * `cell`. Cell magics and shell lines are not Python: they are skipped (`pythonOfCell`).
 */
export function analyzeCells(py: PythonParser, cells: readonly string[], options: AnalyzeOptions = {}, fixes = true): AnalysisResult {
  const texts = cells.map((c) => pythonOfCell(py, c));
  const trees = texts.map((c) => parse(py, c));
  try {
    return analyzeUnits(py, texts.map((text, i) => ({ text, tree: trees[i]! })), options, true, fixes);
  } finally {
    for (const t of trees) t.delete();
  }
}

/** A change as VS Code reports it: the replaced range (old text) and the new text. */
export interface ContentChange {
  readonly rangeOffset: number;
  readonly rangeLength: number;
  readonly text: string;
}

/** An open document: keeps its tree and re-parses incrementally after edits. */
export class IncrementalDocument {
  private tree: Tree;
  private text: string;
  private last?: { result: AnalysisResult; options: string };
  /** Edits since the last analysis: one small edit may let that analysis be reused. */
  private pending: { offset: number; removed: string; inserted: string }[] = [];
  /** Ranges whose syntax changed in those edits (tree-sitter's changed ranges, new offsets). */
  private changed: { start: number; end: number }[] = [];
  /** How the last `analyze()` was answered (for tests and the bench). */
  lastAnalysis: 'full' | 'reused' = 'full';

  constructor(private readonly py: PythonParser, text: string) {
    this.text = text;
    this.tree = parse(py, text);
  }

  get source(): string {
    return this.text;
  }

  /** Applies changes in order (each offset relative to the text after the previous one), then re-parses incrementally. */
  update(changes: readonly ContentChange[]): void {
    let text = this.text;
    for (const c of changes) {
      const before = this.lineTable(text);
      const start = before.positionAt(c.rangeOffset);
      const oldEnd = before.positionAt(c.rangeOffset + c.rangeLength);
      this.pending.push({ offset: c.rangeOffset, removed: text.slice(c.rangeOffset, c.rangeOffset + c.rangeLength), inserted: c.text });
      text = text.slice(0, c.rangeOffset) + c.text + text.slice(c.rangeOffset + c.rangeLength);
      this.lines = undefined;
      const newEndOffset = c.rangeOffset + c.text.length;
      // the new end from the inserted text alone (no scan of the whole document)
      const lastNl = c.text.lastIndexOf('\n');
      let rows = 0;
      for (let i = c.text.indexOf('\n'); i >= 0; i = c.text.indexOf('\n', i + 1)) rows++;
      const newEnd = { line: start.line + rows, character: lastNl < 0 ? start.character + c.text.length : c.text.length - lastNl - 1 };
      this.tree.edit(
        new Edit({
          startIndex: c.rangeOffset,
          oldEndIndex: c.rangeOffset + c.rangeLength,
          newEndIndex: newEndOffset,
          startPosition: { row: start.line, column: start.character },
          oldEndPosition: { row: oldEnd.line, column: oldEnd.character },
          newEndPosition: { row: newEnd.line, column: newEnd.character },
        }),
      );
      this.linesText = undefined;
    }
    const next = parse(this.py, text, this.tree);
    for (const r of this.tree.getChangedRanges(next)) this.changed.push({ start: r.startIndex, end: r.endIndex });
    this.tree.delete();
    this.tree = next;
    this.text = text;
  }

  private lines?: LineTable;
  private linesText?: string;

  /** The line table of `text` (cached for the current text). */
  private lineTable(text: string): LineTable {
    if (this.lines && this.linesText === text) return this.lines;
    this.lines = new LineTable(text);
    this.linesText = text;
    return this.lines;
  }

  /** Replaces the whole text (no incremental parse). */
  reset(text: string): void {
    this.last = undefined;
    this.pending = [];
    this.changed = [];
    const next = parse(this.py, text);
    this.tree.delete();
    this.tree = next;
    this.text = text;
  }

  analyze(options: AnalyzeOptions = {}): AnalysisResult {
    const key = JSON.stringify(options);
    const reused = this.last && this.last.options === key ? this.reuse(this.last.result) : undefined;
    const result = reused ?? analyzeUnits(this.py, [{ text: this.text, tree: this.tree }], options, false);
    this.lastAnalysis = reused ? 'reused' : 'full';
    this.last = { result, options: key };
    this.pending = [];
    this.changed = [];
    return result;
  }

  /**
   * The previous analysis, shifted, when the only edit since then cannot change any finding: one
   * edit of identifier characters or spaces, no change in syntax errors, and no enclosing import,
   * comment directive, module-level assignment, or call/assignment that mentions a relevant name.
   */
  private reuse(prev: AnalysisResult): AnalysisResult | undefined {
    if (this.pending.length !== 1) return this.pending.length === 0 ? prev : undefined;
    const { offset, removed, inserted } = this.pending[0]!;
    const plain = (t: string) => {
      for (const ch of t) if (!(ch === ' ' || ch === '_' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) return false;
      return true;
    };
    if (!plain(removed) || !plain(inserted)) return undefined;
    if (this.tree.rootNode.hasError !== prev.hasSyntaxErrors) return undefined;
    const names = prev.relevantNames;
    const mentions = (t: string) => names.some((n) => t.includes(n));
    if (mentions(removed)) return undefined;
    const at = this.tree.rootNode.descendantForIndex(offset, offset + inserted.length);
    // the syntax must not change beyond the edited token (e.g. a quote run turning code into a string)
    if (this.changed.some((r) => !at || r.start < at.startIndex || r.end > at.endIndex)) return undefined;
    for (let n = at; n && n.type !== 'module'; n = n.parent) {
      switch (n.type) {
        case 'import_statement':
        case 'import_from_statement':
        case 'future_import_statement':
          return undefined;
        case 'comment':
          if (n.text.includes('engramia') || n.text.includes('noqa')) return undefined;
          break;
        case 'identifier':
          if (mentions(n.text)) return undefined;
          break;
        case 'call':
        case 'assignment':
        case 'augmented_assignment':
          if (mentions(this.text.slice(n.startIndex, Math.min(n.endIndex, n.startIndex + 400)))) return undefined;
          if (n.type !== 'call' && n.parent?.type === 'expression_statement' && n.parent.parent?.type === 'module') return undefined;
          break;
      }
    }
    return prev.shifted(offset + removed.length, inserted.length - removed.length, this.lineTable(this.text));
  }

  dispose(): void {
    this.tree.delete();
  }
}
