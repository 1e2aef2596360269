/**
 * `matches` regular expressions, evaluated by a linear-time engine (RE2, via re2js): no pattern
 * can backtrack catastrophically, so a hostile runbook or server cannot hang a check with
 * `(a+)+$` and a long subject. Patterns RE2 cannot express (backreferences, lookahead and
 * lookbehind) are refused when the condition is parsed, with a one-line reason. Subjects longer
 * than MAX_MATCH_SUBJECT characters are not matched at all (the condition fails and says why).
 */
import { RE2JS } from 're2js';

/** Longest text a `matches` condition is evaluated on (characters). */
export const MAX_MATCH_SUBJECT = 1024 * 1024;

/** A compiled `matches` pattern: the source and flags as written, and a linear-time test. */
export interface BoundedRegex {
  readonly source: string;
  readonly flags: string;
  /** True when the pattern matches somewhere in `text`; throws RegexSubjectTooLongError past the cap. */
  test(text: string): boolean;
}

export class RegexSyntaxError extends Error {}

export class RegexSubjectTooLongError extends Error {
  constructor(readonly length: number) {
    super(`the value is too long to match (${length} characters; matches reads at most ${MAX_MATCH_SUBJECT})`);
  }
}

const UNSUPPORTED: readonly [RegExp, string][] = [
  [/\(\?<?[=!]/, 'lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported'],
  [/\\[1-9]|\\k</, 'backreferences (\\1, \\k<name>) are not supported'],
];

/** True when `source` contains `pattern` outside a character class and not escaped. */
function usesConstruct(source: string, pattern: RegExp): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      if (!inClass && pattern.test(source.slice(i, i + 3))) return true;
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(' && pattern.test(source.slice(i, i + 4))) return true;
  }
  return false;
}

/**
 * Compiles a JavaScript-style pattern (`/…/flags` content) for linear-time matching.
 * Flags: i, m, s are honoured; g, y, d, u are accepted and have no effect on a yes/no match.
 * Throws RegexSyntaxError with a one-line reason.
 */
export function compileBoundedRegex(source: string, flags = ''): BoundedRegex {
  for (const [pattern, why] of UNSUPPORTED) {
    if (usesConstruct(source, pattern)) throw new RegexSyntaxError(`${why}: matches uses a linear-time engine (RE2)`);
  }
  let bits = 0;
  for (const f of flags) {
    if (f === 'i') bits |= RE2JS.CASE_INSENSITIVE;
    else if (f === 'm') bits |= RE2JS.MULTILINE;
    else if (f === 's') bits |= RE2JS.DOTALL;
    else if (!'gyud'.includes(f)) throw new RegexSyntaxError(`unknown flag "${f}"`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source), bits);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    throw new RegexSyntaxError(why.split('\n')[0]!);
  }
  const shownFlags = [...new Set(flags.replace(/[gy]/g, ''))].sort().join('');
  return {
    source,
    flags: shownFlags,
    test(text: string): boolean {
      if (text.length > MAX_MATCH_SUBJECT) throw new RegexSubjectTooLongError(text.length);
      return re.test(text);
    },
  };
}
