/** How a finished check reads in its cell: verdict and one-line cause first, details after. */
import type { CheckRun, Verdict } from '../../core/checks/types';
import { formatDuration } from '../../core/text';

const BADGE: Record<Verdict, string> = {
  pass: '✔ passed',
  warn: '⚠ passed with a warning',
  fail: '✘ failed',
  error: '✘ could not run',
  skipped: '○ skipped',
};

export function renderRunMarkdown(run: CheckRun, label?: string): string {
  const lines: string[] = [];
  lines.push(`**${BADGE[run.verdict]}** — ${escapeInline(run.reason)}`);
  if (run.next && run.verdict !== 'pass') lines.push('', `**Next:** ${escapeInline(run.next)}`);
  if (run.conditions?.length) {
    lines.push('');
    for (const c of run.conditions) {
      const mark = c.verdict === 'pass' ? '✔' : c.verdict === 'warn' ? '⚠' : '✘';
      lines.push(`- ${mark} \`${c.text}\`${c.actual !== undefined ? ` — actual: \`${c.actual}\`` : ''}${c.message ? ` — ${escapeInline(c.message)}` : ''}`);
    }
  }
  if (run.locations?.length) {
    lines.push('');
    for (const l of run.locations.slice(0, 50)) lines.push(`- [${l.file}:${l.line}:${l.column}](${encodeURI(l.file)}#L${l.line}) — ${escapeInline(l.message)}`);
    if (run.locations.length > 50) lines.push(`- … and ${run.locations.length - 50} more`);
  }
  if (run.details) lines.push('', '<details><summary>Details</summary>', '', run.details, '', '</details>');
  lines.push('', `<sub>\`${run.checkId}\` · ${run.kind}${label ? ` · ${escapeInline(label)}` : ''} · ${formatDuration(run.durationMs)} · ${new Date(run.startedAt).toLocaleTimeString()}</sub>`);
  return lines.join('\n');
}

function escapeInline(text: string): string {
  return text.replace(/([<>])/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}
