/** Names and one-screen summaries of a conversion, shared by the CLI and the VS Code command. */
import { oneLine } from '../text';
import type { ConvertResult } from './convert';

/** `guide.md` → `guide.runbook.md`, `page.html` → `page.runbook.md`, `notes.txt` → `notes.runbook.md`. */
export function runbookNameFor(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '');
  const stem = base.replace(/\.runbook\.md$/i, '').replace(/\.(?:md|markdown|mdx|html?|xhtml|txt|text)$/i, '') || 'guide';
  return `${stem}.runbook.md`;
}

/** Text lines: counts per kind, inputs, then one line per check (manual ones with why). */
export function summarizeConversion(result: ConvertResult): string[] {
  if (result.unchanged) return ['already a runbook: nothing to convert (the file is left as it is)'];
  const by = (k: string) => result.checks.filter((c) => c.kind === k).length;
  const destructive = result.checks.filter((c) => c.destructive).length;
  const review = result.checks.reduce((n, c) => n + c.conditions.length, 0);
  const lines = [
    `${result.checks.length} check${result.checks.length === 1 ? '' : 's'}: ${by('http')} http, ${by('shell')} shell, ${by('python')} python, ${by('manual')} manual` +
      (destructive ? `; ${destructive} destructive (left out of run all, typed confirmation)` : '') +
      (review ? `; ${review} generated condition${review === 1 ? '' : 's'} to review (??warn)` : ''),
  ];
  if (result.inputs.length) {
    lines.push(`inputs: ${result.inputs.map((i) => `${i.name} (${i.secret ? `secret, $${i.env}` : i.default !== undefined ? `default ${i.default}` : `${i.type}, required`})`).join(', ')}`);
  }
  for (const c of result.checks) {
    const where = c.line !== undefined ? `L${c.line}` : c.link.replace(/^.*#/, '#');
    const extra = [
      c.conditions.length ? `${c.conditions.length} condition${c.conditions.length === 1 ? '' : 's'} to review` : '',
      c.destructive ? 'destructive' : '',
      c.why ?? '',
    ].filter(Boolean).join('; ');
    lines.push(`  ${where.padEnd(6)} ${c.kind.padEnd(6)} ${oneLine(c.what, 90)}${extra ? ` — ${extra}` : ''}`);
  }
  return lines;
}
