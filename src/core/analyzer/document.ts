/**
 * Entry points over the analyzer: one text, the cells of a notebook, and an incrementally
 * re-parsed document for the editor (keeps its tree and applies `tree.edit` per change).
 */
import { Edit, type Tree } from 'web-tree-sitter';
import { analyzeUnits, type AnalysisResult, type AnalyzeOptions } from './analyze';
import { loadPythonParser, type LoadOptions, type PythonParser } from './parser';
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

/** Analyses one Python source with a loaded parser (the tree is deleted afterwards). */
export function analyzeText(py: PythonParser, text: string, options: AnalyzeOptions = {}): AnalysisResult {
  const tree = parse(py, text);
  try {
    return analyzeUnits(py, [{ text, tree }], options, false);
  } finally {
    tree.delete();
  }
}

/** Analyses the cells of a notebook as one unit: bindings resolve across cells; findings carry `cell`. */
export function analyzeCells(py: PythonParser, cells: readonly string[], options: AnalyzeOptions = {}): AnalysisResult {
  const trees = cells.map((c) => parse(py, c));
  try {
    return analyzeUnits(py, cells.map((text, i) => ({ text, tree: trees[i]! })), options, true);
  } finally {
    for (const t of trees) t.delete();
  }
}

/** Loads the parser if needed, then analyses one source. */
export async function analyzePython(text: string, options: AnalyzeOptions & LoadOptions = {}): Promise<AnalysisResult> {
  return analyzeText(await loadPythonParser(options), text, options);
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
      const before = new LineTable(text);
      const start = before.positionAt(c.rangeOffset);
      const oldEnd = before.positionAt(c.rangeOffset + c.rangeLength);
      text = text.slice(0, c.rangeOffset) + c.text + text.slice(c.rangeOffset + c.rangeLength);
      const newEndOffset = c.rangeOffset + c.text.length;
      const after = new LineTable(text);
      const newEnd = after.positionAt(newEndOffset);
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
    }
    const next = parse(this.py, text, this.tree);
    this.tree.delete();
    this.tree = next;
    this.text = text;
  }

  /** Replaces the whole text (no incremental parse). */
  reset(text: string): void {
    const next = parse(this.py, text);
    this.tree.delete();
    this.tree = next;
    this.text = text;
  }

  analyze(options: AnalyzeOptions = {}): AnalysisResult {
    return analyzeUnits(this.py, [{ text: this.text, tree: this.tree }], options, false);
  }

  dispose(): void {
    this.tree.delete();
  }
}
