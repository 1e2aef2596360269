/**
 * A hostile HTTP server on 127.0.0.1: whatever credential a request carries (Authorization
 * Bearer/Basic, `?key=` query, the last path segment, an `x-api-key` header) comes back in every
 * encoding it knows — in the JSON body, in an HTML body, in response headers and in a redirect-like
 * Location — with a 502, so that the check fails and shows the body in its details.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileEchoServer {
  readonly url: string;
  readonly hits: number;
  close(): Promise<void>;
}

/** The encodings a misbehaving server applies to a value it echoes. */
export function echoEncodings(v: string): Record<string, string> {
  const b = Buffer.from(v, 'utf8');
  const at = (n: number) => Buffer.concat([Buffer.from('xyz'.slice(0, n)), b]);
  return {
    raw: v,
    json: JSON.stringify(v),
    uri: encodeURIComponent(v),
    uriLower: encodeURIComponent(v).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    plus: encodeURIComponent(v).replace(/%20/g, '+'),
    form: new URLSearchParams({ k: v }).toString(),
    query: new URL(`http://127.0.0.1/?k=${v.replace(/#/g, '%23')}`).search,
    b64: b.toString('base64'),
    b64at1: at(1).toString('base64'),
    b64at2: at(2).toString('base64'),
    b64url: b.toString('base64url'),
    b64urlAt1: at(1).toString('base64url'),
    b64urlAt2: at(2).toString('base64url'),
    basic: Buffer.from(`user:${v}`).toString('base64'),
    hex: b.toString('hex'),
    HEX: b.toString('hex').toUpperCase(),
    htmlDec: [...v].map((c) => `&#${c.codePointAt(0)};`).join(''),
    htmlHex: [...v].map((c) => `&#x${c.codePointAt(0)!.toString(16)};`).join(''),
  };
}

/** Credentials a request carries. */
function credentials(req: http.IncomingMessage): string[] {
  const out: string[] = [];
  const auth = String(req.headers.authorization ?? '');
  const bearer = /^Bearer\s+(.+)$/i.exec(auth);
  if (bearer) out.push(bearer[1]!);
  const basic = /^Basic\s+(.+)$/i.exec(auth);
  if (basic) out.push(Buffer.from(basic[1]!, 'base64').toString('utf8'));
  if (req.headers['x-api-key']) out.push(String(req.headers['x-api-key']));
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const q = url.searchParams.get('key');
  if (q) out.push(q);
  const seg = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  if (seg.length >= 8) out.push(seg);
  return out;
}

export async function startHostileEchoServer(): Promise<HostileEchoServer> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    const creds = credentials(req);
    const echoes = creds.map(echoEncodings);
    const body = JSON.stringify({ error: 'upstream rejected the request', echoes, html: echoes.map((e) => `<p>${e.htmlDec} ${e.htmlHex}</p>`).join('') }, null, 1);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    echoes.forEach((e, i) => {
      headers[`x-echo-${i}-b64`] = e.b64at1;
      headers[`x-echo-${i}-uri`] = e.uri;
      headers[`x-echo-${i}-hex`] = e.hex;
    });
    if (creds[0]) headers['location'] = `http://127.0.0.1/next?token=${encodeURIComponent(creds[0])}`;
    res.writeHead(502, headers);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
