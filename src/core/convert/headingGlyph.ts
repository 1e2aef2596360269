/**
 * A heading's permalink at its end — a bare `¶` / `§` (docs generators) or a markdown link on one,
 * `[¶](#id)` — found and taken off by scanning back from the end. The regexes this replaces
 * (`/\s*[¶§]\s*$/`, `/\s*\[[¶§#]\]\([^)]{0,300}\)\s*$/`) backtrack over every whitespace run, which
 * a line of 40k spaces turned into seconds; these are linear.
 */

const isGlyph = (c: string | undefined) => c === '¶' || c === '§';

/** Whether `s` ends with `¶` or `§` (trailing whitespace aside). */
export function endsWithHeadingGlyph(s: string): boolean {
  const t = s.trimEnd();
  return isGlyph(t[t.length - 1]);
}

/** `s` without a final `¶` / `§` and the whitespace around it; `s` itself when it has none. */
export function stripHeadingGlyph(s: string): string {
  const t = s.trimEnd();
  return isGlyph(t[t.length - 1]) ? t.slice(0, -1).trimEnd() : s;
}

/**
 * `s` without a final permalink: first a link `[¶](…)` / `[§](…)` / `[#](…)` (at most 300
 * characters between its parentheses, no `)`), then a bare glyph; `s` itself when it has neither.
 */
export function stripHeadingPermalink(s: string): string {
  let out = s;
  const t = s.trimEnd();
  const close = t.length - 1;
  if (t[close] === ')') {
    // the leftmost `[g](` whose parenthesis closes at the end wins (as the regex's leftmost match)
    let open = -1;
    for (let i = close - 1; i >= 3 && i >= close - 301 && t[i] !== ')'; i--) {
      if (t[i] === '(' && t[i - 1] === ']' && (isGlyph(t[i - 2]) || t[i - 2] === '#') && t[i - 3] === '[') open = i;
    }
    if (open >= 0) out = t.slice(0, open - 3).trimEnd();
  }
  return stripHeadingGlyph(out);
}
