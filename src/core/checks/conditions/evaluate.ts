/**
 * Evaluates parsed conditions against the subjects a kind provides, and sums them up into one
 * verdict with a one-line reason and next step.
 */
import { formatPath, walkPath } from './path';
import { MAX_MATCH_SUBJECT, RegexSubjectTooLongError } from './regex';
import type { Condition, ConditionOutcome, Literal, Predicate, SubjectResolver } from './types';

type Resolved = { ok: true; value: unknown } | { ok: false; error: string };

export interface EvaluateOptions {
  /** Applied to every rendered value before it is shortened, so that no part of a secret leaks. */
  readonly mask?: (text: string) => string;
}

export function evaluateConditions(conditions: readonly Condition[], resolve: SubjectResolver, options: EvaluateOptions = {}): ConditionOutcome[] {
  const show = (v: unknown) => render(v, 60, options.mask);
  const cache = new Map<string, Resolved>();
  const get = (name: string, arg?: string): Resolved => {
    const key = `${name}\u0000${arg ?? ''}`;
    let r = cache.get(key);
    if (!r) {
      try {
        r = { ok: true, value: resolve(arg === undefined ? { name } : { name, arg }) };
      } catch (err) {
        r = { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      cache.set(key, r);
    }
    return r;
  };
  return conditions.map((c) => evaluateOne(c, get, show));
}

function evaluateOne(c: Condition, get: (name: string, arg?: string) => Resolved, render: (v: unknown) => string): ConditionOutcome {
  const failed = (message: string, extra: Partial<ConditionOutcome> = {}, actual?: string): ConditionOutcome => ({
    text: c.text,
    verdict: c.severity === 'warn' ? 'warn' : 'fail',
    message,
    condition: c,
    ...(actual !== undefined ? { actual } : {}),
    ...(c.next ? { next: c.next } : {}),
    ...extra,
  });

  if (c.unresolved?.length) {
    const msg = `input${c.unresolved.length > 1 ? 's' : ''} ${c.unresolved.join(', ')} not substituted in the condition`;
    return failed(msg, { subjectError: msg });
  }
  const label = subjectLabel(c);
  let value: unknown;
  if (c.subject === 'json' || c.subject === 'count') {
    const root = get('json');
    if (!root.ok) return failed(root.error, { subjectError: root.error });
    if (root.value === undefined) return failed('there is no JSON document', { subjectError: 'there is no JSON document' });
    const walked = walkPath(root.value, c.path ?? []);
    if (!walked.found) {
      if (c.predicate.op === '!exists' && c.subject === 'json') return passed(c, 'absent');
      return failed(`field "${walked.missing}" is missing`, { missing: walked.missing }, 'absent');
    }
    value = walked.value;
    if (c.subject === 'count') {
      if (!Array.isArray(value)) return failed(`${c.pathText} is not a list (${typeName(value)})`, {}, render(value));
      let items: unknown[] = value;
      if (c.where) {
        const where = c.where;
        items = value.filter((item) => {
          const w = walkPath(item, where.path);
          return test(where.predicate, w.found ? w.value : undefined).ok;
        });
      }
      value = items.length;
    }
  } else {
    const r = get(c.subject, c.arg);
    if (!r.ok) return failed(r.error, { subjectError: r.error });
    value = r.value;
  }

  const outcome = test(c.predicate, value);
  if (outcome.ok) return passed(c, render(value));
  const why = outcome.why ?? `${label} is ${render(value)}, expected ${predicateText(c.predicate)}`;
  return failed(why, {}, render(value));
}

function passed(c: Condition, actual: string): ConditionOutcome {
  return { text: c.text, verdict: 'pass', actual, condition: c };
}

function subjectLabel(c: Condition): string {
  switch (c.subject) {
    case 'json':
      return c.path && c.path.length ? formatPath(c.path) : 'the JSON body';
    case 'header':
      return `header ${c.arg}`;
    case 'count':
      return c.where ? `count of ${c.pathText} where ${c.where.text}` : `count of ${c.pathText}`;
    default:
      return c.subject;
  }
}

/** `>= 1200`, `in [duplicate, adapt]`, `between 1 and 3`. */
export function predicateText(p: Predicate): string {
  switch (p.op) {
    case 'exists':
      return 'to exist';
    case '!exists':
      return 'to be absent';
    case 'matches':
      return `to match /${p.regex.source}/${p.regex.flags}`;
    case 'in':
      return `one of [${p.values.map(literalText).join(', ')}]`;
    case 'between':
      return `between ${p.low} and ${p.high}`;
    case 'includes':
      return `to include ${literalText(p.value)}`;
    default:
      return `${p.op} ${literalText(p.value)}`;
  }
}

function literalText(v: Literal): string {
  if (Array.isArray(v)) return `[${v.map(literalText).join(', ')}]`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Applies a predicate; `why` overrides the default "X is A, expected …" message. */
export function test(p: Predicate, actual: unknown): { ok: boolean; why?: string } {
  switch (p.op) {
    case 'exists':
      return { ok: actual !== undefined && actual !== null };
    case '!exists':
      return { ok: actual === undefined || actual === null };
  }
  if (actual === undefined) return { ok: false, why: undefined };
  switch (p.op) {
    case '==':
      return { ok: equals(actual, p.value) };
    case '!=':
      return { ok: !equals(actual, p.value) };
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const n = toNumber(actual);
      if (n === undefined) return { ok: false };
      const v = p.value;
      return { ok: p.op === '<' ? n < v : p.op === '<=' ? n <= v : p.op === '>' ? n > v : n >= v };
    }
    case 'between': {
      const n = toNumber(actual);
      return { ok: n !== undefined && n >= p.low && n <= p.high };
    }
    case 'in':
      return { ok: p.values.some((v) => equals(actual, v)) };
    case 'includes':
      if (typeof actual === 'string') return { ok: actual.includes(literalString(p.value)) };
      if (Array.isArray(actual)) return { ok: actual.some((a) => equals(a, p.value)) };
      return { ok: false };
    case 'matches': {
      const text = asText(actual);
      if (text.length > MAX_MATCH_SUBJECT) return { ok: false, why: new RegexSubjectTooLongError(text.length).message };
      return { ok: p.regex.test(text) };
    }
  }
}

function literalString(v: Literal): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v) ?? '';
}

