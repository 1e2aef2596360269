/**
 * Secret masking: the one function every sink uses. Every text that leaves a check (streamed
 * output, reasons, details, `--json`, JUnit, evidence, report, logs) is passed through a Masker
 * built from the secret values in play, before it is escaped or serialised.
 *
 * A server or a script may print a secret in another form than it was given, so each secret is
 * masked in every form `secretForms` lists: raw; JSON-string-escaped; percent-encoded
 * (encodeURIComponent, form encoding with `+`, WHATWG URL query and path, every byte), `%xx` in
 * upper and lower case; base64 and base64url of the secret at each of the three byte alignments
 * inside a longer stream (which also covers HTTP Basic `user:secret`); hex; HTML numeric entities
 * (decimal and hex) and HTML-escaped text. Overlapping matches are masked as one.
 *
 * Secrets shorter than MIN_SECRET_LENGTH are refused where they are entered (`secretProblem`).
 */
export const MASK = '••••••';

/** Shortest value accepted as a secret: shorter ones cannot be masked without masking noise. */
export const MIN_SECRET_LENGTH = 8;

/**
 * Shortest value a Masker masks at all. Values of 4–7 characters only reach a Masker when a
 * caller skipped `secretProblem`; they are masked raw and in their exact encodings (no base64
 * fragments, which would be too short to be distinctive), so a missed check still leaks nothing.
 */
const MIN_MASKED_LENGTH = 4;

/** Why `value` cannot be a secret (one line), or undefined when it can. */
export function secretProblem(value: string, name?: string): string | undefined {
  const who = name ? `the secret ${name}` : 'the value';
  if (value.length < MIN_SECRET_LENGTH) {
    return `${who} is ${value.length} character${value.length === 1 ? '' : 's'} long; secrets must have at least ${MIN_SECRET_LENGTH} characters, so that every form of them can be masked`;
  }
  return undefined;
}

/** Names of environment variables that hold secrets by convention (masked even when undeclared). */
export function isSecretEnvName(name: string): boolean {
  return /^ENGRAMIA_API_KEY$/i.test(name) || /_(TOKEN|SECRET|PASSWORD|KEY)$/i.test(name);
}

/**
 * Values of the environment to mask although no input declares them: the variables named by the
 * runbook's secret inputs, and every `ENGRAMIA_API_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD` and
 * `*_KEY`. Values shorter than MIN_SECRET_LENGTH are left out: they are not refused (the user did
 * not offer them as secrets) but masking "1" or "true" would blank out ordinary output.
 */
export function environmentSecrets(
  env: Readonly<Record<string, string | undefined>>,
  secretEnvNames: Iterable<string> = [],
): string[] {
  const names = new Set(secretEnvNames);
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    if (names.has(name) || isSecretEnvName(name)) out.add(value);
  }
  return [...out];
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0');

