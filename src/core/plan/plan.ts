/**
 * Run planning: which checks of a runbook a "run all" (or a run of one section) executes, in
 * document order. Built on the runbook model only (cells, sections), so it works with any parser
 * that fills `RunbookDocument`. Checks marked `excludeFromRunAll` stay in the plan as skipped, so
 * that reports show them; an explicit `only` list runs them anyway.
 */
import type { CheckSpec } from '../checks/engine';
import type { RunbookDocument, Section } from '../runbook/model';

/** One check of a runbook, with where it sits. */
export interface PlannedCheck extends CheckSpec {
  /** Index of the fence cell. */
  readonly cell: number;
  /** Index of the task cell the check belongs to, or null. */
  readonly taskCell: number | null;
  /** Heading texts from the top down to the check's section ([] before the first heading). */
  readonly sectionPath: readonly string[];
  /** Id of the innermost section holding the check, or '' before the first heading. */
  readonly sectionId: string;
}

export interface PlanEntry {
  readonly check: PlannedCheck;
  /** Set when the check is not run; the reason is reported as a skipped result. */
  readonly skip?: string;
}

export interface RunPlan {
  /** Every selected check in document order, skipped ones included. */
  readonly entries: readonly PlanEntry[];
  /** The section the plan was limited to, if any. */
  readonly section?: Section;
}

export interface PlanOptions {
  /** Section title or id (case-insensitive); its subsections are included. */
  readonly section?: string;
  /** Only these check ids, in document order; `excludeFromRunAll` is ignored for them. */
  readonly only?: readonly string[];
  /** Destructive checks are left out of a run-all (skipped) unless named in `only`. */
  readonly isDestructive?: (check: PlannedCheck) => boolean;
}

export const EXCLUDED_REASON = 'excluded from run all';
export const DESTRUCTIVE_REASON = 'destructive: not part of a run-all (run it on its own)';

export class PlanError extends Error {}

const TRUE_WORDS = new Set(['true', 'yes', '1', 'on', '']);

/** True when a flag attribute (`destructive`, `serial`, `excludeFromRunAll`, …) is set: true/yes/1/on or given bare. */
export function isAttributeSet(attributes: Readonly<Record<string, string>>, key: string): boolean {
  const v = attributes[key];
  return v !== undefined && TRUE_WORDS.has(String(v).trim().toLowerCase());
}

/** The innermost section holding a cell, or undefined before the first heading. */
export function sectionOfCell(doc: RunbookDocument, cell: number): Section | undefined {
  let best: Section | undefined;
  for (const s of doc.sections) {
    if (s.cell <= cell && cell < s.endCell && (!best || s.level >= best.level)) best = s;
  }
  return best;
}

/** Every check of a runbook in document order. */
export function checksOf(doc: RunbookDocument): PlannedCheck[] {
  const out: PlannedCheck[] = [];
  doc.cells.forEach((cell, index) => {
    const ref = cell.check;
    if (!ref) return;
    const task = ref.taskCell !== null ? doc.cells[ref.taskCell]?.task : undefined;
    const section = sectionOfCell(doc, index);
    const title = ref.attributes['title'];
    out.push({
      id: ref.id,
      kind: ref.kind,
      attributes: ref.attributes,
      body: cell.value,
      label: task?.label || title || undefined,
      error: ref.error,
      cell: index,
      taskCell: ref.taskCell,
      sectionPath: section?.path ?? ref.headingPath,
      sectionId: section?.id ?? '',
    });
  });
  return out;
}

/** Finds a section by id, title, or the last segment of its id, case-insensitively (in that order). */
export function findSection(doc: RunbookDocument, name: string): Section | undefined {
  const n = name.trim().toLowerCase();
  return (
    doc.sections.find((s) => s.id.toLowerCase() === n) ??
    doc.sections.find((s) => s.title.trim().toLowerCase() === n) ??
    // The last segment of a path-like id ("…/rollback" → "rollback").
    doc.sections.find((s) => s.id.toLowerCase().split('/').pop() === n)
  );
}

export function isExcludedFromRunAll(check: Pick<CheckSpec, 'attributes'>): boolean {
  return isAttributeSet(check.attributes, 'excludeFromRunAll');
}

export function planRun(doc: RunbookDocument, options: PlanOptions = {}): RunPlan {
  let checks = checksOf(doc);
  let section: Section | undefined;
  if (options.section !== undefined) {
    section = findSection(doc, options.section);
    if (!section) {
      const names = doc.sections.map((s) => s.title).join(', ');
      throw new PlanError(`no section "${options.section}"${names ? ` (sections: ${names})` : ' (the runbook has no headings)'}`);
    }
    const s = section;
    checks = checks.filter((c) => s.cell <= c.cell && c.cell < s.endCell);
  }
  if (options.only) {
    const wanted = new Set(options.only);
    const known = new Set(checks.map((c) => c.id));
    const unknown = options.only.filter((id) => !known.has(id));
    if (unknown.length) throw new PlanError(`no check with id ${unknown.map((u) => `"${u}"`).join(', ')}${section ? ` in section "${section.title}"` : ''}`);
    return { section, entries: checks.filter((c) => wanted.has(c.id)).map((check) => ({ check })) };
  }
  return {
    section,
    entries: checks.map((check) =>
      isExcludedFromRunAll(check) ? { check, skip: EXCLUDED_REASON }
      : options.isDestructive?.(check) ? { check, skip: DESTRUCTIVE_REASON }
      : { check }),
  };
}

/** A key for a section path, used to group progress ("Pre-cutover › Data"). */
export function sectionKey(path: readonly string[]): string {
  return path.join(' › ');
}
