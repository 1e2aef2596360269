/**
 * JSON from an untrusted peer (an HTTP response, a check's stdout), parsed only when its nesting
 * is shallow enough for everything downstream (conditions, pretty printing, masking) to walk it.
 * The depth scan is one linear pass before JSON.parse; a document nested deeper than
 * MAX_JSON_DEPTH fails with "response JSON nested too deeply", never with a stack overflow.
 */

/** Deepest nesting of arrays/objects accepted. */
export const MAX_JSON_DEPTH = 512;

export class JsonTooDeepError extends Error {
  constructor(readonly limit: number, what = 'response') {
    super(`${what} JSON nested too deeply (more than ${limit} levels of arrays/objects)`);
  }
}

/** The deepest array/object nesting in `text`, or `limit + 1` as soon as it exceeds `limit`. Strings are skipped. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return max;
}

/** JSON.parse after the depth scan; throws JsonTooDeepError, or JSON.parse's SyntaxError. */
export function parseJsonBounded(text: string, options: { limit?: number; what?: string } = {}): unknown {
  const limit = options.limit ?? MAX_JSON_DEPTH;
  if (jsonDepth(text, limit) > limit) throw new JsonTooDeepError(limit, options.what);
  return JSON.parse(text) as unknown;
}
