/**
 * The check of an explicit `hooks=<value>` shared by ENG001 (runs) and ENG003 (agent tools): the
 * Runner must accept the value (a RunHooks) — else the run raises TypeError, reported under the
 * calling rule; whether it makes Engramia learn is ENG008's part.
 */
import type { AnalysisContext, SiteOf } from '../context';
import { shorten } from '../syntax';

export function reportRejectedHooks(ctx: AnalysisContext, site: SiteOf<'run'> | SiteOf<'as_tool'>, rule: 'ENG001' | 'ENG003'): void {
  const st = site.hooksState();
  const { unit: d, call, callee: f } = site;
  const v = site.hooksValue!;
  if (st.kind === 'plain') {
    const cls = ctx.hooksClassName();
    ctx.report({
      unit: d, rule, call, range: f,
      message: `hooks=${shorten(v.text)} raises TypeError when ${f.text}(...) runs: "Run hooks must be instances of RunHooks. Received EngramiaRunHooks." (EngramiaRunHooks is not an agents.RunHooks). Use hooks=${cls}(...), a RunHooks subclass of EngramiaRunHooks.`,
      plan: () => {
        const anchor = site.anchor();
        const hc = ctx.hooksClassFix(st.unit, anchor);
        // the guide's `EngramiaRunHooks(memory)` in a file that never binds `memory`: bind it too
        const hooksCall = st.callee.parent;
        const firstArg = hooksCall?.childForFieldName('arguments')?.namedChildren.find((c) => c?.type !== 'comment');
        const mf = hooksCall && firstArg?.type === 'identifier' && firstArg.text === ctx.mem ? ctx.memoryFix(hooksCall, st.unit, anchor) : { imports: [], preludes: [] };
        hc.imports.push(...mf.imports);
        hc.preludes.push(...mf.preludes);
        return { intents: [{ kind: 'replace', unit: st.unit, start: st.callee.startIndex, end: st.callee.endIndex, text: hc.cls }], imports: hc.imports, preludes: hc.preludes };
      },
      fixTitle: `Engramia (${rule}): Use ${cls}, a RunHooks subclass of EngramiaRunHooks`,
    });
    return;
  }
  if (st.kind === 'rejected') {
    ctx.report({
      unit: d, rule, call, range: f,
      message: `hooks=${shorten(v.text)} raises TypeError when ${f.text}(...) runs: "Run hooks must be instances of RunHooks. Received ${st.name}." Derive ${st.name} from agents.RunHooks as well (class ${st.name}(EngramiaRunHooks, RunHooks)).`,
    });
  }
}

/** An explicit `hooks=` other than `None`. */
export function hasHooksValue(site: SiteOf<'run'> | SiteOf<'as_tool'>): boolean {
  return !!site.hooksValue && site.hooksValue.type !== 'none';
}
