/**
 * The rules list: the one truth about the analyzer's rules. Each rule is a module (`ENG00x.ts`:
 * metadata, matcher, fix); this list registers them, in the order their findings are planned.
 * Ids, names, severities, defaults and docs pages everywhere (settings, CLI, CodeLens, suppression
 * comments) come from here. Specification: docs/rules/*.md.
 */
import { ENG001 } from './ENG001';
import { ENG002 } from './ENG002';
import { ENG003 } from './ENG003';
import { ENG004 } from './ENG004';
import { ENG005 } from './ENG005';
import { ENG006 } from './ENG006';
import { ENG007 } from './ENG007';
import { ENG008 } from './ENG008';
import type { Rule, RuleMeta } from './types';

export { versionLessThan } from './ENG006';
export type { Rule, RuleMeta, Severity } from './types';

/** Every rule module, registered once. */
export const RULE_LIST = [ENG001, ENG002, ENG003, ENG004, ENG005, ENG006, ENG007, ENG008] as const;

/** A rule id (never renamed; suppression comments depend on them). */
export type RuleId = (typeof RULE_LIST)[number]['meta']['id'];
export type RuleInfo = RuleMeta<RuleId>;

export const RULES: readonly RuleInfo[] = RULE_LIST.map((r) => r.meta);
export const RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);
export const DEFAULT_RULES: readonly RuleId[] = RULES.filter((r) => r.enabledByDefault).map((r) => r.id);

/** The rule modules as the analyzer runs them. */
export const RULE_MODULES: readonly Rule<RuleId>[] = RULE_LIST;

export function ruleInfo(id: RuleId): RuleInfo {
  return RULES.find((r) => r.id === id)!;
}

/** "ENG001" or "missing-run-hooks" (any case) → the rule id; undefined when unknown. */
export function parseRuleId(text: string): RuleId | undefined {
  const t = text.trim();
  const byId = RULES.find((r) => r.id === t.toUpperCase());
  if (byId) return byId.id;
  return RULES.find((r) => r.name === t.toLowerCase())?.id;
}

/** "ENG001,ENG002" → ids; throws on an unknown one (callers turn it into a usage error). */
export function parseRuleList(text: string): RuleId[] {
  const out: RuleId[] = [];
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const id = parseRuleId(part);
    if (!id) throw new Error(`unknown rule "${part.trim()}" (known: ${RULE_IDS.join(', ')})`);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/** The docs page of a rule, relative to the repository root. */
export function ruleDocPath(id: RuleId): string {
  return ruleInfo(id).docs;
}
