/** ENG002 `static-agent-instructions`: recalled patterns never reach a static prompt. Spec: docs/rules/ENG002.md. */
import type { AnalysisContext, SiteOf } from '../context';
import { ENGRAMIA_SDK_MODULE } from '../names';
import type { Rule } from './types';

function checkInstructions(ctx: AnalysisContext, site: SiteOf<'agent'> | SiteOf<'clone'>): void {
  const { unit: d, call, args } = site;
  const v = args.keywords.get('instructions')?.childForFieldName('value');
  if (!v || !ctx.isStatic(v)) return;
  ctx.report({
    unit: d, rule: 'ENG002', call, range: v,
    message: `Static instructions: Engramia's recalled patterns never reach this agent. Wrap with engramia_instructions(${ctx.mem}, base=...).`,
    plan: () => {
      const anchor = site.anchor();
      const imports = ctx.importSite(d.index, anchor, ENGRAMIA_SDK_MODULE);
      const mf = ctx.memoryFix(call, d.index, anchor);
      return { intents: [{ kind: 'replace', unit: d.index, start: v.startIndex, end: v.endIndex, text: `engramia_instructions(${ctx.mem}, base=${v.text})` }], imports: [{ site: imports, name: 'engramia_instructions' }, ...mf.imports], preludes: mf.preludes };
    },
    fixTitle: 'Engramia (ENG002): Wrap with engramia_instructions',
    extraRows: [v.endPosition.row],
  });
}

export const ENG002: Rule<'ENG002'> = {
  meta: {
    id: 'ENG002',
    name: 'static-agent-instructions',
    title: 'Static instructions',
    severity: 'warning',
    enabledByDefault: true,
    summary: 'Agent instructions= is a static string, so recalled patterns never reach the prompt.',
    docs: 'docs/rules/ENG002.md',
  },
  calls: {
    agent: checkInstructions,
    clone: checkInstructions,
  },
};
