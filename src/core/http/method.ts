/**
 * What an http check does, read from its body without running it: its method, whether it only
 * reads (may share a parallel group) and whether it is destructive (a DELETE). The http kind
 * answers the registry's questions with these (isDestructive / isParallelSafe).
 */

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The HTTP method of an http check body (a bare URL is GET), or undefined if none is found. */
export function httpMethodOf(body: string): string | undefined {
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('//')) continue;
    // Conditions may come before the request line (the kind removes them wherever they are).
    if (line.startsWith('??')) continue;
    const m = /^([A-Za-z]+)\s+\S/.exec(line);
    if (m && /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/i.test(m[1]!)) return m[1]!.toUpperCase();
    return 'GET';
  }
  return undefined;
}

/** A DELETE is destructive: left out of run-all, never retried, sent only after a typed confirmation. */
export function isDestructiveHttp(body: string): boolean {
  return httpMethodOf(body) === 'DELETE';
}

/** GET/HEAD/OPTIONS only read; so does POST /v1/recall in Engramia terms (it only bumps scores). */
export function isReadOnlyHttp(body: string): boolean {
  const method = httpMethodOf(body);
  if (method && READ_METHODS.has(method)) return true;
  return method === 'POST' && /\/v1\/recall\b/.test(body);
}
