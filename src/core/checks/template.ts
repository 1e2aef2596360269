/**
 * `{{name}}` substitution for check bodies that are not run by a shell (HTTP requests, manual
 * instructions). Process kinds never paste inputs into their text: they pass them as environment
 * variables named by `envName` (see `processInputServices` in core/plan/inputs.ts).
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

export class MissingInputError extends Error {
  constructor(readonly names: readonly string[]) {
    super(`missing input${names.length > 1 ? 's' : ''}: ${names.join(', ')}`);
  }
}

/** Names of the inputs a text refers to, in order of first use. */
export function placeholders(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) seen.add(m[1]!);
  return [...seen];
}

/** Replaces `{{name}}` with the input's value; throws MissingInputError naming every missing input. */
export function substitute(text: string, inputs: Readonly<Record<string, string>>, encode: (v: string) => string = (v) => v): string {
  const missing = placeholders(text).filter((n) => inputs[n] === undefined);
  if (missing.length) throw new MissingInputError(missing);
  return text.replace(PLACEHOLDER, (_, name: string) => encode(inputs[name]!));
}

/** `baseUrl` → `BASE_URL`, `api-key` → `API_KEY`. */
export function envName(inputName: string): string {
  return inputName
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}
