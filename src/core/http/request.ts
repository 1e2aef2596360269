/**
 * Parsing an `http` check body (like a `.http` file): request line, headers, blank line, body.
 * Conditions (`??` lines) are removed before this runs (parseConditions → rest).
 */
import { substitute } from '../checks/template';

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type Method = (typeof METHODS)[number];

export interface HttpRequestSpec {
  readonly method: Method;
  readonly url: URL;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string;
}

export class RequestSyntaxError extends Error {}

/** A request as written: placeholders still in place. */
export interface RawRequest {
  readonly method: Method;
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string;
}

/** Splits the template (placeholders still in place); throws RequestSyntaxError. */
export function parseRequestTemplate(text: string): RawRequest {
  const lines = text.split(/\r?\n/);
  let i = 0;
  while (i < lines.length && (!lines[i]!.trim() || /^\s*(#|\/\/)/.test(lines[i]!))) i++;
  if (i >= lines.length) throw new RequestSyntaxError('no request line: write e.g. "GET {{baseUrl}}/v1/health"');
  const requestLine = lines[i]!.trim();
  const m = /^(?:([A-Za-z]+)\s+)?(\S+)(?:\s+HTTP\/[\d.]+)?$/.exec(requestLine);
  if (!m) throw new RequestSyntaxError(`invalid request line "${requestLine}": write "METHOD URL"`);
  const method = (m[1] ?? 'GET').toUpperCase();
  if (!(METHODS as readonly string[]).includes(method)) throw new RequestSyntaxError(`unknown method "${m[1]}" (use ${METHODS.join(', ')})`);
  i++;
  const headers: [string, string][] = [];
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      break;
    }
    if (/^\s*(#|\/\/)/.test(line)) continue;
    const h = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!h) throw new RequestSyntaxError(`invalid header line "${line.trim()}": write "Name: value", then a blank line before the body`);
    headers.push([h[1]!, h[2]!.trim()]);
  }
  const body = lines.slice(i).join('\n').trim();
  return { method: method as Method, target: m[2]!, headers, ...(body ? { body } : {}) };
}

/** JSON-string escaping for values pasted into a JSON body (`"{{task}}"` stays valid JSON). */
function jsonEscape(v: string): string {
  return JSON.stringify(v).slice(1, -1);
}

/**
 * Substitutes inputs (query values URL-encoded, JSON bodies JSON-escaped) and validates the URL.
 * Throws MissingInputError or RequestSyntaxError.
 */
export function buildRequest(text: string, inputs: Readonly<Record<string, string>>): HttpRequestSpec {
  return instantiateRequest(parseRequestTemplate(text), inputs);
}

/** buildRequest for a template parsed already (parseRequestTemplate). */
export function instantiateRequest(raw: RawRequest, inputs: Readonly<Record<string, string>>): HttpRequestSpec {
  const q = raw.target.indexOf('?');
  const target = q < 0 ? substitute(raw.target, inputs) : substitute(raw.target.slice(0, q), inputs) + '?' + substitute(raw.target.slice(q + 1), inputs, encodeURIComponent);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new RequestSyntaxError(`invalid URL "${target}" (it must start with http:// or https://; is the baseUrl input set?)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RequestSyntaxError(`unsupported URL scheme "${url.protocol}" (use http or https)`);
  const headers = raw.headers.map(([n, v]) => [n, substitute(v, inputs)] as const);
  for (const [n, v] of headers) if (/[\r\n]/.test(v)) throw new RequestSyntaxError(`header ${n} contains a line break (check the input's value)`);
  let body: string | undefined;
  if (raw.body !== undefined) {
    const isJson = /^[[{]/.test(raw.body) || headers.some(([n, v]) => n.toLowerCase() === 'content-type' && /json/i.test(v));
    body = substitute(raw.body, inputs, isJson ? jsonEscape : undefined);
  }
  return { method: raw.method, url, headers, ...(body !== undefined ? { body } : {}) };
}

/** Headers whose values are credentials: always masked in what we show. */
export const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'cookie', 'set-cookie', 'x-auth-token']);

/** The secret parts of a request's headers: the whole value and, for `Bearer x`, the token `x`. */
export function headerSecrets(headers: readonly (readonly [string, string])[]): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) {
    if (!SENSITIVE_HEADERS.has(n.toLowerCase()) || !v) continue;
    out.push(v); // the whole value too: a server may echo it base64-encoded
    const token = /^\s*\S+\s+(\S.*)$/.exec(v)?.[1];
    if (token) out.push(token.trim());
  }
  return out;
}

/** `Authorization: Bearer ••••••` (scheme kept, credential hidden). */
export function maskHeaderValue(name: string, value: string, mask: string): string {
  if (!SENSITIVE_HEADERS.has(name.toLowerCase())) return value;
  const m = /^(\s*(?:Bearer|Basic|Token|ApiKey|Digest)\s+)\S/i.exec(value);
  return m ? m[1] + mask : mask;
}
