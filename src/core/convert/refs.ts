/**
 * Marked references inside converted text: shell variables (`$NAME`, `${NAME}`) and guide
 * placeholders (`<sample-user-prompt>`) are replaced by private-use markers while a command is
 * parsed, so that quoting cannot confuse them with literal text; the converter later turns each
 * marker into a `{{input}}` (http bodies) or keeps `$NAME` (shell bodies). The markers' characters
 * are removed from every guide before conversion, so a guide cannot forge one.
 */

const VAR_OPEN = '\uE000';
const PLACEHOLDER_OPEN = '\uE003';
const CLOSE = '\uE001';
/** A shell expansion only a shell can evaluate ($(…), $1, ${VAR:-x}). */
export const BAD_REF = '\uE002';

export function varRef(name: string): string {
  return `${VAR_OPEN}${name}${CLOSE}`;
}

export function placeholderRef(text: string): string {
  return `${PLACEHOLDER_OPEN}${text}${CLOSE}`;
}

/** Removes the marker characters from guide text. */
export function sanitize(text: string): string {
  return /[\uE000-\uE007]/.test(text) ? text.replace(/[\uE000-\uE007]/g, '') : text;
}

/** `<words like-this>` placeholders (not `<<`, not `< file`), bounded in length. */
const PLACEHOLDER = /(?<![<\w])<([A-Za-z][\w %.:-]{0,60})>(?!>)/g;

export function markPlaceholders(text: string): string {
  return text.indexOf('<') < 0 ? text : text.replace(PLACEHOLDER, (_, inner: string) => placeholderRef(inner));
}

export type Ref = { readonly type: 'var' | 'placeholder'; readonly text: string };

const REF = /\uE000([^\uE001]{0,80})\uE001|\uE003([^\uE001]{0,80})\uE001/g;

/** The references in a marked string, in order. */
export function refsIn(text: string): Ref[] {
  const out: Ref[] = [];
  if (!/[\uE000\uE003]/.test(text)) return out;
  for (const m of text.matchAll(REF)) out.push(m[1] !== undefined ? { type: 'var', text: m[1] } : { type: 'placeholder', text: m[2]! });
  return out;
}

/** Replaces every reference with `render(ref)`. */
export function replaceRefs(text: string, render: (ref: Ref) => string): string {
  if (!/[\uE000\uE003]/.test(text)) return text;
  return text.replace(REF, (_, v: string | undefined, p: string | undefined) => render(v !== undefined ? { type: 'var', text: v } : { type: 'placeholder', text: p! }));
}

export function hasRefs(text: string): boolean {
  return /[\uE000\uE003]/.test(text);
}
