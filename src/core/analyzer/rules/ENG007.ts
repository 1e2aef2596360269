/** ENG007 `hooks-on-runner`: hooks given to the Runner itself raise TypeError or are ignored. Spec: docs/rules/ENG007.md. */
import type { Rule } from './types';

export const ENG007: Rule<'ENG007'> = {
  meta: {
    id: 'ENG007',
    name: 'hooks-on-runner',
    title: 'Hooks set on the Runner',
    severity: 'warning',
    enabledByDefault: true,
    summary: 'Runner(hooks=...) raises TypeError and runner.hooks = ... is ignored: hooks go to each run call.',
    docs: 'docs/rules/ENG007.md',
  },
  calls: {
    // Runner(hooks=...): the Runner takes no arguments
    'runner-init'(ctx, { unit: d, call, callee: f, args, hooks }) {
      const i = args.items.indexOf(hooks);
      const next = args.items[i + 1];
      const prev = args.items[i - 1];
      const [start, end] = next ? [hooks.startIndex, next.startIndex] : prev ? [prev.endIndex, hooks.endIndex] : [hooks.startIndex, hooks.endIndex];
      ctx.report({
        unit: d, rule: 'ENG007', call, range: hooks,
        message: `${f.text}(hooks=...) raises "TypeError: Runner() takes no arguments": the Runner has no constructor options. Pass hooks= to each run call (runner.run(..., hooks=...)).`,
        plan: { intents: [{ kind: 'replace', unit: d.index, start, end, text: '' }], imports: [] },
        fixTitle: `Engramia (ENG007): Remove hooks= from ${f.text}(...) (pass it to the run calls)`,
      });
    },
  },
  // hooks set as an attribute of the Runner (or an instance): never read
  after(ctx) {
    const b = ctx.bindings;
    if (!ctx.hasAny || !(b.runner.size || b.agentsModule.size)) return;
    for (const d of ctx.units) {
      for (const a of ctx.find(d, ['.hooks'], ['assignment'])) {
        const left = a.childForFieldName('left');
        if (a.hasError || left?.type !== 'attribute' || left.childForFieldName('attribute')?.text !== 'hooks' || !ctx.isRunnerRef(left.childForFieldName('object'))) continue;
        ctx.report({
          unit: d, rule: 'ENG007', call: a, range: left,
          message: `${left.text} = ... is ignored: the Runner never reads a hooks attribute. Pass hooks= to each run call (${left.childForFieldName('object')!.text}.run(..., hooks=...)).`,
        });
      }
    }
  },
};
