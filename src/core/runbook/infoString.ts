/**
 * Fence info strings: `<kind> {attributes}`. Attributes are written either as a JSON object
 * (`http {"id":"health","timeout":"5s"}`) or Runme-style key=value pairs
 * (`http { id=health timeout=5s title="two words" }`). The style is kept when attributes are
 * rewritten, so that an edit does not reformat the author's fence line.
 */

export type AttributeStyle = 'json' | 'keyValue' | 'none';

export interface InfoString {
  /** First word, lowercased ("" when the info string is empty or starts with "{"). */
  readonly kind: string;
  /** The first word as written (case kept). */
  readonly word: string;
  readonly attributes: Record<string, string>;
  readonly style: AttributeStyle;
  /** One line describing malformed attributes; the kind is still known. */
  readonly error?: string;
}

const KEY = /[A-Za-z_][\w.-]*/y;

/** The info string's first word, lowercased (cheap: no attribute parsing). */
export function infoKind(info: string): string {
  let i = 0;
  while (i < info.length && (info.charCodeAt(i) === 32 || info.charCodeAt(i) === 9)) i++;
  let j = i;
  while (j < info.length) {
    const c = info.charCodeAt(j);
    if (c === 32 || c === 9 || c === 123 /* { */ || c === 10 || c === 13) break;
    j++;
  }
  return info.slice(i, j).toLowerCase();
}

export function parseInfoString(info: string): InfoString {
  const text = info.trim();
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 123 /* { */ || c === 10 || c === 13) break;
    i++;
  }
  const word = text.slice(0, i);
  const kind = word.toLowerCase();
  const rest = text.slice(i).trim();
  if (!rest) return { kind, word, attributes: {}, style: 'none' };
  if (!rest.startsWith('{')) {
    return rest.includes('=')
      ? { kind, word, attributes: {}, style: 'none', error: `attributes must be written inside { } after "${word}", e.g. ${word} { id=my-check }` }
      : { kind, word, attributes: {}, style: 'none' };
  }
  let k = 1;
  while (k < rest.length && isSpace(rest.charCodeAt(k))) k++;
  if (rest.charCodeAt(k) === 34 /* " */) return parseJson(kind, word, rest);
  return parseKeyValue(kind, word, rest);
}

function parseJson(kind: string, word: string, rest: string): InfoString {
  const simple = simpleJsonObject(rest);
  if (simple) return { kind, word, attributes: simple, style: 'json' };
  let data: unknown;
  try {
    data = JSON.parse(rest);
  } catch (err) {
    return { kind, word, attributes: {}, style: 'json', error: `attributes are not valid JSON: ${(err as Error).message.split('\n')[0]}` };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return { kind, word, attributes: {}, style: 'json', error: 'attributes must be a JSON object' };
  }
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    attributes[k] = typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return { kind, word, attributes, style: 'json' };
}

/** JSON's whitespace. */
function skipJsonSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else return i;
  }
}

/** The end of a JSON string's characters from `i` (at the closing quote), or -1 when it has an escape, a control character or no end. */
function plainJsonStringEnd(text: string, i: number): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) return i;
    if (c === 92 || c < 32) return -1;
  }
  return -1;
}

/**
 * The attributes of a JSON object whose keys and values are all strings without escapes
 * (`{"id":"x","timeout":"5s"}`), read without JSON.parse, as parseJson would give them
 * (assigned in order: a repeated key keeps its last value); undefined for any other text.
 */
function simpleJsonObject(rest: string): Record<string, string> | undefined {
  const attributes: Record<string, string> = {};
  let i = skipJsonSpace(rest, 1);
  if (rest.charCodeAt(i) === 125 /* } */) return skipJsonSpace(rest, i + 1) === rest.length ? attributes : undefined;
  for (;;) {
    if (rest.charCodeAt(i) !== 34) return undefined;
    const keyEnd = plainJsonStringEnd(rest, i + 1);
    if (keyEnd < 0) return undefined;
    const key = rest.slice(i + 1, keyEnd);
    i = skipJsonSpace(rest, keyEnd + 1);
    if (rest.charCodeAt(i) !== 58 /* : */) return undefined;
    i = skipJsonSpace(rest, i + 1);
    if (rest.charCodeAt(i) !== 34) return undefined;
    const valueEnd = plainJsonStringEnd(rest, i + 1);
    if (valueEnd < 0) return undefined;
    attributes[key] = rest.slice(i + 1, valueEnd);
    i = skipJsonSpace(rest, valueEnd + 1);
    const c = rest.charCodeAt(i);
    if (c === 44 /* , */) i = skipJsonSpace(rest, i + 1);
    else if (c === 125) return skipJsonSpace(rest, i + 1) === rest.length ? attributes : undefined;
    else return undefined;
  }
}

function parseKeyValue(kind: string, word: string, rest: string): InfoString {
  const attributes: Record<string, string> = {};
  const fail = (why: string): InfoString => ({ kind, word, attributes, style: 'keyValue', error: `malformed attributes: ${why}` });
  let i = 1;
  const n = rest.length;
  const skip = () => {
    while (i < n && isSpace(rest.charCodeAt(i))) i++;
  };
  for (;;) {
    skip();
    if (i >= n) return fail('missing closing "}"');
    if (rest[i] === '}') {
      i++;
      skip();
      if (i < n) return fail(`unexpected text after "}": ${rest.slice(i)}`);
      return { kind, word, attributes, style: 'keyValue' };
    }
    if (rest[i] === ',') {
      i++;
      continue;
    }
    KEY.lastIndex = i;
    const m = KEY.exec(rest);
    if (!m) return fail(`expected key=value, found "${rest.slice(i, i + 12)}"`);
    const key = m[0];
    i += key.length;
    skip();
    if (rest[i] !== '=') {
      attributes[key] = '';
      continue;
    }
    i++;
    skip();
    if (rest[i] === '"' || rest[i] === "'") {
      const q = rest[i++];
      let value = '';
      let closed = false;
      while (i < n) {
        const c = rest[i++];
        if (c === '\\' && i < n) value += rest[i++];
        else if (c === q) {
          closed = true;
          break;
        } else value += c;
      }
      if (!closed) return fail(`unterminated quoted value for "${key}"`);
      attributes[key] = value;
    } else {
      const start = i;
      while (i < n && rest.charCodeAt(i) !== 125 /* } */ && !isSpace(rest.charCodeAt(i))) i++;
      attributes[key] = rest.slice(start, i);
    }
  }
}

/** What `\s` matches in a JavaScript regular expression, by character code. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function quoteIfNeeded(value: string): string {
  return value === '' || /[\s"'}{=\\,]/.test(value) ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : value;
}

/** Attributes alone, in the given style: `{"id":"x"}` or `{ id=x }`; "" when there are none. */
export function formatAttributes(attributes: Readonly<Record<string, string>>, style: AttributeStyle): string {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return '';
  if (style === 'json') return JSON.stringify(Object.fromEntries(entries));
  return `{ ${entries.map(([k, v]) => `${k}=${quoteIfNeeded(v)}`).join(' ')} }`;
}

/** A whole info string: `http { id=x }`; style "none" with attributes falls back to key=value. */
export function formatInfoString(kind: string, attributes: Readonly<Record<string, string>>, style: AttributeStyle): string {
  const attrs = formatAttributes(attributes, style === 'none' ? 'keyValue' : style);
  return attrs ? (kind ? `${kind} ${attrs}` : attrs) : kind;
}

export function sameAttributes(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || a[k] !== b[k]) return false;
  return true;
}
