/** ENG006 `on-duplicate-before-0.7`: `learn(on_duplicate=...)` raises TypeError on engramia < 0.7.0. Spec: docs/rules/ENG006.md. */
import type { Rule } from './types';

export const ENG006: Rule<'ENG006'> = {
  meta: {
    id: 'ENG006',
    name: 'on-duplicate-before-0.7',
    title: 'on_duplicate needs engramia ≥ 0.7.0',
    severity: 'error',
    enabledByDefault: true,
    summary: 'learn(on_duplicate=...) raises TypeError on engramia < 0.7.0.',
    docs: 'docs/rules/ENG006.md',
  },
  calls: {
    learn(ctx, { unit: d, call, args }) {
      const kw = args.keywords.get('on_duplicate');
      const version = ctx.options.engramiaVersion;
      // silent while the installed version is unknown
      if (!kw || !version || versionLessThan(version, '0.7.0') !== true) return;
      ctx.report({
        unit: d, rule: 'ENG006', call, range: kw,
        message: `on_duplicate= does not exist in engramia ${version} (added in 0.7.0): this call raises TypeError. Upgrade engramia or remove the argument.`,
      });
    },
  },
};

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
