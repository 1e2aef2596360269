/**
 * The `analyze` check kind: runs the agent-code analyzer over the workspace folder and passes when
 * no finding of the listed rules remains. ```` ```analyze {id=code.hooks rules=ENG001} ````
 * Attributes: `rules` (comma list of ids or names; default: the rules on by default), `paths`
 * (comma list of relative paths or globs), `engramiaVersion` (for ENG006).
 */
import { z } from 'zod';
import { isAbsolute, relative, sep } from 'node:path';
import type { CheckKind, CheckResult } from '../checks/types';
import { DEFAULT_RULES, parseRuleList, type RuleId } from './rules';
import { scanWorkspace, ScanCancelled } from './workspace';
import { detectEngramiaVersion } from './engramiaVersion';

const attributes = z.object({
  rules: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || !v.trim()) return [...DEFAULT_RULES];
      try {
        return parseRuleList(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  paths: z.string().optional(),
  engramiaVersion: z.string().optional(),
});

export type AnalyzeAttributes = z.infer<typeof attributes>;

interface Location {
  file: string;
  line: number;
  column: number;
  rule: string;
  message: string;
}

export const analyzeKind: CheckKind<AnalyzeAttributes> = {
  name: 'analyze',
  description: 'Analyses the workspace Python agent code (rules ENG001–ENG006) and passes when no finding remains.',
  attributes,
  defaultTimeoutMs: 120_000,
  async run(inv, ctx): Promise<CheckResult> {
    const rules: RuleId[] = inv.attributes.rules;
    const paths = (inv.attributes.paths ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    let found: Location[];
    try {
      if (typeof ctx.services.analyzeWorkspace === 'function') {
        const raw = await ctx.services.analyzeWorkspace(rules, ctx.signal);
        found = raw.map((f) => ({ ...f, file: rel(ctx.cwd, f.file) }));
      } else {
        // ENG006 needs the installed engramia version: the attribute, else the workspace interpreter (trusted only)
        let engramiaVersion = inv.attributes.engramiaVersion;
        if (!engramiaVersion && rules.includes('ENG006') && ctx.trusted && typeof ctx.services.pythonInterpreter === 'function') {
          const py = await ctx.services.pythonInterpreter().catch(() => undefined);
          if (py) engramiaVersion = await detectEngramiaVersion(py.path, 5000, ctx.cwd);
        }
        const result = await scanWorkspace(ctx.cwd, {
          rules,
          paths,
          signal: ctx.signal,
          ...(engramiaVersion ? { engramiaVersion } : {}),
        });
        // a file the analyzer could not read or parse may hide findings: never a pass
        if (result.errors.length) {
          const first = result.errors[0]!;
          return { verdict: 'error', reason: `${result.errors.length} Python file${result.errors.length === 1 ? '' : 's'} not analysed (${first.file}: ${ctx.mask(first.error)})`, details: result.errors.map((e) => `- \`${e.file}\` ${ctx.mask(e.error)}`).join('\n') };
        }
        found = result.findings.map((f) => ({ file: f.file + (f.cell !== undefined ? `#cell${f.cell + 1}` : ''), line: f.line, column: f.column, rule: f.rule, message: f.message }));
        ctx.emit({ stream: 'info', text: `analysed ${result.filesAnalyzed} of ${result.filesFound} Python files\n` });
      }
    } catch (err) {
      if (err instanceof ScanCancelled || ctx.signal.aborted) return { verdict: 'skipped', reason: 'the analysis was cancelled' };
      return { verdict: 'error', reason: `analysis failed: ${ctx.mask(err instanceof Error ? err.message : String(err))}` };
    }
    const wanted = new Set<string>(rules);
    found = found.filter((f) => wanted.has(f.rule));
    const ruleText = rules.join(', ');
    if (!found.length) {
      return { verdict: 'pass', reason: `no ${ruleText} findings`, data: { rules, findings: 0 } };
    }
    const counts = new Map<string, number>();
    for (const f of found) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
    const summary = [...counts].map(([r, n]) => `${n}× ${r}`).join(', ');
    const details = found.map((f) => `- \`${f.file}:${f.line}:${f.column}\` **${f.rule}** ${ctx.mask(f.message)}`).join('\n');
    return {
      verdict: 'fail',
      reason: `${found.length} finding${found.length === 1 ? '' : 's'} remain (${summary})`,
      next: 'apply the quick fixes ("Runbook: Fix All Agent Findings in Workspace") or run `runbook analyze .`, then run the check again',
      details,
      data: { rules, findings: found.length, byRule: Object.fromEntries(counts) },
      locations: found.map((f) => ({ file: f.file, line: f.line, column: f.column, message: `${f.rule} ${f.message}` })),
    };
  },
};

function rel(cwd: string, file: string): string {
  return (isAbsolute(file) ? relative(cwd, file) : file).split(sep).join('/');
}
