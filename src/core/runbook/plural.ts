/**
 * Counted words for messages, one helper for all: "1 check", "2 checks", "0 checks", "1 fix", "3 fixes": the count and the word in the form the
 * count needs. `pluralForm` for words that do not take -s/-es.
 */
export function plural(n: number, word: string, pluralForm?: string): string {
  return `${n} ${n === 1 ? word : pluralForm ?? pluralOf(word)}`;
}

function pluralOf(word: string): string {
  if (/(?:s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}
