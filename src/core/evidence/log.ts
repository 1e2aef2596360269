/**
 * The evidence log: an append-only JSON-lines sidecar beside the runbook
 * (`<name>.runbook.md` → `<name>.runbook.evidence.jsonl`). One record per finished check, hand
 * tick/untick, rollout step and drill event. Every record passes through a Masker before it is
 * written (secret inputs are recorded as "(secret)" in the first place; masking is the second net).
 */
import { constants, existsSync, openSync, closeSync, readSync, fstatSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { checkOutputFile, checkReadableFile, writeFileSafely } from './safeFile';
import type { CheckRun, Verdict } from '../checks/types';
import { Masker } from '../secrets/mask';
import type { RunbookInput } from '../runbook/model';

export type EvidenceEvent = 'check' | 'tick' | 'untick' | 'rollout' | 'drill-start' | 'drill-split' | 'drill-stop' | 'host';

export interface EvidenceRecord {
  /** The check id (or task item id for hand ticks; `rollout.<step>` / drill name for timer events). */
  readonly checkId: string;
  readonly verdict: Verdict;
  readonly reason: string;
  readonly next?: string;
  /** ISO time the check started (or the event happened). */
  readonly timestamp: string;
  readonly durationMs: number;
  /** Heading path of the item's section. */
  readonly section?: readonly string[];
  readonly label?: string;
  readonly targetHost?: string;
  readonly serverVersion?: string;
  /** Input values in play, secrets as "(secret)". */
  readonly inputs?: Readonly<Record<string, string>>;
  readonly tickedBy: 'check' | 'hand';
  /** Who ticked by hand (or ran the check). */
  readonly user?: string;
  readonly kind: string;
  /** Absent means 'check'. */
  readonly event?: EvidenceEvent;
  /** Extras: rollout step and window, drill splits, counts. */
  readonly data?: Readonly<Record<string, unknown>>;
}

export const SECRET_PLACEHOLDER = '(secret)';

/** `ops/foo.runbook.md` → `ops/foo.runbook.evidence.jsonl`; other names get `.evidence.jsonl` after the stem. */
export function evidencePathFor(runbookPath: string): string {
  if (/\.md$/i.test(runbookPath)) return runbookPath.replace(/\.md$/i, '.evidence.jsonl');
  return runbookPath + '.evidence.jsonl';
}

/** The OS user name, or undefined when it cannot be read. */
export function currentUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? undefined;
  }
}

/** Input values for a record: secret inputs (declared `secret`, or equal to a secret value) become "(secret)". */
export function recordInputs(
  inputs: Readonly<Record<string, string>>,
  declared: readonly Pick<RunbookInput, 'name' | 'secret'>[] = [],
  secrets: readonly string[] = [],
): Record<string, string> {
  const secretNames = new Set(declared.filter((d) => d.secret).map((d) => d.name));
  const secretValues = new Set(secrets.filter((s) => s));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) {
    out[name] = secretNames.has(name) || (value !== '' && secretValues.has(value)) ? SECRET_PLACEHOLDER : value;
  }
  return out;
}

export interface RecordContext {
  readonly section?: readonly string[];
  readonly label?: string;
  readonly inputs?: Readonly<Record<string, string>>;
  readonly user?: string;
}

/** The evidence record of a finished check (target host and server version from its data). */
export function evidenceFromRun(run: CheckRun & { sectionPath?: readonly string[]; label?: string }, context: RecordContext = {}): EvidenceRecord {
  const data = run.data ?? {};
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const extras: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (k !== 'targetHost' && k !== 'serverVersion' && isSmall(v)) extras[k] = v;
  return {
    event: 'check',
    checkId: run.checkId,
    kind: run.kind,
    verdict: run.verdict,
    reason: run.reason,
    next: run.next,
    timestamp: run.startedAt,
    durationMs: run.durationMs,
    section: context.section ?? run.sectionPath,
    label: context.label ?? run.label,
    targetHost: str(data['targetHost']) ?? str(data['host']),
    serverVersion: str(data['serverVersion']) ?? str(data['appVersion']) ?? str(data['app_version']),
    inputs: context.inputs,
    tickedBy: 'check',
    user: context.user,
    data: Object.keys(extras).length ? extras : undefined,
  };
}

/**
 * For a fleet check (data.hosts, see fleet/run.ts): one `host` record per host, after the check's
 * own record, with that host's verdict and reason. Readers of item state look at `check` records
 * only, so these never change a box; they are the per-host evidence.
 */
