import MarkdownIt from 'markdown-it';
import { parseRunbook, serializeRunbook } from './src/core/runbook';
import { pathologicalCorpus } from './bench/pathological';
const md = new MarkdownIt('commonmark', { html: true }).enable(['table', 'strikethrough']);
md.core.ruler.enableOnly(['normalize', 'block']);
const scale = Number(process.argv[2] ?? 0.1);
for (const c of pathologicalCorpus(scale)) {
  let t0 = performance.now(); md.parse(c.text, {}); const a = performance.now() - t0;
  t0 = performance.now(); const d = parseRunbook(c.text); const b = performance.now() - t0;
  t0 = performance.now(); const ok = serializeRunbook(d.cells, { eol: d.eol }) === c.text; const s = performance.now() - t0;
  console.log(c.name.padEnd(45), a.toFixed(1).padStart(8), b.toFixed(1).padStart(8), s.toFixed(1).padStart(8), ok, d.cells.length, d.failure?.message ?? '');
}
