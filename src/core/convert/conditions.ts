/**
 * Pass-condition sentences from a guide → `??` conditions, for the phrases that say something
 * checkable ("returns 200", "returns 200 ok", "prints ok", "reports 0.6.6", "contains 1-3
 * matches with reuse_tier of duplicate or adapt", "`pattern_count` ≥ expected", "is non-empty",
 * "exits 0"). Anything else gives no condition (the converter then asks the operator, quoting
 * the sentence). Every generated condition is written `??warn` with a review note: it only warns
 * until the author has read it and changed it to `??`.
 * Sentences are cut to MAX_SENTENCE characters and every pattern is bounded (no nested
 * quantifiers), so matching is linear in the sentence.
 */
import { parseConditions } from '../checks/conditions';
import type { InputSet } from './inputs';

export type ConditionKind = 'http' | 'shell' | 'python';

export interface GeneratedCondition {
  /** The condition without `??` (e.g. `status == 200`). */
  readonly expression: string;
  /** The words of the sentence it came from. */
  readonly phrase: string;
}

export const MAX_SENTENCE = 400;

/** Normalises a sentence: no markdown emphasis/backticks, single spaces, bounded length. */
export function cleanSentence(text: string): string {
  let s = text.slice(0, MAX_SENTENCE * 2);
  if (s.includes('**') || s.includes('__')) s = s.replace(/\*\*|__/g, '');
  // Runs of whitespace become one space (a text whose only whitespace is single spaces stays as it is).
  if (/\s\s|[^\S ]/.test(s)) s = s.replace(/\s+/g, ' ');
  return s.trim().slice(0, MAX_SENTENCE);
}

