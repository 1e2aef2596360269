/**
 * The one way a message is made to fit one line (check reasons and next steps, causes quoted from
 * a server, status bar items, converted step titles). `first-line` (the default) keeps the first
 * non-blank line, trimmed; `joined` joins every line, each run of whitespace made one space. Text
 * longer than `max` characters is cut with `…`, never between the two halves of a surrogate pair.
 */
export function oneLine(text: string | undefined, max = 240, how: 'first-line' | 'joined' = 'first-line'): string {
  const s = text ?? '';
  // (Runs of whitespace become one space; a text whose only whitespace is single spaces is kept as it is.)
  const t = how === 'joined' ? (/\s\s|[^\S ]/.test(s) ? s.replace(/\s+/g, ' ') : s).trim() : (s.split(/\r?\n/).find((l) => l.trim()) ?? '').trim();
  if (t.length <= max) return t;
  let end = Math.max(0, max - 1);
  const last = t.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // keep a surrogate pair whole
  return t.slice(0, end) + '…';
}
