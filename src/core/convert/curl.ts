/**
 * A `curl` command line → the HTTP request it sends, parsed with a real shell-word parser
 * (shell-quote), never by splitting on spaces. Variables (`$NAME`, `${NAME}`) and `<placeholder>`s
 * become marked references (see refs.ts) that the converter turns into runbook inputs.
 * Anything this cannot reproduce exactly (command substitution, `-F` forms, config files, several
 * commands on one line…) gives a reason instead, and the command stays a shell check.
 */
import { parse as shellParse } from 'shell-quote';
import type { Heredoc } from './shell';
import { BAD_REF, markPlaceholders, varRef } from './refs';

export interface CurlRequest {
  readonly method: string;
  /** The URL as curl would request it (references still marked). */
  readonly url: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string;
  /** `-u user:password` as written (references marked): becomes a Basic Authorization header. */
  readonly basicAuth?: string;
  /** `-k`: curl would skip certificate checks; the runbook never does. */
  readonly insecure: boolean;
  /** `-m` / `--max-time` and `--connect-timeout`, in seconds. */
  readonly maxTimeS?: number;
  readonly connectTimeoutS?: number;
  /** Things curl does that the check does not, one line each (shown as comments in the check). */
  readonly notes: readonly string[];
}

export type CurlParse = { readonly ok: true; readonly request: CurlRequest } | { readonly ok: false; readonly reason: string };

type Token = string | { op: string; pattern?: string } | { comment: string };

const WITH_VALUE = new Set([
  '-X', '--request', '-H', '--header', '-d', '--data', '--data-raw', '--data-binary', '--data-ascii', '--data-urlencode', '--json',
  '-u', '--user', '-A', '--user-agent', '-e', '--referer', '-b', '--cookie', '-o', '--output', '-w', '--write-out', '-m', '--max-time',
  '--connect-timeout', '--url', '-F', '--form', '--form-string', '-T', '--upload-file', '--retry', '--retry-delay', '--retry-max-time', '-c', '--cookie-jar',
  '-x', '--proxy', '--cacert', '--capath', '-E', '--cert', '--key', '-r', '--range', '-D', '--dump-header', '--resolve', '-K', '--config',
  '--oauth2-bearer', '-z', '--time-cond', '--limit-rate', '--max-redirs', '--connect-to', '--interface', '-Y', '--speed-limit', '-y', '--speed-time',
  '--stderr', '--trace', '--trace-ascii', '--noproxy', '-U', '--proxy-user', '--cert-type', '--key-type', '--pass', '--ciphers', '--variable', '--expand-url',
]);
/** Options whose effect this converter cannot reproduce: the command stays a shell check. */
const UNSUPPORTED = new Set(['-F', '--form', '--form-string', '-T', '--upload-file', '-K', '--config', '--resolve', '--connect-to', '-x', '--proxy', '-E', '--cert', '--key', '-n', '--netrc', '--variable', '--expand-url', '-U', '--proxy-user', '-r', '--range', '-z', '--time-cond', '--digest', '--ntlm', '--negotiate', '--unix-socket', '--abstract-unix-socket', '-0', '--http1.0', '--next', '-:', '--aws-sigv4']);
const SHORT_FLAGS = new Set('sSfLvikGIN#g46lOjJq'.split(''));
const SHORT_WITH_VALUE = new Set('XHduAebowmFTcxErDKzYyU'.split(''));

/** Pipes after curl that only reformat its output (the check shows the response itself). */
const OUTPUT_FILTERS = /^(?:jq|python3?|head|tail|grep|less|more|cat|tee|sed|awk|wc|sort)$/;

function isCurl(word: string): boolean {
  return word === 'curl' || word.endsWith('/curl');
}

/**
 * True when the command's first word is curl (after `sudo`/`command`/`env`-less prefixes): the
 * word (up to white space or the end) is `curl` or ends with `/curl`, as isCurl tests it. A test,
 * not an exec: it is asked of every command and checklist item, most of which are not curl.
 */
