/**
 * How a finished check reads in its cell: verdict and one-line cause first, details after. Reasons
 * and next steps show as written (their code spans stay code; `_`, `$`, `*` and the like are not
 * read as markdown or math).
 */
import type { CheckRun, Verdict } from '../../core/checks/types';
import { formatDuration } from '../../core/text';
import { inlineMarkdown, plainText } from '../../core/runbook/plainText';

const BADGE: Record<Verdict, string> = {
  pass: '✔ passed',
  warn: '⚠ passed with a warning',
  fail: '✘ failed',
  error: '✘ could not run',
  skipped: '○ skipped',
};

export function renderRunMarkdown(run: CheckRun, label?: string): string {
  const lines: string[] = [];
  lines.push(`**${BADGE[run.verdict]}** — ${inlineMarkdown(run.reason)}`);
  if (run.next && run.verdict !== 'pass') lines.push('', `**Next:** ${inlineMarkdown(run.next)}`);
  if (run.conditions?.length) {
    lines.push('');
    for (const c of run.conditions) {
      const mark = c.verdict === 'pass' ? '✔' : c.verdict === 'warn' ? '⚠' : '✘';
      lines.push(`- ${mark} \`${c.text}\`${c.actual !== undefined ? ` — actual: \`${c.actual}\`` : ''}${c.message ? ` — ${inlineMarkdown(c.message)}` : ''}`);
    }
  }
  if (run.locations?.length) {
    lines.push('');
    for (const l of run.locations.slice(0, 50)) lines.push(`- [${l.file}:${l.line}:${l.column}](${encodeURI(l.file)}#L${l.line}) — ${inlineMarkdown(l.message)}`);
    if (run.locations.length > 50) lines.push(`- … and ${run.locations.length - 50} more`);
  }
  if (run.details) lines.push('', '<details><summary>Details</summary>', '', run.details, '', '</details>');
  lines.push('', `<sub>\`${run.checkId}\` · ${run.kind}${label ? ` · ${inlineMarkdown(plainText(label))}` : ''} · ${formatDuration(run.durationMs)} · ${new Date(run.startedAt).toLocaleTimeString()}</sub>`);
  return lines.join('\n');
}
