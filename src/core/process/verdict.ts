/**
 * A finished process's verdict: `??` conditions on exit/stdout/stderr/json/duration/count when the
 * check has any, else the exit code (0 pass, 1 fail, 2 warn, anything else fail). The reason is the
 * last `RESULT:` line, else the last stdout line; `NEXT:` sets the next step. Shared by local
 * process checks (kinds.ts) and fleet checks (one verdict per host, fleet/run.ts).
 */
import { evaluateConditions, summarizeConditions } from '../checks/conditions';
import type { Condition } from '../checks/conditions/types';
import type { ConditionVerdict, Verdict } from '../checks/types';
import { parseJsonBounded } from '../http/json';

/** What a verdict needs to know of a finished process. */
export interface FinishedProcess {
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ProcessVerdict {
  readonly verdict: Verdict;
  readonly reason: string;
  readonly next?: string;
  readonly conditions?: ConditionVerdict[];
}

/** RESULT:/NEXT: lines, else the last non-empty stdout line. */
export function reasonFromOutput(stdout: string): { result?: string; next?: string; last?: string } {
  let result: string | undefined;
  let next: string | undefined;
  let last: string | undefined;
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^RESULT:\s*(.*)$/.exec(line);
    const n = /^NEXT:\s*(.*)$/.exec(line);
    if (m) result = m[1];
    else if (n) next = n[1];
    else last = line;
  }
  return { result, next, last };
}

/** Gruntbooks convention: 0 pass, 1 fail, 2 warn; anything else fails. */
export function verdictForExit(code: number | null): Verdict {
  return code === 0 ? 'pass' : code === 2 ? 'warn' : 'fail';
}

export function describeEnd(o: Pick<FinishedProcess, 'exitCode' | 'exitSignal'>): string {
  return o.exitCode !== null ? `exit code ${o.exitCode}` : `ended by signal ${o.exitSignal ?? 'unknown'}`;
}

/** The verdict of a finished process (pass/fail/warn, never error). */
export function processVerdict(outcome: FinishedProcess, conditions: readonly Condition[], durationMs: number): ProcessVerdict {
  const { result, next, last } = reasonFromOutput(outcome.stdout);
  const stderrLast = outcome.stderr.split('\n').map((l) => l.trim()).filter(Boolean).pop();
  if (!conditions.length) {
    const verdict = outcome.exitCode === null ? 'fail' : verdictForExit(outcome.exitCode);
    const said = result ?? last ?? (verdict === 'pass' ? undefined : stderrLast);
    // Codes outside the 0/1/2 convention (127 command not found, 139 crash …) are named.
    const unusual = outcome.exitCode === null || outcome.exitCode > 2;
    const reason = said === undefined ? describeEnd(outcome) : unusual ? `${describeEnd(outcome)}: ${said}` : said;
    return { verdict, reason, next: verdict === 'pass' ? undefined : next };
  }
  let parsedJson: { ok: true; value: unknown } | { ok: false; error: string } | undefined;
  const outcomes = evaluateConditions([...conditions], (s) => {
    switch (s.name) {
      case 'exit':
        return outcome.exitCode ?? undefined;
      case 'stdout':
        return outcome.stdout;
      case 'stderr':
        return outcome.stderr;
      case 'duration':
        return durationMs;
      case 'json':
      case 'count':
        if (!parsedJson) {
          try {
            parsedJson = { ok: true, value: parseJsonBounded(outcome.stdout, { what: 'stdout' }) };
          } catch (e) {
            parsedJson = { ok: false, error: `stdout is not JSON: ${(e as Error).message}` };
          }
        }
        if (!parsedJson.ok) throw new Error(parsedJson.error);
        return parsedJson.value;
      default:
        return undefined;
    }
  });
  const verdicts = outcomes.map(({ text, verdict: v, actual, message }) => ({ text, verdict: v, actual, message }));
  const summary = summarizeConditions(outcomes);
  let verdict: Verdict = summary.verdict;
  let reason = summary.reason;
  const nextStep = summary.next ?? next;
  const addressesExit = conditions.some((c) => c.subject === 'exit');
  if (!addressesExit && outcome.exitCode !== 0) {
    verdict = 'fail';
    reason = `${describeEnd(outcome)}${result ? `: ${result}` : stderrLast ? `: ${stderrLast}` : ''} (conditions: ${summary.reason})`;
  } else if (verdict === 'pass' && result) reason = `${result} (${summary.reason})`;
  return { verdict, reason, next: verdict === 'pass' ? undefined : nextStep, conditions: verdicts };
}
