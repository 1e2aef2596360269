/**
 * Run-all orchestration: runs a plan's checks through the check engine.
 *
 * - Stops on the first failure by default (fail or error); the rest is reported as skipped with
 *   "not run: stopped after <id> failed". `stopOnFirstFailure: false` runs everything.
 * - warn and skipped do not count as failing.
 * - Consecutive read-only http/engramia checks of the same section run in parallel (bounded by
 *   `concurrency`); everything else (processes, manual steps, destructive calls, writes) runs
 *   alone, in order. Results are always reported in document order.
 * - Cancelling (`signal`) reports every check not yet started as skipped ("cancelled"); a check
 *   that finishes after the cancel ends the run as cancelled, not as a failure.
 * - Each check runs through the engine (`runCheck`), or through an injected `runner` (the VS Code
 *   notebook runs a check as a cell execution): one implementation of stop-on-failure, cancel and
 *   not-run bookkeeping for the CLI and the extension.
 */
import { runCheck, type EngineEnvironment } from '../checks/engine';
import type { CheckRegistry } from '../checks/registry';
import type { CheckRun, OutputChunk, Verdict } from '../checks/types';
import type { RunOptions } from '../checks/engine';
import { isAttributeSet, sectionKey, type PlannedCheck, type RunPlan } from './plan';

export interface PlanRun extends CheckRun {
  readonly sectionPath: readonly string[];
  readonly label?: string;
  /** True when the orchestrator skipped the check without running it (excluded, stopped, cancelled, skip hook). */
  readonly notRun?: boolean;
}

/** Runs one check of a plan (default: the engine's `runCheck` with the plan's environment). */
export type CheckRunner = (check: PlannedCheck, options: RunOptions) => Promise<CheckRun>;

/** What executing a plan needs when an injected runner runs the checks: the registry (parallel groups) and a clock. */
export interface PlanEnvironment {
  readonly registry: CheckRegistry;
  readonly now?: () => number;
}

export interface ExecuteOptions {
  /** Default true. */
  readonly stopOnFirstFailure?: boolean;
  readonly signal?: AbortSignal;
  /** Called when a check starts (in start order, which is document order within a parallel group). */
  readonly onStart?: (check: PlannedCheck) => void;
  /** Called once per plan entry, in document order (skipped entries included). */
  readonly onResult?: (run: PlanRun, check: PlannedCheck) => void;
  /** Output chunks of a running check. */
  readonly onOutput?: (check: PlannedCheck, chunk: OutputChunk) => void;
  /** Max checks in flight in a parallel group. Default 4; 1 disables parallel runs. */
  readonly concurrency?: number;
  /** A reason to skip a check without running it (e.g. manual steps in CI), else undefined. */
  readonly skip?: (check: PlannedCheck) => string | undefined;
}

export interface RunnerOptions extends ExecuteOptions {
  /** Runs each check instead of the engine (the environment then only needs registry and clock). */
  readonly runner: CheckRunner;
}

export interface ExecuteResult {
  readonly runs: readonly PlanRun[];
  /** Id of the check that stopped the run, if it stopped early. */
  readonly stoppedAfter?: string;
  readonly cancelled: boolean;
}

export function isFailing(verdict: Verdict): boolean {
  return verdict === 'fail' || verdict === 'error';
}

export { httpMethodOf } from '../http/method';

/** True when a check may share a parallel group: its kind says its invocation only reads (CheckKind.isParallelSafe). */
export function isParallelSafe(check: PlannedCheck, registry: CheckRegistry): boolean {
  if (check.error) return false;
  const kind = registry.resolve(check.kind);
  if (!kind || kind.destructive || kind.runsProcesses || !kind.isParallelSafe) return false;
  if (isAttributeSet(check.attributes, 'destructive') || isAttributeSet(check.attributes, 'serial')) return false;
  return kind.isParallelSafe(check.body, check.attributes);
}

/** Splits a plan into runnable groups: a parallel group is ≥ 2 consecutive parallel-safe checks of one section. */
function groupsOf(checks: readonly PlannedCheck[], registry: CheckRegistry, concurrency: number): PlannedCheck[][] {
  const groups: PlannedCheck[][] = [];
  let current: PlannedCheck[] = [];
  const flush = () => {
    if (current.length) groups.push(current);
    current = [];
  };
  for (const c of checks) {
    const safe = concurrency > 1 && isParallelSafe(c, registry);
    if (!safe) {
      flush();
      groups.push([c]);
      continue;
    }
    if (current.length && sectionKey(current[0]!.sectionPath) !== sectionKey(c.sectionPath)) flush();
    current.push(c);
  }
  flush();
  return groups;
}

function skippedRun(check: PlannedCheck, reason: string, now: number, next?: string): PlanRun {
  return {
    verdict: 'skipped',
    reason,
    next,
    checkId: check.id,
    kind: check.kind,
    startedAt: new Date(now).toISOString(),
    durationMs: 0,
    sectionPath: check.sectionPath,
    label: check.label,
    notRun: true,
  };
}

