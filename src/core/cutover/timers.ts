/**
 * Cutover timers with an injectable clock (tests drive a fake one; nothing here waits for real).
 *
 * - RolloutWindow: each rollout step (5, 25, 50, 100 %) opens a window (30 min by default) in
 *   which every smoke test (ids starting with `smoke.`) must pass. When the window closes with a
 *   smoke not run or not green, `onClose` gets a message pointing to the rollback section.
 * - DrillTimer: a rollback drill's total time and per-section splits.
 * Both turn into evidence records (see ../evidence).
 */
import { formatDuration } from '../text';
import type { Verdict } from '../checks/types';
import type { EvidenceRecord } from '../evidence/log';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A window timer must not keep a CLI process alive.
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export type RolloutStep = 5 | 25 | 50 | 100;
export const ROLLOUT_STEPS: readonly RolloutStep[] = [5, 25, 50, 100];
export const DEFAULT_WINDOW_MS = 30 * 60 * 1000;
export const DEFAULT_SMOKE_PREFIX = 'smoke.';

/** `rollout.25-percent`, `rollout.25`, `rollout-25%` → 25; anything else → undefined. */
export function rolloutStepOf(checkId: string): RolloutStep | undefined {
  const m = /^rollout[.\-_:]?(\d+)(?:-?percent|%)?$/i.exec(checkId);
  const n = m ? Number(m[1]) : NaN;
  return (ROLLOUT_STEPS as readonly number[]).includes(n) ? (n as RolloutStep) : undefined;
}

/** A check result as far as the window cares. `at` = when it finished or started (ms or ISO). */
export interface SmokeResult {
  readonly checkId: string;
  readonly verdict: Verdict;
  readonly at: number | string;
}

export type WindowState = 'open' | 'closed-green' | 'closed-missing';

export interface WindowStatus {
  readonly step: RolloutStep;
  readonly startedAt: number;
  readonly endsAt: number;
  readonly remainingMs: number;
  /** Latest verdict of each smoke within the window, or 'not run'. */
  readonly smokes: Readonly<Record<string, Verdict | 'not run'>>;
  readonly state: WindowState;
  /** For a closed-missing window: what is missing and where to go. */
  readonly message?: string;
}

export interface RolloutOptions {
  readonly clock?: Clock;
  readonly windowMs?: number;
  /** The smoke ids that must pass (or a function giving the current ones); default none known (then only results seen are listed). */
  readonly smokeIds?: readonly string[] | (() => readonly string[]);
  readonly smokePrefix?: string;
  /** Title of the rollback section named in the close message. Default "Rollback". */
  readonly rollbackSection?: string;
  /** Called once when a window closes (green or not). */
  readonly onClose?: (status: WindowStatus) => void;
}

const toMs = (at: number | string) => (typeof at === 'number' ? at : Date.parse(at));
const green = (v: Verdict | 'not run' | undefined) => v === 'pass' || v === 'warn';

/** The status of one window at `now` from results (only those inside the window count; latest wins). */
export function rolloutWindowStatus(
  window: { step: RolloutStep; startedAt: number; endsAt: number },
  now: number,
  results: Iterable<SmokeResult>,
  smokeIds: readonly string[],
  options: { smokePrefix?: string; rollbackSection?: string } = {},
): WindowStatus {
  const prefix = options.smokePrefix ?? DEFAULT_SMOKE_PREFIX;
  const latest = new Map<string, { verdict: Verdict; at: number }>();
  for (const r of results) {
    if (!r.checkId.startsWith(prefix)) continue;
    const at = toMs(r.at);
    if (!(at >= window.startedAt && at <= window.endsAt)) continue;
    const prev = latest.get(r.checkId);
    if (!prev || at >= prev.at) latest.set(r.checkId, { verdict: r.verdict, at });
  }
  const ids = [...smokeIds];
  for (const id of latest.keys()) if (!ids.includes(id)) ids.push(id);
  const smokes: Record<string, Verdict | 'not run'> = {};
  for (const id of ids) smokes[id] = latest.get(id)?.verdict ?? 'not run';
  const closed = now >= window.endsAt;
  const allGreen = ids.length > 0 && ids.every((id) => green(smokes[id]));
  const state: WindowState = !closed ? 'open' : allGreen ? 'closed-green' : 'closed-missing';
  let message: string | undefined;
  if (state === 'closed-missing') {
    const bad = ids.filter((id) => !green(smokes[id])).map((id) => `${id} ${smokes[id] === 'not run' ? 'not run' : smokes[id]}`);
    const minutes = Math.round((window.endsAt - window.startedAt) / 60000);
    message = `Rollout ${window.step}%: the ${minutes}-minute smoke window closed with ${bad.length ? bad.join(', ') : 'no smoke test run'}. ` +
      `Go to the "${options.rollbackSection ?? 'Rollback'}" section and roll back.`;
  }
  return { step: window.step, startedAt: window.startedAt, endsAt: window.endsAt, remainingMs: Math.max(0, window.endsAt - now), smokes, state, message };
}

/** Tracks the current rollout step's smoke window. */
export class RolloutWindow {
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly results: SmokeResult[] = [];
  private current?: { step: RolloutStep; startedAt: number; endsAt: number };
  private timer: unknown;

  constructor(private readonly options: RolloutOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  }

  get smokeIds(): readonly string[] {
    const ids = this.options.smokeIds;
    return typeof ids === 'function' ? ids() : ids ?? [];
  }