const STATUS = /\b(?:returns?|responds?(?: with)?|answers?(?: with)?|status(?: code)?(?: is| of)?|gets?|HTTP)\s+(\d{3})\b(?:\s+(ok|OK)\b)?/;
const COMPARE = /`?([A-Za-z_][\w.]{1,60})`?\s*(≥|>=|≤|<=|==|=|>|<|is at least|is at most|equals)\s*`?([\w.-]{1,40})`?/;
const COUNT = /\bcontains?\s+(\d{1,6})(?:\s*(?:-|–|to)\s*(\d{1,6}))?\s+`?([A-Za-z_]\w{0,40})`?(?:\s+with\s+`?([A-Za-z_][\w.]{0,40})`?\s+(?:of|in|=|==|being)\s+`?([\w-]{1,30})`?((?:(?:\s*,\s*|\s+or\s+|\s+and\s+)`?[\w-]{1,30}`?){0,8}))?/i;
const SAYS = /\b(prints?|outputs?|shows?|reports?|displays?|contains?|includes?|says?)\s+([`'"]{0,2})([\w.:/+-]{1,60})([`'"]{0,2})/i;
const NON_EMPTY = /\b(?:is\s+)?non-?empty\b|\bis\s+not\s+empty\b/i;
const EXIT = /\bexits?\s+(?:with\s+)?(?:code\s+|status\s+)?(\d{1,3})\b/i;
const SUCCEEDS = /\b(?:succeeds|exits? successfully|runs? without errors?)\b/i;
const SAYABLE_WORDS = new Set(['ok', 'true', 'false', 'healthy', 'success', 'ready', 'running', 'up', 'pass', 'passed', 'done', 'active', 'green']);

function operator(op: string): string {
  switch (op) {
    case '≥': case 'is at least': return '>=';
    case '≤': case 'is at most': return '<=';
    case '=': case 'equals': return '==';
    default: return op;
  }
}

const validity = new Map<string, boolean>();

/** Whether the condition grammar accepts the expression (remembered: guides repeat their phrases). */
function isValid(expression: string): boolean {
  let ok = validity.get(expression);
  if (ok === undefined) {
    ok = parseConditions(`?? ${expression}`).errors.length === 0;
    if (validity.size > 10_000) validity.clear();
    validity.set(expression, ok);
  }
  return ok;
}

/**
 * Cheap tests for what each pattern needs before it can match (a word or character it cannot
 * match without): most sentences say one thing, and the full patterns are the costly part.
 */
const MAY_STATUS = /\d{3}/;
const MAY_COMPARE = /[≥≤=<>]|is at (?:least|most)|equals/;
const MAY_COUNT = /contain/i;

export function conditionsFrom(sentence: string, kind: ConditionKind, inputs: InputSet): GeneratedCondition[] {
  const s = cleanSentence(sentence);
  const out: GeneratedCondition[] = [];
  const out2 = kind === 'http' ? 'body' : 'stdout';
  const push = (expression: string, phrase: string) => {
    if (!isValid(expression)) return;
    if (!out.some((c) => c.expression === expression)) out.push({ expression, phrase: phrase.trim() });
  };

  if (kind === 'http' && MAY_STATUS.test(s)) {
    const m = STATUS.exec(s);
    if (m) {
      push(`status == ${m[1]}`, m[0]);
      if (m[2] === 'ok') push('body includes ok', m[0]);
    }
  }
  const count = MAY_COUNT.test(s) ? COUNT.exec(s) : null;
  if (count) {
    const [, a, b, arrayName, field, first, more] = count;
    const options = [first!, ...(more ?? '').split(/\s*,\s*|\s+or\s+|\s+and\s+/).map((w) => w.replace(/`/g, '').trim()).filter(Boolean)];
    const where = field ? ` where ${field} in [${options.join(', ')}]` : '';
    const range = b !== undefined ? `between ${a} and ${b}` : `== ${a}`;
    push(`count ${arrayName}${where} ${range}`, count[0]);
  }
  const cmp = MAY_COMPARE.test(s) ? COMPARE.exec(s) : null;
  if (cmp && !(count && cmp.index >= count.index && cmp.index < count.index + count[0].length)) {
    const [, field, op] = cmp;
    const rawValue = cmp[3]!.replace(/[.,;:]+$/, '');
    const symbolic = /[≥≤<>=]/.test(op!);
    if (symbolic || /_|\./.test(field!)) {
      const o = operator(op!);
      const numeric = /^-?\d+(?:\.\d+)?$/.test(rawValue);
      // `≥ expected`: a word on an ordering comparison is a number the operator supplies (an input).
      const v = numeric || o === '==' ? rawValue : `{{${inputs.word(rawValue).name}}}`;
      push(`json ${field} ${o} ${v}`, cmp[0]);
    }
  }
  const says = SAYS.exec(s);
  if (says && !(count && says.index === count.index)) {
    const [, , open, word, close] = says;
    const quoted = !!open && !!close;
    const w = quoted ? word! : word!.replace(/[.,;:]+$/, '');
    if (w && (quoted || /^\d[\w.+-]*$/.test(w) || SAYABLE_WORDS.has(w.toLowerCase()))) {
      push(`${out2} includes ${w}`, says[0]);
    }
  }
  if (NON_EMPTY.test(s)) push(`${out2} matches \\S`, NON_EMPTY.exec(s)![0]);
  if (kind !== 'http') {
    const e = EXIT.exec(s);
    if (e) push(`exit == ${e[1]}`, e[0]);
    else if (SUCCEEDS.test(s)) push('exit == 0', SUCCEEDS.exec(s)![0]);
  }
  return out;
}

/**
 * The `??warn` line for a generated condition, with the review note as its next step, written in
 * parts into `out` from index `at` on (joined with the rest of its check); returns the index after.
 */
export function conditionLineParts(c: GeneratedCondition, out: string[], at: number): number {
  const phrase = c.phrase.replace(/\s(?:--|#)\s/g, ' ').replace(/["`]/g, "'").slice(0, 80);
  out[at] = '??warn ';
  out[at + 1] = c.expression;
  out[at + 2] = ' -- generated from the guide ("';
  out[at + 3] = phrase;
  out[at + 4] = '"): review it, then write ?? to make it a hard condition';
  return at + 5;
}
