/**
 * The checks a parsed runbook declares, flattened for the CLI, the run-all orchestration and the
 * VS Code layer. Each entry has what the engine's CheckSpec needs (id, kind, attributes, body, label, error).
 */
import type { RunbookDocument } from './model';

export interface CheckListing {
  readonly id: string;
  readonly explicitId: boolean;
  readonly kind: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The fenced block's body (the cell value). */
  readonly body: string;
  readonly label?: string;
  readonly sectionPath: readonly string[];
  /** Index of the fence cell. */
  readonly cell: number;
  /** Index of the task cell the check ticks, or null. */
  readonly taskCell: number | null;
  readonly error?: string;
}

export function listChecks(doc: Pick<RunbookDocument, 'cells'>): CheckListing[] {
  const out: CheckListing[] = [];
  doc.cells.forEach((cell, index) => {
    const c = cell.check;
    if (!c) return;
    out.push({
      id: c.id,
      explicitId: c.explicitId,
      kind: c.kind,
      attributes: c.attributes,
      body: cell.value,
      ...(c.label !== undefined ? { label: c.label } : {}),
      sectionPath: c.headingPath,
      cell: index,
      taskCell: c.taskCell,
      ...(c.error !== undefined ? { error: c.error } : {}),
    });
  });
  return out;
}

export function findCheck(doc: Pick<RunbookDocument, 'cells'>, id: string): CheckListing | undefined {
  return listChecks(doc).find((c) => c.id === id);
}
