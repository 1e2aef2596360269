/**
 * The cutover report: a markdown summary of a runbook's evidence log, fit to paste into a change
 * ticket. Per section, each checklist item with its latest verdict, time, duration, cause and who
 * ticked it by hand; the rollout steps with their smoke windows; the drill total and splits; a
 * header with the runbook title, target host(s), server version(s) and the time it was generated.
 * Secrets never appear: records are masked when written, and the report is masked again.
 */
import type { RunbookDocument } from '../runbook/model';
import { Masker } from '../secrets/mask';
import { sectionOfCell } from '../plan/plan';
import { DEFAULT_SMOKE_PREFIX, DEFAULT_WINDOW_MS, rolloutWindowStatus, type RolloutStep } from '../cutover/timers';
import { formatDuration } from '../text';
import type { EvidenceRecord } from './log';

export interface ReportItem {
  /** The check id, or a derived `task:` id for a task without a check. */
  readonly id: string;
  readonly label: string;
  readonly sectionPath: readonly string[];
  /** The task cell, or null for a free-standing check. */
  readonly taskCell: number | null;
  /** The check's fence cell, if the item has a check. */
  readonly checkCell: number | null;
  readonly kind?: string;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[`*_~[\]()]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
}

/** The id a hand tick of a task without a check is recorded under. */
export function taskItemId(sectionPath: readonly string[], label: string): string {
  return `task:${[...sectionPath.map(slug), slug(label)].filter(Boolean).join('/')}`;
}

/** Checklist items (tasks, and checks outside any task) in document order. */
export function itemsOf(doc: RunbookDocument): ReportItem[] {
  const checkOfTask = new Map<number, number>();
  doc.cells.forEach((c, i) => {
    if (c.check && c.check.taskCell !== null && !checkOfTask.has(c.check.taskCell)) checkOfTask.set(c.check.taskCell, i);
  });
  const items: ReportItem[] = [];
  doc.cells.forEach((cell, i) => {
    const path = sectionOfCell(doc, i)?.path ?? [];
    if (cell.role === 'task' && cell.task) {
      const checkCell = checkOfTask.get(i) ?? null;
      const check = checkCell !== null ? doc.cells[checkCell]!.check : undefined;
      items.push({ id: check?.id ?? taskItemId(path, cell.task.label), label: cell.task.label, sectionPath: path, taskCell: i, checkCell, kind: check?.kind });
    } else if (cell.check && cell.check.taskCell === null) {
      items.push({ id: cell.check.id, label: cell.check.attributes['title'] ?? cell.check.id, sectionPath: path, taskCell: null, checkCell: i, kind: cell.check.kind });
    }
  });
  return items;
}

export interface ReportOptions {
  /** Generation time (ms since epoch). */
  readonly now: number;
  readonly title?: string;
  /** Masks secrets once more (e.g. the current API key). */
  readonly masker?: Masker;
  readonly smokePrefix?: string;
  readonly windowMs?: number;
  /** The runbook file name shown in the header. */
  readonly file?: string;
}

const ICON: Record<string, string> = { pass: '✔ pass', fail: '✘ fail', warn: '⚠ warn', error: '✘ error', skipped: '– skipped' };

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();
}

function time(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function unique<T>(xs: Iterable<T | undefined>): T[] {
  return [...new Set([...xs].filter((x): x is T => x !== undefined && x !== ''))];
}

export function renderReport(doc: RunbookDocument, records: readonly EvidenceRecord[], options: ReportOptions): string {
  const masker = options.masker ?? new Masker([]);
  // Masked before anything is escaped for markdown (a `|` or line break in a secret would hide an
  // escaped form from a mask applied afterwards); the finished text is masked once more.
  const evidence = masker.empty ? records : records.map((r) => masker.maskDeep(r));
  const title = options.title ?? doc.frontMatter?.title ?? 'Runbook';
  const items = itemsOf(doc);
  const itemEvents = evidence.filter((r) => (r.event ?? 'check') === 'check' || r.event === 'tick' || r.event === 'untick');
  const latest = new Map<string, EvidenceRecord>();
  for (const r of itemEvents) latest.set(r.checkId, r);
  const lastHand = new Map<string, EvidenceRecord>();
  for (const r of itemEvents) if (r.tickedBy === 'hand') lastHand.set(r.checkId, r);

  const hosts = unique(evidence.map((r) => r.targetHost));
  const versions = unique(evidence.map((r) => r.serverVersion));
  const users = unique(evidence.filter((r) => r.event === 'tick' || r.event === 'untick').map((r) => r.user));
  const lastInputs = [...evidence].reverse().find((r) => r.inputs && Object.keys(r.inputs).length)?.inputs;
  const counts = { pass: 0, fail: 0, warn: 0, error: 0, skipped: 0, notRun: 0 };
  for (const it of items) {
    const r = latest.get(it.id);
    if (!r) counts.notRun++;
    else if (r.event === 'untick') counts.notRun++;
    else counts[r.verdict]++;
  }
  const times = evidence.map((r) => r.timestamp).filter(Boolean).sort();

  const out: string[] = [];
  out.push(`# Cutover report: ${title}`, '');
  out.push(`| | |`, `|---|---|`);
  out.push(`| Runbook | ${cell(title)}${options.file ? ` (\`${cell(options.file)}\`)` : ''} |`);
  out.push(`| Target host${hosts.length > 1 ? 's' : ''} | ${cell(hosts.join(', ')) || '—'} |`);
  out.push(`| Server version${versions.length > 1 ? 's' : ''} | ${cell(versions.join(', ')) || '—'} |`);
  out.push(`| Generated | ${time(new Date(options.now).toISOString())} |`);
  if (times.length) out.push(`| Evidence from | ${time(times[0])} to ${time(times[times.length - 1])} |`);
  if (users.length) out.push(`| Ticked by hand by | ${cell(users.join(', '))} |`);
  if (lastInputs) out.push(`| Inputs | ${cell(Object.entries(lastInputs).map(([k, v]) => `${k}=${v === '' ? '""' : v}`).join(', '))} |`);
  out.push(`| Result | ${counts.pass} passed, ${counts.warn} warned, ${counts.fail + counts.error} failed, ${counts.skipped} skipped, ${counts.notRun} not run (of ${items.length}) |`);
  out.push('');

  // Items per section, in document order.
  const sections: { path: readonly string[]; items: ReportItem[] }[] = [];
  for (const it of items) {
    const last = sections[sections.length - 1];
    if (last && last.path.join('\u0000') === it.sectionPath.join('\u0000')) last.items.push(it);
    else sections.push({ path: it.sectionPath, items: [it] });
  }
  for (const s of sections) {
    out.push(`## ${s.path.length ? s.path.join(' › ') : '(before the first heading)'}`, '');
    out.push('| Item | Result | When | Duration | Cause / next step | Ticked by hand |', '|---|---|---|---|---|---|');
    for (const it of s.items) {
      const r = latest.get(it.id);
      const hand = lastHand.get(it.id);
      const label = `${cell(it.label)}${it.kind ? ` <sub>\`${cell(it.id)}\`</sub>` : ''}`;
      if (!r) {
        out.push(`| ${label} | not run | | | | |`);
        continue;
      }
      const result = r.event === 'tick' ? '✔ ticked' : r.event === 'untick' ? '☐ unticked' : ICON[r.verdict] ?? r.verdict;
      const cause = r.tickedBy === 'hand' ? '' : [r.reason, r.verdict !== 'pass' && r.next ? `→ ${r.next}` : ''].filter(Boolean).join(' ');
      const by = hand ? `${hand.user ?? 'someone'} (${hand.event === 'untick' ? 'unticked' : 'ticked'} ${time(hand.timestamp)})` : '';
      const duration = r.tickedBy === 'hand' ? '' : formatDuration(r.durationMs);
      out.push(`| ${label} | ${result} | ${time(r.timestamp)} | ${duration} | ${cell(cause)} | ${cell(by)} |`);
    }
    out.push('');
  }

  // Rollout steps and their smoke windows.
  const rollouts = evidence.filter((r) => r.event === 'rollout');
  if (rollouts.length) {
    const prefix = options.smokePrefix ?? DEFAULT_SMOKE_PREFIX;
    const smokeIds = items.filter((i) => i.kind && i.id.startsWith(prefix)).map((i) => i.id);
    const smokeResults = evidence
      .filter((r) => (r.event ?? 'check') === 'check' && r.checkId.startsWith(prefix))
      .map((r) => ({ checkId: r.checkId, verdict: r.verdict, at: Date.parse(r.timestamp) + (r.durationMs || 0) }));
    out.push('## Rollout steps and smoke windows', '');
    out.push(`| Step | Marked | Window closes | ${smokeIds.map((id) => `\`${cell(id)}\``).join(' | ')}${smokeIds.length ? ' | ' : ''}Window |`);
    out.push(`|---|---|---|${smokeIds.map(() => '---|').join('')}---|`);
    rollouts.forEach((r, i) => {
      const step = Number(r.data?.['step']) as RolloutStep;
      const startedAt = Date.parse(r.timestamp);
      const windowMs = Number(r.data?.['windowMs']) || options.windowMs || DEFAULT_WINDOW_MS;
      // A later step ends the earlier step's window.
      const nextAt = rollouts[i + 1] ? Date.parse(rollouts[i + 1]!.timestamp) : Infinity;
      const endsAt = Math.min(startedAt + windowMs, nextAt);
      const st = rolloutWindowStatus({ step, startedAt, endsAt }, options.now, smokeResults, smokeIds, { smokePrefix: prefix });
      const failing = Object.entries(st.smokes).filter(([, v]) => v === 'fail' || v === 'error').map(([id]) => id);
      const state = st.state === 'open'
        ? `open (${formatDuration(st.remainingMs)} left${failing.length ? `; failing: ${failing.join(', ')}` : ''})`
        : st.state === 'closed-green' ? '✔ all smokes green' : '✘ smokes missing or failing → roll back';
      const cols = smokeIds.map((id) => (st.smokes[id] === 'not run' ? 'not run' : ICON[st.smokes[id]!] ?? st.smokes[id]));
      const closes = endsAt < startedAt + windowMs ? `${time(new Date(endsAt).toISOString())} (next step)` : time(new Date(endsAt).toISOString());
      out.push(`| ${step}% | ${time(r.timestamp)} | ${closes} | ${cols.join(' | ')}${cols.length ? ' | ' : ''}${state} |`);
    });
    out.push('');
  }

  // Drills.
  const drillEvents = evidence.filter((r) => r.event === 'drill-start' || r.event === 'drill-split' || r.event === 'drill-stop');
  if (drillEvents.length) {
    out.push('## Drill', '');
    const drills: EvidenceRecord[][] = [];
    for (const r of drillEvents) {
      if (r.event === 'drill-start' || !drills.length) drills.push([]);
      drills[drills.length - 1]!.push(r);
    }
    drills.forEach((d, n) => {
      const start = d.find((r) => r.event === 'drill-start');
      const stop = d.find((r) => r.event === 'drill-stop');
      const total = stop ? formatDuration(stop.durationMs) : start ? `running (${formatDuration(options.now - Date.parse(start.timestamp))} so far)` : '—';
      out.push(`${drills.length > 1 ? `### Drill ${n + 1}\n\n` : ''}Started ${time(start?.timestamp) || '—'}; total **${total}**.`, '');
      const splits = d.filter((r) => r.event === 'drill-split');
      if (splits.length) {
        out.push('| Section | Split | Ended |', '|---|---|---|');
        for (const s of splits) out.push(`| ${cell(String(s.data?.['section'] ?? s.section?.join(' › ') ?? ''))} | ${formatDuration(s.durationMs)} | ${time(s.timestamp)} |`);
        out.push('');
      }
    });
  }
  out.push(`<sub>Generated from the evidence log; secret inputs are recorded as "(secret)".</sub>`, '');
  return masker.mask(out.join('\n'));
}