  /** Starts the window of a rollout step (a new step replaces a window still open). Returns its evidence record. */
  markRollout(step: RolloutStep, at: number = this.clock.now()): EvidenceRecord {
    if (!ROLLOUT_STEPS.includes(step)) throw new Error(`rollout step must be one of ${ROLLOUT_STEPS.join(', ')} (got ${step})`);
    this.cancelTimer();
    this.current = { step, startedAt: at, endsAt: at + this.windowMs };
    const delay = Math.max(0, this.current.endsAt - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.close(), delay);
    return {
      event: 'rollout',
      checkId: `rollout.${step}`,
      kind: 'rollout',
      verdict: 'pass',
      reason: `rollout step ${step}% marked; smoke window until ${new Date(this.current.endsAt).toISOString()}`,
      timestamp: new Date(at).toISOString(),
      durationMs: 0,
      tickedBy: 'hand',
      data: { step, windowEndsAt: new Date(this.current.endsAt).toISOString(), windowMs: this.windowMs, smokeIds: [...this.smokeIds] },
    };
  }

  /** Feeds a finished check (only smoke ids matter). */
  record(result: SmokeResult): void {
    this.results.push(result);
  }

  /** Status of the current window at `now`, from `results` (defaults to the recorded ones); undefined when no step is marked. */
  windowStatus(now: number = this.clock.now(), results: Iterable<SmokeResult> = this.results): WindowStatus | undefined {
    if (!this.current) return undefined;
    return rolloutWindowStatus(this.current, now, results, this.smokeIds, this.options);
  }

  dispose(): void {
    this.cancelTimer();
  }

  private close(): void {
    this.timer = undefined;
    const status = this.windowStatus(Math.max(this.clock.now(), this.current!.endsAt));
    if (status) this.options.onClose?.(status);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export interface DrillSplit {
  readonly section: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly durationMs?: number;
}

/**
 * A rollback drill: start, stop, and a split per section. A section's split starts when its first
 * check starts (or at the previous split's end, for an explicit `split`) and ends when its last
 * check finishes or when `split(section)` is called.
 */
export class DrillTimer {
  private readonly clock: Clock;
  private startedAt?: number;
  private stoppedAt?: number;
  private readonly splitsBySection = new Map<string, { startedAt: number; endedAt?: number }>();
  private lastMark?: number;

  constructor(clock: Clock = systemClock, readonly name = 'drill') {
    this.clock = clock;
  }

  get running(): boolean {
    return this.startedAt !== undefined && this.stoppedAt === undefined;
  }

  start(at: number = this.clock.now()): EvidenceRecord {
    this.startedAt = at;
    this.stoppedAt = undefined;
    this.splitsBySection.clear();
    this.lastMark = at;
    return this.record('drill-start', `${this.name} started`, at, 0);
  }

  /** A check of `section` started: opens the section's split if it is not open yet. */
  checkStarted(section: string, at: number = this.clock.now()): void {
    if (!this.running) return;
    if (!this.splitsBySection.has(section)) this.splitsBySection.set(section, { startedAt: at });
  }

  /** A check of `section` finished; when it was the section's last check the split ends. */
  checkFinished(section: string, lastOfSection: boolean, at: number = this.clock.now()): EvidenceRecord | undefined {
    if (!this.running || !lastOfSection) return undefined;
    return this.split(section, at);
  }

  /** Ends the split of `section` now (starting it at the previous mark if it never started). */
  split(section: string, at: number = this.clock.now()): EvidenceRecord | undefined {
    if (!this.running) return undefined;
    const s = this.splitsBySection.get(section) ?? { startedAt: this.lastMark ?? this.startedAt! };
    s.endedAt = at;
    this.splitsBySection.set(section, s);
    this.lastMark = at;
    const d = at - s.startedAt;
    return this.record('drill-split', `${section}: ${formatDuration(d)}`, at, d, { section, startedAt: new Date(s.startedAt).toISOString() });
  }

  stop(at: number = this.clock.now()): EvidenceRecord | undefined {
    if (!this.running) return undefined;
    this.stoppedAt = at;
    const total = at - this.startedAt!;
    return this.record('drill-stop', `${this.name} stopped after ${formatDuration(total)}`, at, total, {
      splits: this.splits().map((s) => ({ section: s.section, durationMs: s.durationMs ?? null })),
    });
  }

  /** Total time so far (or until stop); 0 before start. */
  total(now: number = this.clock.now()): number {
    if (this.startedAt === undefined) return 0;
    return (this.stoppedAt ?? now) - this.startedAt;
  }

  splits(): DrillSplit[] {
    return [...this.splitsBySection].map(([section, s]) => ({
      section,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      durationMs: s.endedAt === undefined ? undefined : s.endedAt - s.startedAt,
    }));
  }

  private record(event: 'drill-start' | 'drill-split' | 'drill-stop', reason: string, at: number, durationMs: number, data: Record<string, unknown> = {}): EvidenceRecord {
    return {
      event,
      checkId: this.name,
      kind: 'drill',
      verdict: 'pass',
      reason,
      timestamp: new Date(at).toISOString(),
      durationMs,
      tickedBy: 'hand',
      section: typeof data['section'] === 'string' ? [data['section'] as string] : undefined,
      data: { ...data, drillStartedAt: this.startedAt === undefined ? undefined : new Date(this.startedAt).toISOString() },
    };
  }
}


