/** ENG004 `instructions-without-context`: an engramia_instructions agent run without context= never recalls. Spec: docs/rules/ENG004.md. */
import type { Node } from 'web-tree-sitter';
import type { Plan } from '../fixes';
import type { SiteOf } from '../context';
import { keywordValue, shorten } from '../syntax';
import type { Rule } from './types';

/** `context=<input>` added (or replacing `context=None`) when the run's input is a name or a string. */
function contextPlan(site: SiteOf<'run'>, ctx: Node | undefined, ctxValue: Node | null | undefined, input: Node): Plan {
  const unit = site.unit.index;
  return { intents: [ctx && ctxValue ? { kind: 'replace', unit, start: ctxValue.startIndex, end: ctxValue.endIndex, text: input.text } : { kind: 'keyword', layout: site.layout(), text: `context=${input.text}` }], imports: [] };
}

const simpleInput = (n: Node | undefined): n is Node => !!n && (n.type === 'identifier' || n.type === 'attribute' || n.type === 'string' || n.type === 'concatenated_string');

export const ENG004: Rule<'ENG004'> = {
  meta: {
    id: 'ENG004',
    name: 'instructions-without-context',
    title: 'engramia_instructions without context=',
    severity: 'warning',
    enabledByDefault: true,
    summary: 'An agent using engramia_instructions is run without context=, so recall never runs.',
    docs: 'docs/rules/ENG004.md',
  },
  calls: {
    run(c, site) {
      const { unit: d, call, callee: f, args, method } = site;
      if (args.dictSplat || args.listSplat) return;
      const starting = args.keywords.get('starting_agent')?.childForFieldName('value') ?? args.positional[0];
      const usesEngramia = !!starting && (c.engramiaAgents.has(starting.text) || (starting.type === 'call' && c.isAgentCtor(starting.childForFieldName('function')) && c.isInstructionsCall(keywordValue(starting.childForFieldName('arguments'), 'instructions') ?? null)));
      const ctx = args.keywords.get('context');
      const ctxValue = ctx?.childForFieldName('value');
      const hasContext = (ctx && ctxValue?.type !== 'none') || (method === 'run_streamed' && args.positional.length >= 3);
      const input = args.keywords.get('input')?.childForFieldName('value') ?? args.positional[1];
      if (!usesEngramia && !hasContext && c.enabled.has('ENG002') && starting && c.staticAgents.has(starting.text)) {
        // fix-all also wraps this agent's instructions (ENG002): add the context= that ENG004 would ask for next
        if (simpleInput(input)) c.followUp(() => contextPlan(site, ctx, ctxValue, input));
      }
      if (usesEngramia && !hasContext) {
        const simple = simpleInput(input);
        c.report({
          unit: d, rule: 'ENG004', call, range: f,
          message: `${starting!.text} uses engramia_instructions, but ${f.text}(...) passes no context=: recall never runs. Pass context=<task text> or context={"task": ...}.`,
          plan: simple ? () => contextPlan(site, ctx, ctxValue, input) : undefined,
          fixTitle: simple ? `Engramia (ENG004): Add context=${shorten(input.text)}` : undefined,
        });
      }
    },
  },
};
