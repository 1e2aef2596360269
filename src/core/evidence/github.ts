/**
 * GitHub Actions output of a headless run: a markdown job summary (for `$GITHUB_STEP_SUMMARY`) with
 * the sections, verdicts, reasons and per-host tables of fleet checks, and `::error` / `::warning`
 * workflow commands that annotate the runbook line of each failing or warning check. Pure text:
 * the CLI decides where it goes and masks it like every other sink.
 */
import type { CheckRun } from '../checks/types';
import { formatDuration } from '../text';

type Run = CheckRun & { readonly sectionPath?: readonly string[]; readonly label?: string; readonly notRun?: boolean };

const ICON: Record<string, string> = { pass: '✅', warn: '⚠️', fail: '❌', error: '❌', skipped: '➖' };

/** Workflow command data: `%`, CR and LF escaped. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
/** Workflow command property values: also `:` and `,`. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One `::error`/`::warning` line per failing / warning check, at its line of the runbook (1-based). */
export function githubAnnotations(runs: readonly Run[], file: string, lineOf: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const r of runs) {
    if (r.notRun) continue;
    const level = r.verdict === 'fail' || r.verdict === 'error' ? 'error' : r.verdict === 'warn' ? 'warning' : undefined;
    if (!level) continue;
    const line = lineOf.get(r.checkId);
    const props = [`file=${escapeProperty(file)}`, ...(line ? [`line=${line}`] : []), `title=${escapeProperty(`${r.checkId}${r.label ? ` — ${r.label}` : ''}`)}`];
    const hosts = Array.isArray(r.data?.['hosts']) ? (r.data!['hosts'] as { host: string; verdict: string; reason: string }[]).filter((h) => h.verdict !== 'pass') : [];
    const message = [r.reason, ...(r.next ? [`Next: ${r.next}`] : []), ...hosts.map((h) => `${h.host}: ${h.verdict} — ${h.reason}`)].join('\n');
    out.push(`::${level} ${props.join(',')}::${escapeData(message)}`);
  }
  return out;
}

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The job summary: totals, then a table per section, then a per-host table for each fleet check. */
export function githubSummary(title: string, runs: readonly Run[], o: { file: string; elapsedMs: number }): string {
  const counted = runs.filter((r) => !r.notRun);
  const n = (v: string[]) => counted.filter((r) => v.includes(r.verdict)).length;
  const failed = n(['fail', 'error']);
  const lines = [
    `## ${failed ? '❌' : '✅'} ${cell(title)}`,
    '',
    `\`${o.file}\`: ${n(['pass'])} passed, ${n(['warn'])} warned, ${failed} failed, ${n(['skipped'])} skipped${runs.length > counted.length ? `, ${runs.length - counted.length} not run` : ''} in ${formatDuration(o.elapsedMs)}`,
    '',
  ];
  const sections = new Map<string, Run[]>();
  for (const r of runs) {
    const key = (r.sectionPath ?? []).join(' › ') || '(top)';
    sections.set(key, [...(sections.get(key) ?? []), r]);
  }
  for (const [section, list] of sections) {
    lines.push(`### ${cell(section)}`, '', '| | check | reason |', '|---|---|---|');
    for (const r of list) {
      const verdict = r.notRun ? '➖' : ICON[r.verdict] ?? r.verdict;
      const reason = r.notRun ? 'not run' : `${r.reason}${r.next && r.verdict !== 'pass' ? ` → ${r.next}` : ''}`;
      lines.push(`| ${verdict} | \`${cell(r.checkId)}\`${r.label ? ` ${cell(r.label)}` : ''} | ${cell(reason)} |`);
    }
    lines.push('');
  }
  for (const r of runs) {
    const hosts = r.data?.['hosts'];
    if (!Array.isArray(hosts)) continue;
    lines.push(`#### \`${cell(r.checkId)}\` on ${cell(String(r.data?.['group'] ?? 'hosts'))}`, '', '| | host | reason |', '|---|---|---|');
    for (const h of hosts as { host: string; verdict: string; reason: string }[]) lines.push(`| ${ICON[h.verdict] ?? h.verdict} | ${cell(h.host)} | ${cell(h.reason)} |`);
    lines.push('');
  }
  return lines.join('\n') + '\n';
}
