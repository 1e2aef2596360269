/**
 * Adapts the core's byte-exact markdown ↔ cells conversion to VS Code's NotebookSerializer.
 * Each cell keeps its original source slice in metadata (`runbook.source`), so that unchanged
 * cells are written back to the byte; the notebook keeps the EOL style and any parse failure.
 */
import * as vscode from 'vscode';
import { parseInfoString, parseRunbook, serializeRunbookBytes, type CellLike } from '../../core/runbook';
import type { CellRole, CellSource, ParseFailure } from '../../core/runbook/model';
import { toFenceWord, toVsCodeLanguage } from './languages';

export interface CellMeta {
  readonly source?: CellSource;
  readonly role?: CellRole;
}
export interface NotebookMeta {
  readonly eol?: '\n' | '\r\n';
  readonly bom?: boolean;
  readonly failure?: ParseFailure;
}

export function cellMeta(metadata: { readonly [key: string]: any } | undefined): CellMeta {
  return (metadata?.runbook as CellMeta | undefined) ?? {};
}

export function toCellLike(cell: { kind: vscode.NotebookCellKind; value: string; languageId: string; metadata?: { readonly [key: string]: any } }): CellLike {
  const meta = cellMeta(cell.metadata);
  const code = cell.kind === vscode.NotebookCellKind.Code;
  const originalWord = meta.source?.fence ? fenceWord(meta.source.fence.info) : meta.role === 'frontMatter' ? 'yaml' : undefined;
  return {
    kind: code ? 'code' : 'markup',
    value: cell.value,
    language: code ? toFenceWord(cell.languageId, originalWord) : cell.languageId,
    source: meta.source,
    role: meta.role,
  };
}

/** The live notebook's cells in the core's shape. */
export function notebookCells(notebook: vscode.NotebookDocument): CellLike[] {
  return notebook.getCells().map((c) => toCellLike({ kind: c.kind, value: c.document.getText(), languageId: c.document.languageId, metadata: c.metadata }));
}

export class RunbookSerializer implements vscode.NotebookSerializer {
  /** `isCheckKind`: which info-string words make a fence a check (default: the built-in kinds and aliases). */
  constructor(private readonly isCheckKind?: (word: string) => boolean) {}

  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    const doc = parseRunbook(content, { isCheckKind: this.isCheckKind });
    const cells = doc.cells.map((c) => {
      const data = new vscode.NotebookCellData(c.kind === 'code' ? vscode.NotebookCellKind.Code : vscode.NotebookCellKind.Markup, c.value, c.kind === 'code' ? toVsCodeLanguage(c.language) : c.language);
      data.metadata = { runbook: { source: c.source, role: c.role } satisfies CellMeta };
      return data;
    });
    const data = new vscode.NotebookData(cells);
    data.metadata = { runbook: { eol: doc.eol, bom: doc.bom, failure: doc.failure } satisfies NotebookMeta };
    return data;
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    const meta = (data.metadata?.runbook ?? {}) as NotebookMeta;
    const cells = data.cells.map((c) => toCellLike({ kind: c.kind, value: c.value, languageId: c.languageId, metadata: c.metadata }));
    return serializeRunbookBytes(cells, { eol: meta.eol ?? '\n', bom: meta.bom, failure: meta.failure });
  }
}

/** The language word of a fence info string (`http {id=x}` → `http`), as the parser reads it. */
function fenceWord(info: string): string {
  return parseInfoString(info).kind || 'text';
}
