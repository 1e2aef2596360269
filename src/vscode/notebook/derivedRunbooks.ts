/**
 * The derived view (tasks, checks, sections, front matter) of each open runbook notebook,
 * computed by the core from the live cells and kept per document version, so that the
 * controller, the status bar, the views and the commands share one computation.
 */
import * as vscode from 'vscode';
import { deriveRunbook, type DerivedRunbook } from '../../core/runbook';
import { notebookCells } from './serializer';

export class DerivedRunbooks {
  private readonly cache = new WeakMap<vscode.NotebookDocument, { version: number; derived: DerivedRunbook }>();

  constructor(private readonly isCheckKind: (word: string) => boolean) {}

  of(notebook: vscode.NotebookDocument): DerivedRunbook {
    const hit = this.cache.get(notebook);
    if (hit && hit.version === notebook.version) return hit.derived;
    const derived = deriveRunbook(notebookCells(notebook), { isCheckKind: this.isCheckKind });
    this.cache.set(notebook, { version: notebook.version, derived });
    return derived;
  }
}
