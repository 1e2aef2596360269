/** ENG001 `missing-run-hooks`: a run without Engramia hooks learns nothing. Spec: docs/rules/ENG001.md. */
import type { Intent } from '../fixes';
import { hasHooksValue, reportRejectedHooks } from './hooks';
import type { Rule } from './types';

export const ENG001: Rule<'ENG001'> = {
  meta: {
    id: 'ENG001',
    name: 'missing-run-hooks',
    title: 'No Engramia hooks',
    severity: 'warning',
    enabledByDefault: true,
    summary: 'Runner.run / run_sync / run_streamed without Engramia hooks (nothing is learned).',
    docs: 'docs/rules/ENG001.md',
  },
  calls: {
    run(ctx, site) {
      const { unit: d, call, callee: f, args, method, hooksValue } = site;
      // an explicit hooks= is checked even next to **kwargs (a second hooks there would be a TypeError)
      if (hasHooksValue(site)) return reportRejectedHooks(ctx, site, 'ENG001');
      if (args.dictSplat || (method === 'run_streamed' && (args.positional.length >= 5 || args.listSplat))) return;
      const hooks = args.keywords.get('hooks');
      const hookText = `${ctx.hooksClassName()}(${ctx.mem})`;
      ctx.report({
        unit: d, rule: 'ENG001', call, range: f,
        message: !hooks
          ? `${f.text}(...) passes no hooks: Engramia learns nothing from this run. Add hooks=${hookText}.`
          : `${f.text}(...) passes hooks=None: Engramia learns nothing from this run. Use hooks=${hookText}.`,
        plan: () => {
          const anchor = site.anchor();
          const hc = ctx.hooksClassFix(d.index, anchor);
          const mf = ctx.memoryFix(call, d.index, anchor);
          const intent: Intent = !hooks || !hooksValue
            ? { kind: 'keyword', layout: site.layout(), text: `hooks=${hookText}` }
            : { kind: 'replace', unit: d.index, start: hooksValue.startIndex, end: hooksValue.endIndex, text: hookText };
          return { intents: [intent], imports: [...hc.imports, ...mf.imports], preludes: [...hc.preludes, ...mf.preludes] };
        },
        fixTitle: !hooks ? `Engramia (ENG001): Add hooks=${hookText}` : `Engramia (ENG001): Replace hooks=None with hooks=${hookText}`,
      });
    },
  },
};