/** Percent-encodes the characters `encode` selects (as UTF-8 bytes, `%XX` upper case). */
function percentEncode(s: string, encode: (ch: string) => boolean): string {
  let out = '';
  for (const ch of s) {
    if (!encode(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + hex2(b).toUpperCase();
  }
  return out;
}

const lowerPercent = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

/**
 * The base64 characters of `bytes` that do not depend on the bytes around it, when it starts at
 * byte offset `align` (0, 1, 2) of a longer stream: the ones whose 6 bits all come from `bytes`.
 */
function stableBase64(bytes: Buffer, align: 0 | 1 | 2): string {
  const padded = Buffer.concat([Buffer.alloc(align), bytes]);
  const b64 = padded.toString('base64');
  const start = Math.ceil((8 * align) / 6);
  const end = Math.floor((8 * (align + bytes.length)) / 6);
  return end > start ? b64.slice(start, end) : '';
}

const toBase64Url = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_');

/** Every form of `secret` a Masker looks for (the secret itself first). */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const add = (f: string | undefined) => {
    if (f && f.length >= Math.min(secret.length, MIN_MASKED_LENGTH)) forms.add(f);
  };
  const addPercent = (f: string | undefined) => {
    if (!f) return;
    add(f);
    add(lowerPercent(f));
  };
  const bytes = Buffer.from(secret, 'utf8');

  // JSON string escaping (JSON.stringify; ASCII-only escaping as Python's json.dumps; `\/`).
  const json = JSON.stringify(secret).slice(1, -1);
  add(json);
  add(json.replace(/\//g, '\\/'));
  add(json.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')));
  add(json.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()));

  // Percent-encoding: encodeURIComponent, `+` for space, form encoding, WHATWG URL query and path,
  // every byte; each with upper- and lower-case hex digits.
  const uri = encodeURIComponent(secret);
  addPercent(uri);
  addPercent(uri.replace(/%20/g, '+'));
  addPercent(new URLSearchParams([['q', secret]]).toString().slice(2));
  addPercent(percentEncode(secret, (ch) => ch.codePointAt(0)! > 0x7e || ch.codePointAt(0)! < 0x21 || '"#<>\''.includes(ch)));
  addPercent(percentEncode(secret, (ch) => ch.codePointAt(0)! > 0x7e || ch.codePointAt(0)! < 0x21 || '"#<>?`{}'.includes(ch)));
  addPercent(percentEncode(secret, (ch) => ch.codePointAt(0)! > 0x7e || ch.codePointAt(0)! < 0x21 || '"#<>?`{}/%'.includes(ch)));
  addPercent([...bytes].map((b) => '%' + hex2(b).toUpperCase()).join(''));
  // RFC 3986 strict (Python's quote(safe=''), PHP rawurlencode, Go's QueryEscape with `+`), and
  // with `/` kept (Python's quote default).
  const strict = percentEncode(secret, (ch) => !/^[A-Za-z0-9_.~-]$/.test(ch));
  addPercent(strict);
  addPercent(strict.replace(/%20/g, '+'));
  addPercent(percentEncode(secret, (ch) => !/^[A-Za-z0-9_.~/-]$/.test(ch)));
  try {
    // What a URL parser makes of the secret pasted into a query or a path segment.
    if (!/[#?/\\]/.test(secret)) {
      addPercent(new URL(`http://h/p/${secret}`).pathname.slice(3));
      addPercent(new URL(`http://h/?q=${secret}`).search.slice(3));
    } else if (!secret.includes('#')) addPercent(new URL(`http://h/?q=${secret}`).search.slice(3));
  } catch {
    /* not representable in a URL */
  }

  if (secret.length >= MIN_SECRET_LENGTH) {
    // base64 / base64url at each byte alignment: also `user:secret` (HTTP Basic) and any prefix.
    for (const align of [0, 1, 2] as const) {
      const b64 = stableBase64(bytes, align);
      add(b64);
      add(toBase64Url(b64));
    }
  } else {
    const b64 = bytes.toString('base64');
    add(b64);
    add(b64.replace(/=+$/, ''));
    add(toBase64Url(b64).replace(/=+$/, ''));
  }

  // Hex of the UTF-8 bytes.
  add(bytes.toString('hex'));
  add(bytes.toString('hex').toUpperCase());

  // HTML: numeric entities for every character (decimal, hex in both cases), and escaped text.
  const cps = [...secret].map((c) => c.codePointAt(0)!);
  add(cps.map((c) => `&#${c};`).join(''));
  add(cps.map((c) => `&#x${c.toString(16)};`).join(''));
  add(cps.map((c) => `&#x${c.toString(16).toUpperCase()};`).join(''));
  if (/[&<>"']/.test(secret)) {
    const base = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    for (const apos of ["'", '&#39;', '&#x27;', '&apos;']) add(base.replace(/'/g, apos));
  }
  return [...forms];
}

/** Half-open character ranges [start, end) of `text` covered by any needle; overlaps merged. */
function coveredRanges(text: string, needles: readonly string[]): [number, number][] {
  const hits: [number, number][] = [];
  for (const n of needles) {
    for (let i = text.indexOf(n); i !== -1; i = text.indexOf(n, i + 1)) hits.push([i, i + n.length]);
  }
  if (hits.length < 2) return hits;
  hits.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [hits[0]!];
  for (let k = 1; k < hits.length; k++) {
    const last = merged[merged.length - 1]!;
    const h = hits[k]!;
    if (h[0] < last[1]) last[1] = Math.max(last[1], h[1]);
    else merged.push(h);
  }
  return merged;
}

function render(text: string, ranges: readonly [number, number][], upTo = text.length): string {
  let out = '';
  let at = 0;
  for (const [s, e] of ranges) {
    if (s >= upTo) break;
    out += text.slice(at, s) + MASK;
    at = e;
  }
  return out + text.slice(at, upTo);
}

export class Masker {
  private readonly needles: string[];
  /** Characters a stream must hold back so that no form is split across two chunks. */
  readonly holdBack: number;
  /** True when some form contains a line break (then a complete line is no safe cut). */
  private readonly multiLine: boolean;

  constructor(secrets: Iterable<string | undefined>) {
    const set = new Set<string>();
    for (const s of secrets) {
      if (!s || s.length < MIN_MASKED_LENGTH) continue;
      for (const f of secretForms(s)) set.add(f);
    }
    this.needles = [...set].sort((a, b) => b.length - a.length);
    this.holdBack = Math.max(0, (this.needles[0]?.length ?? 0) - 1);
    this.multiLine = this.needles.some((n) => /[\r\n]/.test(n));
  }

  get empty(): boolean {
    return this.needles.length === 0;
  }

  mask(text: string): string {
    if (!text || this.needles.length === 0) return text;
    const ranges = coveredRanges(text, this.needles);
    return ranges.length ? render(text, ranges) : text;
  }

  /** Masks every string inside a JSON-like value (keys included). */
  maskDeep<T>(value: T): T {
    if (typeof value === 'string') return this.mask(value) as unknown as T;
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v)) as unknown as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[this.mask(k)] = this.maskDeep(v);
      return out as T;
    }
    return value;
  }

  /** A masker for one output stream whose chunks may split a secret (see StreamMasker). */
  stream(): StreamMasker {
    return new StreamMasker(this);
  }

  /**
   * The part of `buffer` that can be emitted now, masked, and the rest to keep: everything but the
   * last `holdBack` characters (or up to the last line break, when no form spans lines), never
   * cutting through a masked range. Internal to StreamMasker.
   */
  split(buffer: string, final: boolean): { emit: string; keep: string } {
    if (this.needles.length === 0 || final) return { emit: this.mask(buffer), keep: '' };
    const ranges = coveredRanges(buffer, this.needles);
    let cut = buffer.length - this.holdBack;
    if (!this.multiLine) cut = Math.max(cut, buffer.lastIndexOf('\n') + 1);
    // Never emit half of a masked range: keep the whole range for the next round.
    for (const [s, e] of ranges) if (s < cut && cut < e) cut = s;
    // A run of overlapping forms longer than this is emitted anyway (bounded memory).
    if (cut <= 0 && buffer.length > 1024 * 1024) return { emit: this.mask(buffer), keep: '' };
    if (cut <= 0) return { emit: '', keep: buffer };
    return { emit: render(buffer, ranges, cut), keep: buffer.slice(cut) };
  }
}

/**
 * Masks a stream of chunks so that a secret split across chunks is masked too: it holds back the
 * tail that could still be the start of a secret form (at most the longest form minus one
 * character; complete lines are not held when no form spans lines) until the next chunk or `end`.
 */
export class StreamMasker {
  private buffer = '';

  constructor(private readonly masker: Masker) {}

  /** Masked text that can be shown now ('' when everything is held back). */
  push(text: string): string {
    if (!text) return '';
    const { emit, keep } = this.masker.split(this.buffer + text, false);
    this.buffer = keep;
    return emit;
  }

  /** The masked rest; call once when the stream ends. */
  end(): string {
    const { emit } = this.masker.split(this.buffer, true);
    this.buffer = '';
    return emit;
  }
}