export function hostRecordsFromRun(run: CheckRun & { sectionPath?: readonly string[]; label?: string }, context: RecordContext = {}): EvidenceRecord[] {
  const hosts = run.data?.['hosts'];
  if (!Array.isArray(hosts)) return [];
  const group = typeof run.data?.['group'] === 'string' ? (run.data['group'] as string) : undefined;
  return hosts.flatMap((h: unknown): EvidenceRecord[] => {
    const r = h as { host?: unknown; verdict?: unknown; reason?: unknown; next?: unknown; durationMs?: unknown; exitCode?: unknown };
    if (typeof r.host !== 'string' || typeof r.verdict !== 'string') return [];
    return [{
      event: 'host',
      checkId: run.checkId,
      kind: run.kind,
      verdict: r.verdict as Verdict,
      reason: typeof r.reason === 'string' ? r.reason : '',
      ...(typeof r.next === 'string' ? { next: r.next } : {}),
      timestamp: run.startedAt,
      durationMs: typeof r.durationMs === 'number' ? r.durationMs : 0,
      section: context.section ?? run.sectionPath,
      label: context.label ?? run.label,
      targetHost: r.host,
      tickedBy: 'check',
      user: context.user,
      data: { ...(group ? { group } : {}), exitCode: r.exitCode ?? null },
    }];
  });
}

function isSmall(v: unknown): boolean {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return typeof v !== 'string' || (v as string).length <= 500;
  try {
    return JSON.stringify(v).length <= 2000;
  } catch {
    return false;
  }
}

/** A record for a box ticked or unticked by a person. */
export function handTickRecord(item: { id: string; label?: string; section?: readonly string[] }, checked: boolean, options: { user?: string; at?: number; inputs?: Readonly<Record<string, string>> } = {}): EvidenceRecord {
  const user = options.user ?? currentUser();
  return {
    event: checked ? 'tick' : 'untick',
    checkId: item.id,
    kind: 'task',
    verdict: checked ? 'pass' : 'skipped',
    reason: checked ? `ticked by hand${user ? ` by ${user}` : ''}` : `unticked by hand${user ? ` by ${user}` : ''}`,
    timestamp: new Date(options.at ?? Date.now()).toISOString(),
    durationMs: 0,
    section: item.section,
    label: item.label,
    inputs: options.inputs,
    tickedBy: 'hand',
    user,
  };
}

/** Appends one record (masked) as a JSON line; creates the file and folder when missing. */
export function appendEvidence(file: string, record: EvidenceRecord, masker: Masker = new Masker([])): void {
  appendEvidenceAll(file, [record], masker);
}

export function appendEvidenceAll(file: string, records: readonly EvidenceRecord[], masker: Masker = new Masker([])): void {
  if (!records.length) return;
  // Never through a planted symlink, into a FIFO or a folder (safeFile.ts).
  checkOutputFile(file);
  let prefix = '';
  // A previous writer may have died mid-line: start on a fresh line so this record stays readable.
  if (existsSync(file) && !endsWithNewline(file)) prefix = '\n';
  const text = records.map((r) => JSON.stringify(dropUndefined(masker.maskDeep(r)))).join('\n');
  writeFileSafely(file, prefix + text + '\n', { append: true });
}

function endsWithNewline(file: string): boolean {
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return true;
    const buf = Buffer.alloc(1);
    readSync(fd, buf, 0, 1, size - 1);
    return buf[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

function dropUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export interface ReadResult {
  readonly records: EvidenceRecord[];
  /** Lines that were not valid records (e.g. a truncated last line), 1-based. */
  readonly skippedLines: number[];
}

/** Reads a log; a missing file is empty; lines that do not parse (a truncated tail) are skipped. */
export function readEvidence(file: string): EvidenceRecord[] {
  return readEvidenceDetailed(file).records;
}

export function readEvidenceDetailed(file: string): ReadResult {
  if (!checkReadableFile(file)) return { records: [], skippedLines: [] };
  return parseEvidence(readFileSync(file, 'utf8'));
}

export function parseEvidence(text: string): ReadResult {
  const records: EvidenceRecord[] = [];
  const skippedLines: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && typeof (v as EvidenceRecord).checkId === 'string') records.push(v as EvidenceRecord);
      else skippedLines.push(i + 1);
    } catch {
      skippedLines.push(i + 1);
    }
  });
  return { records, skippedLines };
}
