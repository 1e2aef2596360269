/** ENG005 `memory-without-arguments`: `Memory()` raises TypeError. Spec: docs/rules/ENG005.md. */
import { ENGRAMIA_PROVIDERS_MODULE } from '../names';
import { pyString } from '../syntax';
import type { Rule } from './types';

export const ENG005: Rule<'ENG005'> = {
  meta: {
    id: 'ENG005',
    name: 'memory-without-arguments',
    title: 'Memory() without embeddings/storage',
    severity: 'error',
    enabledByDefault: true,
    summary: 'Memory() without embeddings and storage raises TypeError.',
    docs: 'docs/rules/ENG005.md',
  },
  calls: {
    memory(ctx, { unit: d, call, callee: f, argsNode }) {
      ctx.report({
        unit: d, rule: 'ENG005', call, range: call,
        message: `${f.text}() raises TypeError: Memory needs embeddings and storage (e.g. Memory(embeddings=OpenAIEmbeddings(), storage=JSONStorage(path="./engramia_data"))).`,
        plan: () => {
          const site = ctx.importSite(d.index, undefined, ENGRAMIA_PROVIDERS_MODULE);
          return {
            intents: [{ kind: 'replace', unit: d.index, start: argsNode.startIndex, end: argsNode.endIndex, text: `(embeddings=OpenAIEmbeddings(), storage=JSONStorage(path=${pyString(ctx.storagePath)}))` }],
            imports: [{ site, name: 'JSONStorage' }, { site, name: 'OpenAIEmbeddings' }],
          };
        },
        fixTitle: 'Engramia (ENG005): Use Memory(embeddings=OpenAIEmbeddings(), storage=JSONStorage(...))',
      });
    },
  },
};
