/** ENG003 `agent-tool-without-hooks`: the nested run of an agent tool is not learned. Spec: docs/rules/ENG003.md. */
import { hasHooksValue, reportRejectedHooks } from './hooks';
import type { Rule } from './types';

export const ENG003: Rule<'ENG003'> = {
  meta: {
    id: 'ENG003',
    name: 'agent-tool-without-hooks',
    title: 'Agent tool without hooks',
    severity: 'information',
    enabledByDefault: false,
    summary: 'agent.as_tool(...) without hooks: the nested run is not learned.',
    docs: 'docs/rules/ENG003.md',
  },
  calls: {
    as_tool(ctx, site) {
      const { unit: d, call, callee: f, args } = site;
      if (!args.keywords.has('hooks') && args.positional.length < 8 && !args.dictSplat) {
        const cls = ctx.hooksClassName();
        ctx.report({
          unit: d, rule: 'ENG003', call, range: f,
          message: `${f.text}(...) passes no hooks: the nested agent run is not learned by Engramia. Add hooks=${cls}(${ctx.mem}).`,
          plan: () => {
            const anchor = site.anchor();
            const hc = ctx.hooksClassFix(d.index, anchor);
            const mf = ctx.memoryFix(call, d.index, anchor);
            return { intents: [{ kind: 'keyword', layout: site.layout(), text: `hooks=${hc.cls}(${ctx.mem})` }], imports: [...hc.imports, ...mf.imports], preludes: [...hc.preludes, ...mf.preludes] };
          },
          fixTitle: `Engramia (ENG003): Add hooks=${cls}(${ctx.mem})`,
        });
      } else if (hasHooksValue(site)) reportRejectedHooks(ctx, site, 'ENG003');
    },
  },
};