export function startsWithCurl(joined: string): boolean {
  return /^\s*(?:sudo\s+)?(?:\S*\/)?curl(?!\S)/.test(joined);
}

function asWord(t: Token): string | undefined {
  if (typeof t === 'string') return t;
  if ('op' in t && t.op === 'glob' && typeof t.pattern === 'string') return t.pattern;
  return undefined;
}

/**
 * Variables as marked references, handed to shell-quote as an environment object (a Proxy) rather
 * than a function: the words come out the same (every value is a string), and shell-quote skips
 * its pass for object values, which builds a regular expression per word.
 */
const VARIABLES: Record<string, string> = new Proxy({}, {
  get: (_, key) => (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key) ? varRef(key) : BAD_REF),
});

export function parseCurl(joined: string, heredocs: readonly Heredoc[] = []): CurlParse {
  let tokens: Token[];
  try {
    tokens = shellParse(markPlaceholders(joined), VARIABLES) as Token[];
  } catch (err) {
    return { ok: false, reason: `the command cannot be read as shell words (${err instanceof Error ? err.message : String(err)})` };
  }
  let i = 0;
  if (asWord(tokens[0]!) === 'sudo') i++;
  const first = tokens[i] === undefined ? undefined : asWord(tokens[i]!);
  if (!first || !isCurl(first)) return { ok: false, reason: 'not a curl command' };
  i++;
  const words: string[] = [];
  const notes: string[] = [];
  let heredocIndex = 0;
  let stdinBody: string | undefined;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    const w = asWord(t);
    if (w !== undefined) {
      words.push(w);
      continue;
    }
    if (typeof t === 'object' && 'comment' in t) break;
    const op = (t as { op: string }).op;
    if (op === '<<' || op === '<<-') {
      const h = heredocs[heredocIndex++];
      i++; // the delimiter word
      if (!h) return { ok: false, reason: 'a heredoc without a body' };
      stdinBody = h.quoted ? h.body : expandHeredoc(h.body);
      continue;
    }
    if (op === '>' || op === '>>' || op === '>&' || op === '2>') {
      i++;
      notes.push('the guide redirects curl\'s output to a file; the check keeps the response instead');
      continue;
    }
    if (op === '|') {
      const next = tokens[i + 1] === undefined ? undefined : asWord(tokens[i + 1]!);
      if (!next || !OUTPUT_FILTERS.test(next.replace(/^.*\//, ''))) return { ok: false, reason: `curl's output is piped into "${next ?? '?'}"` };
      // Skip the filter and its words; stop at anything that is not a further output filter.
      let j = i + 2;
      const filter: string[] = [next];
      for (; j < tokens.length; j++) {
        const tw = asWord(tokens[j]!);
        if (tw !== undefined) filter.push(tw);
        else break;
      }
      notes.push(`the guide pipes the response into: ${filter.join(' ').slice(0, 80)}`);
      i = j - 1;
      continue;
    }
    return { ok: false, reason: `more than one command on the line ("${op}")` };
  }
  for (const w of words) if (w.includes(BAD_REF)) return { ok: false, reason: 'the command uses shell expansions ($(…), $1, ${VAR:-…}) that only a shell can evaluate' };
  for (const w of words) if (w.includes('`')) return { ok: false, reason: 'the command uses backtick command substitution' };

  let method: string | undefined;
  let url: string | undefined;
  const headers: [string, string][] = [];
  const data: { kind: 'data' | 'raw' | 'binary' | 'urlencode' | 'json'; value: string }[] = [];
  let get = false;
  let head = false;
  let insecure = false;
  let basicAuth: string | undefined;
  let maxTimeS: number | undefined;
  let connectTimeoutS: number | undefined;
  let userAgent: string | undefined;

  const apply = (opt: string, value: string | undefined): string | undefined => {
    if (UNSUPPORTED.has(opt)) return `curl ${opt} is not something an http check can send`;
    switch (opt) {
      case '-X': case '--request': method = value!.toUpperCase(); break;
      case '-H': case '--header': {
        const colon = value!.indexOf(':');
        const semi = value!.indexOf(';');
        if (colon < 0 && semi === value!.length - 1) headers.push([value!.slice(0, -1).trim(), '']);
        else if (colon <= 0) return `header "${value}" is not "Name: value"`;
        else {
          const name = value!.slice(0, colon).trim();
          const v = value!.slice(colon + 1).trim();
          if (!v) notes.push(`the guide removes curl's own ${name} header`);
          else headers.push([name, v]);
        }
        break;
      }
      case '-d': case '--data': case '--data-ascii': data.push({ kind: 'data', value: value! }); break;
      case '--data-raw': data.push({ kind: 'raw', value: value! }); break;
      case '--data-binary': data.push({ kind: 'binary', value: value! }); break;
      case '--data-urlencode': data.push({ kind: 'urlencode', value: value! }); break;
      case '--json': data.push({ kind: 'json', value: value! }); break;
      case '-u': case '--user':
        if (!value!.includes(':')) return 'curl -u without a password asks for it interactively';
        basicAuth = value;
        break;
      case '-A': case '--user-agent': userAgent = value; break;
      case '-e': case '--referer': headers.push(['Referer', value!]); break;
      case '-b': case '--cookie':
        if (!value!.includes('=')) return 'curl -b reads cookies from a file';
        headers.push(['Cookie', value!]);
        break;
      case '--oauth2-bearer': headers.push(['Authorization', `Bearer ${value}`]); break;
      case '-m': case '--max-time': {
        const n = Number(value);
        if (Number.isFinite(n) && n > 0) maxTimeS = n;
        break;
      }
      case '--connect-timeout': {
        const n = Number(value);
        if (Number.isFinite(n) && n > 0) connectTimeoutS = n;
        break;
      }
      case '--url':
        if (url !== undefined) return 'more than one URL';
        url = value;
        break;
      case '-G': case '--get': get = true; break;
      case '-I': case '--head': head = true; break;
      case '-k': case '--insecure': insecure = true; break;
      case '-L': case '--location': notes.push('curl -L follows redirects; the check does not (a 3xx fails and names the Location)'); break;
      case '--compressed': notes.push('curl --compressed asks for a compressed response'); break;
      case '-o': case '--output': case '-O': case '--remote-name': notes.push('the guide saves the response to a file; the check keeps it instead'); break;
      default: break; // output and progress options (-s, -S, -f, -v, -i, -w …) change nothing on the wire
    }
    return undefined;
  };

  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    if (w.startsWith('--') && w.length > 2) {
      if (WITH_VALUE.has(w)) {
        const v = words[++k];
        if (v === undefined) return { ok: false, reason: `${w} needs a value` };
        const why = apply(w, v);
        if (why) return { ok: false, reason: why };
      } else {
        if (UNSUPPORTED.has(w)) return { ok: false, reason: `curl ${w} is not something an http check can send` };
        const why = apply(w, undefined);
        if (why) return { ok: false, reason: why };
      }
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      for (let c = 1; c < w.length; c++) {
        const ch = w[c]!;
        const opt = `-${ch}`;
        if (SHORT_WITH_VALUE.has(ch)) {
          let v = w.slice(c + 1);
          if (!v) {
            v = words[++k]!;
            if (v === undefined) return { ok: false, reason: `${opt} needs a value` };
          }
          const why = apply(opt, v);
          if (why) return { ok: false, reason: why };
          break;
        }
        if (UNSUPPORTED.has(opt)) return { ok: false, reason: `curl ${opt} is not something an http check can send` };
        if (!SHORT_FLAGS.has(ch)) return { ok: false, reason: `unknown curl option ${opt}` };
        const why = apply(opt, undefined);
        if (why) return { ok: false, reason: why };
      }
      continue;
    }
    if (url !== undefined) return { ok: false, reason: 'more than one URL' };
    url = w;
  }
  if (url === undefined) return { ok: false, reason: 'no URL' };
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('\uE000') && !url.startsWith('\uE003')) url = `http://${url}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^https?:\/\//i.test(url)) return { ok: false, reason: `only http and https URLs (${url.split(':')[0]})` };
  if (insecure) notes.push('curl -k skips certificate checks; the check always verifies certificates');

  // Body, as curl builds it.
  const parts: string[] = [];
  let json = false;
  for (const d of data) {
    let v = d.value;
    if ((d.kind === 'data' || d.kind === 'binary' || d.kind === 'json') && v.startsWith('@')) {
      const file = v.slice(1);
      if (file === '-' && stdinBody !== undefined) v = stdinBody;
      else {
        notes.push(`the guide sends the file ${file} as the body: paste its content below the headers`);
        v = '';
      }
      if (d.kind === 'data') v = v.replace(/[\r\n]/g, '');
    } else if (d.kind === 'urlencode') {
      v = urlencodeData(v);
    }
    if (d.kind === 'json') json = true;
    parts.push(v);
  }
  let body: string | undefined = data.length ? parts.join(json ? '' : '&') : undefined;
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name.toLowerCase());
  if (userAgent !== undefined && !has('user-agent')) headers.push(['User-Agent', userAgent]);
  if (get && body !== undefined) {
    url += (url.includes('?') ? '&' : '?') + body;
    body = undefined;
  } else if (body !== undefined) {
    if (json) {
      if (!has('content-type')) headers.push(['Content-Type', 'application/json']);
      if (!has('accept')) headers.push(['Accept', 'application/json']);
    } else if (!has('content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  const finalMethod = method ?? (head ? 'HEAD' : get ? 'GET' : body !== undefined ? 'POST' : 'GET');
  if (body !== undefined && body.trimEnd() !== body) notes.push('the body\'s trailing newline is not sent (a check body is trimmed)');
  // Fields in this order, the optional ones only when set (no spread objects). Lists are copies
  // without the spare room the pushes grew (the request is kept until rendering).
  const request: { -readonly [K in keyof CurlRequest]: CurlRequest[K] } = { method: finalMethod, url, headers: headers.slice() } as unknown as CurlRequest;
  if (body !== undefined) request.body = body;
  if (basicAuth !== undefined) request.basicAuth = basicAuth;
  request.insecure = insecure;
  if (maxTimeS !== undefined) request.maxTimeS = maxTimeS;
  if (connectTimeoutS !== undefined) request.connectTimeoutS = connectTimeoutS;
  request.notes = notes.length ? notes.slice() : [];
  return { ok: true, request };
}

/** An unquoted heredoc expands `$NAME` / `${NAME}` (the only expansions kept; others stay as text). */
function expandHeredoc(body: string): string {
  return markPlaceholders(body).replace(/\$\{([A-Za-z_][A-Za-z0-9_]{0,63})\}|\$([A-Za-z_][A-Za-z0-9_]{0,63})/g, (_, a: string | undefined, b: string | undefined) => varRef((a ?? b)!));
}

/** curl --data-urlencode: `name=value` encodes the value, `=value` and `value` encode all of it. */
function urlencodeData(v: string): string {
  const eq = v.indexOf('=');
  if (eq > 0) return `${v.slice(0, eq)}=${encodeKeepingRefs(v.slice(eq + 1))}`;
  return encodeKeepingRefs(eq === 0 ? v.slice(1) : v);
}

function encodeKeepingRefs(v: string): string {
  return v.split(/(\uE000[^\uE001]*\uE001|\uE003[^\uE001]*\uE001)/).map((p, i) => (i % 2 ? p : encodeURIComponent(p))).join('');
}