/**
 * Runs `fn` over `items` in index order with at most `limit` in flight; results by index. Once
 * `stop()` is true no further item starts (its result stays undefined).
 */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, stop: () => boolean = () => false): Promise<(R | undefined)[]> {
  const results = new Array<R | undefined>(items.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function executePlan(plan: RunPlan, env: EngineEnvironment, options?: ExecuteOptions): Promise<ExecuteResult>;
export function executePlan(plan: RunPlan, env: PlanEnvironment, options: RunnerOptions): Promise<ExecuteResult>;
export async function executePlan(plan: RunPlan, env: EngineEnvironment | PlanEnvironment, options: ExecuteOptions & { runner?: CheckRunner } = {}): Promise<ExecuteResult> {
  const stopOnFirstFailure = options.stopOnFirstFailure ?? true;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const now = env.now ?? Date.now;
  const runs: PlanRun[] = [];
  let stoppedAfter: string | undefined;
  let cancelled = false;

  // Entries skipped up front keep their place; runnable ones are grouped between them.
  const report = (run: PlanRun, check: PlannedCheck) => {
    runs.push(run);
    options.onResult?.(run, check);
  };
  const runner: CheckRunner = options.runner ?? ((check, io) => runCheck(check, env as EngineEnvironment, io));
  const runOne = async (check: PlannedCheck): Promise<PlanRun> => {
    options.onStart?.(check);
    const run = await runner(check, {
      signal: options.signal,
      emit: options.onOutput ? (chunk) => options.onOutput!(check, chunk) : undefined,
    });
    return { ...run, sectionPath: check.sectionPath, label: check.label };
  };

  // Walk entries; collect runnable stretches and run them group by group.
  const entries = plan.entries.map((e) => ({ check: e.check, skip: e.skip ?? options.skip?.(e.check) }));
  let i = 0;
  while (i < entries.length) {
    const entry = entries[i]!;
    if (stoppedAfter !== undefined || cancelled || options.signal?.aborted) {
      if (options.signal?.aborted && stoppedAfter === undefined) cancelled = true;
      const reason = entry.skip ?? (stoppedAfter !== undefined ? `not run: stopped after ${stoppedAfter} failed` : 'cancelled');
      report(skippedRun(entry.check, reason, now()), entry.check);
      i++;
      continue;
    }
    if (entry.skip !== undefined) {
      report(skippedRun(entry.check, entry.skip, now()), entry.check);
      i++;
      continue;
    }
    // The runnable stretch up to the next up-front skip.
    let j = i;
    while (j < entries.length && entries[j]!.skip === undefined) j++;
    const stretch = entries.slice(i, j).map((e) => e.check);
    const groups = groupsOf(stretch, env.registry, concurrency);
    let consumed = 0;
    for (const group of groups) {
      if (stoppedAfter !== undefined || options.signal?.aborted) break;
      // In a parallel group, a failure stops further starts; checks already running finish and report.
      let failedInGroup = false;
      const results = group.length === 1
        ? [await runOne(group[0]!)]
        : await mapBounded(group, concurrency, async (c) => {
            const r = await runOne(c);
            if (isFailing(r.verdict)) failedInGroup = true;
            return r;
          }, () => (stopOnFirstFailure && failedInGroup) || !!options.signal?.aborted);
      results.forEach((run, k) => {
        const check = group[k]!;
        if (!run) {
          report(skippedRun(check, stoppedAfter !== undefined ? `not run: stopped after ${stoppedAfter} failed` : 'cancelled', now()), check);
          return;
        }
        report(run, check);
        // A check cut short by a cancel ends the run as cancelled, not as a failure.
        if (stoppedAfter === undefined && stopOnFirstFailure && isFailing(run.verdict) && !options.signal?.aborted) stoppedAfter = run.checkId;
      });
      consumed += group.length;
    }
    i += consumed;
  }
  if (options.signal?.aborted) cancelled = true;
  return { runs, stoppedAfter, cancelled };
}

export interface SectionProgress {
  readonly section: readonly string[];
  readonly done: number;
  readonly total: number;
  readonly failing: number;
}

/**
 * Progress per section (innermost section of each check), in document order. `done` counts checks
 * with a pass or warn verdict; `failing` those with fail or error; skipped count toward neither.
 */
export function progressBySection(plan: RunPlan, runs: Iterable<Pick<CheckRun, 'checkId' | 'verdict'>>): SectionProgress[] {
  const latest = new Map<string, Verdict>();
  for (const r of runs) latest.set(r.checkId, r.verdict);
  const order: string[] = [];
  const acc = new Map<string, { section: readonly string[]; done: number; total: number; failing: number }>();
  for (const { check } of plan.entries) {
    const key = sectionKey(check.sectionPath);
    let p = acc.get(key);
    if (!p) {
      p = { section: check.sectionPath, done: 0, total: 0, failing: 0 };
      acc.set(key, p);
      order.push(key);
    }
    p.total++;
    const v = latest.get(check.id);
    if (v === 'pass' || v === 'warn') p.done++;
    else if (v && isFailing(v)) p.failing++;
  }
  return order.map((k) => acc.get(k)!);
}

export interface RunSummary {
  readonly total: number;
  readonly passed: number;
  readonly warned: number;
  readonly failed: number;
  readonly errored: number;
  readonly skipped: number;
  readonly durationMs: number;
  /** True when no check failed or errored. */
  readonly ok: boolean;
}

export function summarize(runs: readonly Pick<CheckRun, 'verdict' | 'durationMs'>[], durationMs?: number): RunSummary {
  const count = (v: Verdict) => runs.filter((r) => r.verdict === v).length;
  const failed = count('fail');
  const errored = count('error');
  return {
    total: runs.length,
    passed: count('pass'),
    warned: count('warn'),
    failed,
    errored,
    skipped: count('skipped'),
    durationMs: durationMs ?? runs.reduce((s, r) => s + r.durationMs, 0),
    ok: failed + errored === 0,
  };
}