export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

export function equals(actual: unknown, expected: Literal): boolean {
  if (expected === null) return actual === null;
  if (typeof expected === 'number') return toNumber(actual) === expected;
  if (typeof expected === 'boolean') return actual === expected || (typeof actual === 'string' && actual.trim().toLowerCase() === String(expected));
  if (typeof expected === 'string') {
    if (typeof actual === 'string') return actual === expected;
    if (typeof actual === 'number' || typeof actual === 'boolean') return String(actual) === expected;
    return false;
  }
  if (Array.isArray(expected)) return JSON.stringify(actual) === JSON.stringify(expected);
  return false;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Short rendering of an actual value: `1204`, `"ok"`, `[3 items]`, `{status, storage, …}`. */
export function render(v: unknown, max = 60, mask: (text: string) => string = (t) => t): string {
  if (v === undefined) return 'absent';
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') {
    const s = JSON.stringify(mask(v));
    return s.length > max ? s.slice(0, max - 2) + '…"' : s;
  }
  const json = mask(JSON.stringify(v) ?? String(v));
  if (json.length <= max) return json;
  if (Array.isArray(v)) return `[${v.length} item${v.length === 1 ? '' : 's'}]`;
  const keys = Object.keys(v as object).map(mask);
  const shown = keys.slice(0, 4).join(', ');
  return `{${shown}${keys.length > 4 ? ', …' : ''}}`;
}

export interface ConditionSummary {
  readonly verdict: 'pass' | 'fail' | 'warn';
  readonly reason: string;
  readonly next?: string;
}

/** One verdict for a set of outcomes: fail if any `??` failed, warn if only `??warn` failed. */
export function summarizeConditions(outcomes: readonly ConditionOutcome[]): ConditionSummary {
  const fail = outcomes.find((o) => o.verdict === 'fail');
  const warn = outcomes.find((o) => o.verdict === 'warn');
  const first = fail ?? warn;
  if (first) {
    const others = outcomes.filter((o) => o.verdict !== 'pass').length - 1;
    return {
      verdict: fail ? 'fail' : 'warn',
      reason: `${first.message ?? first.text}${others > 0 ? ` (+${others} more)` : ''}`,
      next: first.next,
    };
  }
  if (outcomes.length === 1) return { verdict: 'pass', reason: `${outcomes[0]!.text} (${outcomes[0]!.actual ?? ''})` };
  return { verdict: 'pass', reason: `${outcomes.length} conditions passed` };
}

/** The JSON paths the conditions read (for showing those values first in details). */
export function jsonPathsOf(conditions: readonly Condition[]): string[] {
  const out = new Set<string>();
  for (const c of conditions) if ((c.subject === 'json' || c.subject === 'count') && c.path && c.path.length) out.add(formatPath(c.path));
  return [...out];
}

/** True when some condition needs the body as JSON. */
export function needsJson(conditions: readonly Condition[]): boolean {
  return conditions.some((c) => c.subject === 'json' || c.subject === 'count');
}
