/**
 * The analyzer's rules: ids (never renamed; suppression comments depend on them), readable names,
 * severities, and which are on by default. Specification: docs/rules/*.md.
 */
export type RuleId = 'ENG001' | 'ENG002' | 'ENG003' | 'ENG004' | 'ENG005' | 'ENG006' | 'ENG007' | 'ENG008';
export type Severity = 'error' | 'warning' | 'information';

export interface RuleInfo {
  readonly id: RuleId;
  readonly name: string;
  readonly severity: Severity;
  readonly enabledByDefault: boolean;
  readonly summary: string;
}

export const RULES: readonly RuleInfo[] = [
  { id: 'ENG001', name: 'missing-run-hooks', severity: 'warning', enabledByDefault: true, summary: 'Runner.run / run_sync / run_streamed without Engramia hooks (nothing is learned).' },
  { id: 'ENG002', name: 'static-agent-instructions', severity: 'warning', enabledByDefault: true, summary: 'Agent instructions= is a static string, so recalled patterns never reach the prompt.' },
  { id: 'ENG003', name: 'agent-tool-without-hooks', severity: 'information', enabledByDefault: false, summary: 'agent.as_tool(...) without hooks: the nested run is not learned.' },
  { id: 'ENG004', name: 'instructions-without-context', severity: 'warning', enabledByDefault: true, summary: 'An agent using engramia_instructions is run without context=, so recall never runs.' },
  { id: 'ENG005', name: 'memory-without-arguments', severity: 'error', enabledByDefault: true, summary: 'Memory() without embeddings and storage raises TypeError.' },
  { id: 'ENG006', name: 'on-duplicate-before-0.7', severity: 'error', enabledByDefault: true, summary: 'learn(on_duplicate=...) raises TypeError on engramia < 0.7.0.' },
  { id: 'ENG007', name: 'hooks-on-runner', severity: 'warning', enabledByDefault: true, summary: 'Runner(hooks=...) raises TypeError and runner.hooks = ... is ignored: hooks go to each run call.' },
  { id: 'ENG008', name: 'unverified-run-hooks', severity: 'information', enabledByDefault: false, summary: 'hooks= cannot be shown to be a RunHooks class that wires Engramia.' },
];

export const RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);
export const DEFAULT_RULES: readonly RuleId[] = RULES.filter((r) => r.enabledByDefault).map((r) => r.id);

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
  return `docs/rules/${id}.md`;
}

/** "0.6.6" < "0.7.0"? Compares the leading numeric parts; undefined when unparseable. */
export function versionLessThan(version: string, than: string): boolean | undefined {
  const parse = (v: string): number[] | undefined => {
    const parts: number[] = [];
    for (const p of v.trim().replace(/^v/, '').split('.')) {
      let digits = '';
      for (const ch of p) {
        if (ch >= '0' && ch <= '9') digits += ch;
        else break;
      }
      if (!digits) break;
      parts.push(Number(digits));
      if (digits.length !== p.length) break;
    }
    return parts.length ? parts : undefined;
  };
  const a = parse(version);
  const b = parse(than);
  if (!a || !b) return undefined;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}
