/**
 * The one leak assertion for every test: `assertNoSecret(text, secret)` fails when `text` holds
 * the secret in any form the product promises to mask (docs/security.md): raw, JSON-escaped,
 * percent-encoded (encodeURIComponent, `+` for space, form encoding, URL query/path, every byte,
 * upper- and lower-case hex digits), base64 and base64url at each byte alignment (so also HTTP
 * Basic `user:secret`), hex, HTML numeric entities and HTML-escaped text.
 *
 * The forms are computed here independently of the product's masker: base64 fragments, for
 * instance, are found by encoding the secret between all-zero and all-one bytes and keeping the
 * characters both encodings share, not by the masker's arithmetic.
 */
import assert from 'node:assert/strict';

export interface SecretForm {
  readonly name: string;
  readonly text: string;
}

const pct = (bytes: Iterable<number>) => [...bytes].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');

/** Encodes characters selected by `pick` as %XX of their UTF-8 bytes. */
function encodeSome(s: string, pick: (ch: string) => boolean): string {
  return [...s].map((ch) => (pick(ch) ? pct(Buffer.from(ch, 'utf8')) : ch)).join('');
}

/** The longest run of positions where two equally long strings agree. */
function longestAgreement(a: string, b: string): string {
  let best = '';
  let start = 0;
  for (let i = 0; i <= a.length; i++) {
    if (i === a.length || a[i] !== b[i]) {
      if (i - start > best.length) best = a.slice(start, i);
      start = i + 1;
    }
  }
  return best;
}

/** base64 characters that stay the same whatever bytes surround the secret at this alignment. */
function base64Core(secret: string, align: number, url: boolean): string {
  const enc = (fill: number) => {
    const b64 = Buffer.concat([Buffer.alloc(align, fill), Buffer.from(secret, 'utf8'), Buffer.alloc(3, fill)]).toString(url ? 'base64url' : 'base64');
    return b64;
  };
  return longestAgreement(enc(0x00), enc(0xff));
}

const cache = new Map<string, SecretForm[]>();

/** Every form of `secret` a leak check looks for. */
export function secretForms(secret: string): SecretForm[] {
  let forms = cache.get(secret);
  if (!forms) cache.set(secret, (forms = computeForms(secret)));
  return forms;
}

function computeForms(secret: string): SecretForm[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: SecretForm[] = [];
  const add = (name: string, text: string) => {
    if (text && !forms.some((f) => f.text === text)) forms.push({ name, text });
  };
  add('raw', secret);
  add('JSON-escaped', JSON.stringify(secret).slice(1, -1));
  add('JSON-escaped (ASCII)', [...JSON.stringify(secret).slice(1, -1)].map((c) => (c.charCodeAt(0) > 0x7e ? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0') : c)).join(''));
  for (const [name, t] of [
    ['encodeURIComponent', encodeURIComponent(secret)],
    ['percent (+ for space)', encodeURIComponent(secret).replace(/%20/g, '+')],
    ['form-encoded', new URLSearchParams({ q: secret }).toString().slice(2)],
    ['every byte percent-encoded', pct(bytes)],
    ['RFC 3986 strict', encodeSome(secret, (c) => !/^[A-Za-z0-9_.~-]$/.test(c))],
    ['RFC 3986 strict (+ for space)', encodeSome(secret, (c) => !/^[A-Za-z0-9_.~-]$/.test(c)).replace(/%20/g, '+')],
    ['URL query', encodeSome(secret, (c) => c <= ' ' || c > '~' || '"#<>\''.includes(c))],
    ['URL path', encodeSome(secret, (c) => c <= ' ' || c > '~' || '"#<>?`{}'.includes(c))],
  ] as const) {
    add(name, t);
    add(`${name} (lower-case hex)`, t.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  }
  for (const align of [0, 1, 2]) {
    add(`base64 at byte ${align}`, base64Core(secret, align, false));
    add(`base64url at byte ${align}`, base64Core(secret, align, true));
  }
  add('HTTP Basic user:secret (base64)', base64Core(`user:${secret}`, 0, false).slice(7));
  add('hex', bytes.toString('hex'));
  add('HEX', bytes.toString('hex').toUpperCase());
  const cps = [...secret].map((c) => c.codePointAt(0)!);
  add('HTML decimal entities', cps.map((c) => `&#${c};`).join(''));
  add('HTML hex entities', cps.map((c) => `&#x${c.toString(16)};`).join(''));
  add('HTML hex entities (upper)', cps.map((c) => `&#x${c.toString(16).toUpperCase()};`).join(''));
  add('HTML-escaped', secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
  return forms;
}

/** Fails when `text` contains `secret` in any form of `secretForms`. */
export function assertNoSecret(text: string, secret: string, where = 'the text'): void {
  for (const f of secretForms(secret)) {
    const at = text.indexOf(f.text);
    if (at !== -1) {
      assert.fail(`${where} contains the secret (${f.name}) at ${at}: …${text.slice(Math.max(0, at - 40), at)}[secret]…`);
    }
  }
}

/** True when `text` contains none of the secret's forms (for counting cases). */
export function holdsNoSecret(text: string, secret: string): boolean {
  return secretForms(secret).every((f) => !text.includes(f.text));
}
