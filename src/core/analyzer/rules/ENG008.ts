/** ENG008 `unverified-run-hooks`: a hooks= value not shown to wire Engramia. Spec: docs/rules/ENG008.md. */
import type { AnalysisContext, SiteOf } from '../context';
import { shorten } from '../syntax';
import { hasHooksValue } from './hooks';
import type { Rule } from './types';

function checkWiring(ctx: AnalysisContext, site: SiteOf<'run'> | SiteOf<'as_tool'>): void {
  const st = site.hooksState();
  const v = site.hooksValue!;
  if (st.kind === 'not-engramia') {
    ctx.report({ unit: site.unit, rule: 'ENG008', call: site.call, range: v, message: `hooks=${shorten(v.text)}: ${st.name} is a RunHooks that does not use EngramiaRunHooks: Engramia learns nothing from this run.` });
  } else if (st.kind === 'unknown') {
    ctx.report({ unit: site.unit, rule: 'ENG008', call: site.call, range: v, message: `hooks=${shorten(v.text)} cannot be resolved in the workspace to a RunHooks class that wires Engramia: check by hand that it derives from agents.RunHooks and EngramiaRunHooks.` });
  }
}

export const ENG008: Rule<'ENG008'> = {
  meta: {
    id: 'ENG008',
    name: 'unverified-run-hooks',
    title: 'Hooks not shown to wire Engramia',
    severity: 'information',
    enabledByDefault: false,
    summary: 'hooks= cannot be shown to be a RunHooks class that wires Engramia.',
    docs: 'docs/rules/ENG008.md',
  },
  calls: {
    run(ctx, site) {
      if (hasHooksValue(site)) checkWiring(ctx, site);
    },
    // an agent tool's hooks are looked at together with ENG003
    as_tool(ctx, site) {
      if (hasHooksValue(site) && ctx.enabled.has('ENG003')) checkWiring(ctx, site);
    },
  },
};
