/**
 * Pathological inputs for the runbook parser: long lines, many headings, deep nesting, long
 * backtick runs, many unclosed fences. Parsing must stay linear on each; this reports the time to
 * parse each case and its rate, next to markdown-it's block-only parse of the same text (the
 * floor). `test/unit/runbook/pathological.test.ts` checks that each case parses and round-trips.
 */
import MarkdownIt from 'markdown-it';
import { cpus, loadavg } from 'node:os';
import { parseRunbook, serializeRunbook } from '../src/core/runbook';
import { compareMs, type BenchReport, type BenchRow } from './index';

export interface PathologicalCase {
  readonly name: string;
  readonly text: string;
}

/** The corpus; `scale` 1 gives cases of roughly 100 KB–1 MB. */
export function pathologicalCorpus(scale = 1): PathologicalCase[] {
  const n = (k: number) => Math.max(1, Math.round(k * scale));
  return [
    { name: 'long heading (# a + 100k spaces + b)', text: '# a' + ' '.repeat(n(100_000)) + 'b\n' },
    { name: 'long heading with a closing run', text: '## ' + 'a '.repeat(n(100_000)) + '#'.repeat(n(1000)) + '\n' },
    { name: 'one 1 MB line', text: 'word '.repeat(n(200_000)) + '\n' },
    { name: '100k headings', text: '# h\n'.repeat(n(100_000)) },
    { name: '100k setext headings', text: 'Title\n===\n'.repeat(n(100_000)) },
    { name: '100k task items', text: '- [ ] step\n'.repeat(n(100_000)) },
    { name: 'lists nested 1k deep (indentation)', text: Array.from({ length: n(1000) }, (_, i) => ' '.repeat(2 * i) + '- [ ] x\n').join('') },
    { name: 'list markers nested on one line', text: '- '.repeat(n(50_000)) + '[ ] x\n' },
    { name: 'blockquotes nested 100k deep', text: '>'.repeat(n(100_000)) + ' x\n' },
    { name: 'nested quotes and lists, 20k lines', text: Array.from({ length: n(20_000) }, (_, i) => '> - '.repeat(1 + (i % 50)) + 'x\n').join('') },
    { name: '100k-backtick fence line', text: '`'.repeat(n(100_000)) + '\ncode\n' + '`'.repeat(n(100_000)) + '\n' },
    { name: 'backtick runs as body lines', text: '```sh\n' + ('`'.repeat(n(100)) + 'x\n').repeat(n(10_000)) },
    { name: '50k unclosed fences in list items', text: '- [ ] t\n  ```sh\n  echo\n'.repeat(n(50_000)) },
    { name: '100k fence openers (info strings)', text: '```sh { id=x }\n'.repeat(n(100_000)) },
    { name: 'alternating ``` and ~~~ openers', text: '```\n~~~\n'.repeat(n(50_000)) },
    { name: '100k unclosed front matter lines', text: '---\n' + 'key: value\n'.repeat(n(100_000)) },
    { name: 'long table row', text: '| a | b |\n|---|---|\n' + '| x '.repeat(n(100_000)) + '|\n' },
    { name: '100k link reference openers', text: '['.repeat(n(100_000)) + '\n' },
    { name: 'HTML comment never closed', text: '<!--\n' + 'text\n'.repeat(n(100_000)) },
    { name: '100k blank lines and spaces', text: ' \n\t\n'.repeat(n(100_000)) },
  ];
}

export async function run(): Promise<BenchReport> {
  const md = new MarkdownIt('commonmark', { html: true }).enable(['table', 'strikethrough']);
  md.core.ruler.enableOnly(['normalize', 'block']);
  const rows: BenchRow[] = [];
  for (const c of pathologicalCorpus()) {
    const doc = parseRunbook(c.text);
    if (serializeRunbook(doc.cells, { eol: doc.eol, bom: doc.bom }) !== c.text) throw new Error(`round-trip mismatch: ${c.name}`);
    const { baseline, subject, ratio } = compareMs(() => md.parse(c.text, {}), () => parseRunbook(c.text), 5, 1);
    const mb = c.text.length / 1e6;
    rows.push({ metric: `${c.name} (${mb.toFixed(2)} MB, ${doc.cells.length} cells)`, value: subject, unit: 'ms', goal: `markdown-it ${baseline.toFixed(1)} ms`, ok: ratio <= 3 || subject < 20 });
  }
  return {
    name: 'pathological',
    rows,
    notes: [
      'each row: parseRunbook time (median of 5); the goal column shows markdown-it block-only on the same text',
      'ok = within 3× markdown-it block-only, or under 20 ms; a quadratic case takes seconds at these sizes',
      `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs during this run`,
    ],
  };
}
