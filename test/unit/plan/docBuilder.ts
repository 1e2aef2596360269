/**
 * Builds a RunbookDocument by hand (cells, sections) for ops/evidence unit tests, so that these
 * tests do not depend on the parser. Only the fields the ops and evidence code read are filled.
 */
import type { RunbookCell, RunbookDocument, Section } from '../../../src/core/runbook/model';

export type Block =
  | { h: number; title: string; id?: string }
  | { task: string; checked?: boolean }
  | { check: string; kind?: string; body?: string; attrs?: Record<string, string>; free?: boolean; error?: string };

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function buildDoc(blocks: Block[], title = 'Test runbook', inputs: { name: string; secret?: boolean }[] = []): RunbookDocument {
  const cells: RunbookCell[] = [];
  const open: { level: number; title: string; id: string; cell: number; path: string[] }[] = [];
  const sections: Section[] = [];
  const closeTo = (level: number, at: number) => {
    while (open.length && open[open.length - 1]!.level >= level) {
      const s = open.pop()!;
      sections.push({ id: s.id, title: s.title, level: s.level, cell: s.cell, endCell: at, path: s.path });
    }
  };
  let lastTask: number | null = null;
  for (const b of blocks) {
    const i = cells.length;
    const line = { start: i, end: i + 1 };
    if ('h' in b) {
      closeTo(b.h, i);
      const path = [...open.map((o) => o.title), b.title];
      open.push({ level: b.h, title: b.title, id: b.id ?? slug(b.title), cell: i, path });
      cells.push({ kind: 'markup', role: 'section', value: `${'#'.repeat(b.h)} ${b.title}`, language: 'markdown', lines: line });
      lastTask = null;
    } else if ('task' in b) {
      cells.push({ kind: 'markup', role: 'task', value: `- [${b.checked ? 'x' : ' '}] ${b.task}`, language: 'markdown', lines: line, task: { checked: !!b.checked, boxOffset: 3, label: b.task } });
      lastTask = i;
    } else {
      const kind = b.kind ?? 'probe';
      cells.push({
        kind: 'code', role: 'fence', value: b.body ?? '', language: kind, lines: line,
        check: {
          id: b.check, explicitId: true, kind, attributes: { id: b.check, ...(b.attrs ?? {}) }, attributeStyle: 'keyValue',
          taskCell: b.free ? null : lastTask, headingPath: open.map((o) => o.title), error: b.error,
        },
      });
    }
  }
  closeTo(0, cells.length);
  sections.sort((a, b) => a.cell - b.cell);
  return {
    cells, sections, eol: '\n',
    frontMatter: { raw: '', title, inputs: inputs.map((x) => ({ name: x.name, type: 'string', secret: !!x.secret, required: false })) },
  };
}
