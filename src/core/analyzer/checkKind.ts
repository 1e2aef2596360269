/**
 * The `analyze` check kind: runs the agent-code analyzer over the workspace folder and passes when
 * no finding of the listed rules remains. ```` ```analyze {id=code.hooks rules=ENG001} ````
 * Attributes: `rules` (comma list of ids or names; default: the rules on by default), `paths`
 * (comma list of relative paths or globs), `engramiaVersion` (for ENG006).
 */
import * as z from 'zod';
import { isAbsolute, relative, sep } from 'node:path';
import type { CheckKind, CheckResult } from '../checks/types';
import { DEFAULT_RULES, RULE_IDS, parseRuleList, type RuleId } from './rules';
import { scanWorkspace, ScanCancelled } from './workspace';
import { detectEngramiaVersion } from './engramiaVersion';
import { workspaceHooksClasses } from './hooksClasses';
import { loadPythonParser } from './parser';
import { ruleInfo } from './rules';

const RULE_ID_SET = new Set<string>(RULE_IDS);

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
  description: 'Analyses the workspace Python agent code (rules ENG001–ENG008) and passes when no finding remains.',
  attributes,
  defaultTimeoutMs: 120_000,
  async run(inv, ctx): Promise<CheckResult> {
    const rules: RuleId[] = inv.attributes.rules;
    const paths = (inv.attributes.paths ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    let found: Location[];
    let noAgentCode: string | undefined;
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
        // hooks classes of the workspace: `hooks=H(memory)` with H imported from another module resolves
        const hooksRules = rules.some((r) => r === 'ENG001' || r === 'ENG003' || r === 'ENG008');
        const py = hooksRules ? await loadPythonParser() : undefined;
        const hooksClasses = py ? await workspaceHooksClasses(ctx.cwd, py, { signal: ctx.signal }) : [];
        const result = await scanWorkspace(ctx.cwd, {
          rules,
          paths,
          signal: ctx.signal,
          ...(py ? { parser: py } : {}),
          ...(hooksClasses.length ? { workspaceHooksClasses: hooksClasses } : {}),
          ...(engramiaVersion ? { engramiaVersion } : {}),
        });
        // a file the analyzer could not read or parse may hide findings: never a pass
        if (result.errors.length) {
          const first = result.errors[0]!;
          return { verdict: 'error', reason: `${result.errors.length} Python file${result.errors.length === 1 ? '' : 's'} not analysed (${first.file}: ${ctx.mask(first.error)})`, details: result.errors.map((e) => `- \`${e.file}\` ${ctx.mask(e.error)}`).join('\n') };
        }
        found = result.findings.map((f) => ({ file: f.file + (f.cell !== undefined ? `#cell${f.cell + 1}` : ''), line: f.line, column: f.column, rule: f.rule, message: f.message }));
        ctx.emit({ stream: 'info', text: `analysed ${result.filesAnalyzed} of ${result.filesFound} Python files\n` });
        if (result.filesAnalyzed === 0) noAgentCode = result.filesFound ? `none of the ${result.filesFound} Python file${result.filesFound === 1 ? '' : 's'} uses the Agents SDK or Engramia` : 'the workspace has no Python files';
      }
    } catch (err) {
      if (err instanceof ScanCancelled || ctx.signal.aborted) return { verdict: 'skipped', reason: 'the analysis was cancelled' };
      return { verdict: 'error', reason: `analysis failed: ${ctx.mask(err instanceof Error ? err.message : String(err))}` };
    }
    const wanted = new Set<string>(rules);
    found = found.filter((f) => wanted.has(f.rule));
    const ruleText = rules.join(', ');
    if (!found.length && noAgentCode) {
      // nothing was checked: a pass would claim what was never seen
      return { verdict: 'warn', reason: `no agent code to check: ${noAgentCode}`, next: 'open the folder that holds the agent code (or set paths=) and run the check again', data: { rules, findings: 0, filesAnalyzed: 0 } };
    }
    if (!found.length) {
      return { verdict: 'pass', reason: `no ${ruleText} findings`, data: { rules, findings: 0 } };
    }
    const counts = new Map<string, number>();
    for (const f of found) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
    const summary = [...counts].map(([r, n]) => `${n}× ${r}`).join(', ');
    const details = found.map((f) => `- \`${f.file}:${f.line}:${f.column}\` **${f.rule}** ${ctx.mask(f.message)}`).join('\n');
    // only information findings (ENG008: hooks that cannot be shown to wire Engramia): not a pass, not a failure
    const onlyInformation = found.every((f) => isRuleId(f.rule) && ruleInfo(f.rule).severity === 'information');
    return {
      verdict: onlyInformation ? 'warn' : 'fail',
      reason: onlyInformation
        ? `${found.length} run${found.length === 1 ? '' : 's'} pass${found.length === 1 ? 'es' : ''} hooks that cannot be shown to wire Engramia (${summary}): ${ctx.mask(found[0]!.message)}`
        : `${found.length} finding${found.length === 1 ? '' : 's'} remain (${summary}): ${ctx.mask(found[0]!.message)}`,
      next: onlyInformation
        ? 'make those hooks a class deriving from agents.RunHooks and EngramiaRunHooks defined in the workspace (or check them by hand), then run the check again'
        : 'apply the quick fixes ("Runbook: Fix All Agent Findings in Workspace") or run `runbook analyze .`, then run the check again',
      details,
      data: { rules, findings: found.length, byRule: Object.fromEntries(counts) },
      locations: found.map((f) => ({ file: f.file, line: f.line, column: f.column, message: `${f.rule} ${f.message}` })),
    };
  },
};

function isRuleId(rule: string): rule is RuleId {
  return /^ENG\d{3}$/.test(rule) && RULE_ID_SET.has(rule);
}

function rel(cwd: string, file: string): string {
  return (isAbsolute(file) ? relative(cwd, file) : file).split(sep).join('/');
}
