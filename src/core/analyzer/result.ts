/**
 * The analysis result: findings in document order with their fixes (rendered on first use),
 * fix-all, and the same result shifted after an edit that cannot change it.
 */
import type { AnalysisResult, Finding, Fix, HooksClassInfo } from './analyze';
import { renderPlans, type ImportSite, type Intent, type Plan } from './fixes';
import { ruleInfo, type RuleId } from './rules';
import { LineTable, type OffsetEdit, type TextEdit } from './text';

export interface RawFinding {
  readonly rule: RuleId;
  readonly message: string;
  readonly unit: number;
  readonly start: number;
  readonly end: number;
  /** Absent when fixes were not planned (a workspace scan). */
  readonly suppress?: OffsetEdit;
  readonly plan?: Plan;
  readonly fixTitle?: string;
}

export function buildResult(raws: readonly RawFinding[], followUps: readonly Plan[], lines: readonly LineTable[], notebook: boolean, errorUnits: readonly number[], mem: string, hooksClasses: readonly HooksClassInfo[], relevantNames: readonly string[], fixes = true): AnalysisResult {
  if (!fixes) return diagnosticsOnly(raws, lines, notebook, errorUnits, mem, hooksClasses, relevantNames);
  const findings = raws.map((r): Finding => {
    const l = lines[r.unit]!;
    const cell = notebook ? r.unit : undefined;
    const base = {
      ...findingBase(r, lines, notebook),
      suppress: { title: suppressTitle(r.rule), edits: [toCell(l.toTextEdit(r.suppress!), cell)] },
    };
    if (!r.plan || !r.fixTitle) return base;
    const plan = r.plan;
    let edits: TextEdit[] | undefined;
    return {
      ...base,
      fix: {
        title: r.fixTitle,
        // rendered on first use (diagnostics never need them)
        get edits(): readonly TextEdit[] {
          edits ??= renderPlans([plan], lines, notebook);
          return edits;
        },
      },
    };
  });
  return {
    ...resultFields(findings, errorUnits, mem, hooksClasses, relevantNames),
    fixAll(): TextEdit[] {
      if (errorUnits.length) return [];
      return renderPlans([...raws.flatMap((r) => (r.plan ? [r.plan] : [])), ...followUps], lines, notebook);
    },
    shifted(oldEnd: number, delta: number, newText: string | LineTable): AnalysisResult {
      const o = (x: number) => (x >= oldEnd ? x + delta : x);
      const sites = new Map<ImportSite, ImportSite>();
      const site = (x: ImportSite): ImportSite => {
        let y = sites.get(x);
        if (!y) {
          y = { ...x, ...(x.append ? { append: { ...x.append, at: o(x.append.at) } } : {}), insert: { ...x.insert, at: o(x.insert.at) } };
          sites.set(x, y);
        }
        return y;
      };
      const plan = (p: Plan): Plan => ({
        intents: p.intents.map((i): Intent => i.kind === 'replace'
          ? { ...i, start: o(i.start), end: o(i.end) }
          : { ...i, layout: { ...i.layout, openEnd: o(i.layout.openEnd), lastEnd: o(i.layout.lastEnd), ...(i.layout.commaEnd !== undefined ? { commaEnd: o(i.layout.commaEnd) } : {}), lineEndAfterLast: o(i.layout.lineEndAfterLast) } }),
        imports: p.imports.map((n) => ({ ...n, site: site(n.site) })),
        ...(p.preludes ? { preludes: p.preludes.map((n) => ({ ...n, site: site(n.site) })) } : {}),
      });
      const moved = raws.map((r): RawFinding => ({
        ...r,
        start: o(r.start),
        end: o(r.end),
        suppress: { ...r.suppress!, start: o(r.suppress!.start), end: o(r.suppress!.end) },
        ...(r.plan ? { plan: plan(r.plan) } : {}),
      }));
      return buildResult(moved, followUps.map(plan), [typeof newText === 'string' ? new LineTable(newText) : newText], notebook, errorUnits, mem, hooksClasses, relevantNames);
    },
  };
}

/**
 * The findings of an analysis that planned no fixes (a workspace scan needs only the diagnostics):
 * each says whether it has a fix; asking for any edit throws.
 */
function diagnosticsOnly(raws: readonly RawFinding[], lines: readonly LineTable[], notebook: boolean, errorUnits: readonly number[], mem: string, hooksClasses: readonly HooksClassInfo[], relevantNames: readonly string[]): AnalysisResult {
  const unplanned = (): never => {
    throw new Error('this analysis planned no fixes');
  };
  const noEdits = (title: string): Fix => ({ title, get edits(): readonly TextEdit[] { return unplanned(); } });
  const findings = raws.map((r): Finding => ({
    ...findingBase(r, lines, notebook),
    suppress: noEdits(suppressTitle(r.rule)),
    ...(r.fixTitle ? { fix: noEdits(r.fixTitle) } : {}),
  }));
  return {
    ...resultFields(findings, errorUnits, mem, hooksClasses, relevantNames),
    fixAll: unplanned,
    shifted: unplanned,
  };
}

/** What a result says besides its fixes, with or without planned fixes. */
function resultFields(findings: Finding[], errorUnits: readonly number[], mem: string, hooksClasses: readonly HooksClassInfo[], relevantNames: readonly string[]): Omit<AnalysisResult, 'fixAll' | 'shifted'> {
  return { findings: sortFindings(findings), hasSyntaxErrors: errorUnits.length > 0, errorUnits, memoryVariable: mem, hooksClasses, relevantNames };
}

/** What a finding says and where, with or without planned fixes. */
function findingBase(r: RawFinding, lines: readonly LineTable[], notebook: boolean): Omit<Finding, 'suppress' | 'fix'> {
  const info = ruleInfo(r.rule);
  return {
    rule: r.rule,
    name: info.name,
    severity: info.severity,
    message: r.message,
    range: lines[r.unit]!.range(r.start, r.end),
    ...(notebook ? { cell: r.unit } : {}),
  };
}

const suppressTitle = (rule: RuleId) => `Engramia (${rule}): Disable for this line`;

/** Document order: cell, start offset, rule id. */
function sortFindings(findings: readonly Finding[]): Finding[] {
  const order = findings.map((_f, i) => i).sort((x, y) => {
    const a = findings[x]!;
    const b = findings[y]!;
    return (a.cell ?? 0) - (b.cell ?? 0) || a.range.startOffset - b.range.startOffset || a.rule.localeCompare(b.rule);
  });
  return order.map((i) => findings[i]!);
}

function toCell(e: TextEdit, cell: number | undefined): TextEdit {
  return cell === undefined ? e : { ...e, cell };
}

