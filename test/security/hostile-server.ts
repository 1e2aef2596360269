/**
 * A hostile HTTP server on 127.0.0.1 (random port) for the adversarial suite: endless and huge
 * bodies, a gzip bomb, deeply nested JSON, HTML built to make regexes backtrack, redirects to a
 * second server, and bodies made for catastrophic `matches` patterns. It counts the bytes it
 * managed to send, so tests can assert that the client stopped reading at its cap.
 *
 *   GET /endless             200 application/json, chunks of "aaaa…" forever (until the client closes)
 *   GET /huge                200, Content-Length 64 MiB, sent in full if the client keeps reading
 *   GET /gzip-bomb           200, Content-Encoding: gzip, 64 MiB of zeros compressed (~64 KiB on the wire)
 *   GET /deep-json?n=N       200 application/json, N nested arrays ([[[…]]]), default 1 000 000
 *   GET /deep-object?n=N     200 application/json, N nested objects ({"a":{"a":…}})
 *   GET /html-bomb           500 text/html, "<title>" repeated to 2 MiB (no closing tag)
 *   GET /tags-bomb           500, "<a" repeated to 2 MiB (a tag that never closes)
 *   GET /catastrophic?n=N    200 text/plain, "a" × N then "!" (default 1 000 000): for (a+)+$
 *   GET /redirect?to=URL     302 Location: URL
 *   anything else            200 {"ok":true}
 */
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo, Socket } from 'node:net';

export interface HostileServer {
  readonly url: string;
  /** Requests seen, as `METHOD /path?query`, with the Authorization header if any. */
  readonly log: { line: string; authorization?: string }[];
  /** Body bytes written per path so far. */
  sent(pathname: string): number;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
let bomb: Buffer | undefined;
function gzipBomb(): Buffer {
  bomb ??= gzipSync(Buffer.alloc(64 * MiB), { level: 9 });
  return bomb;
}

export async function startHostileServer(): Promise<HostileServer> {
  const log: HostileServer['log'] = [];
  const sentBytes = new Map<string, number>();
  const sockets = new Set<Socket>();
  const count = (path: string, n: number) => sentBytes.set(path, (sentBytes.get(path) ?? 0) + n);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = req.headers.authorization;
    log.push({ line: `${req.method} ${url.pathname}${url.search}`, ...(auth ? { authorization: auth } : {}) });
    const p = url.pathname;
    const n = Number(url.searchParams.get('n') ?? '') || undefined;
    const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      const buf = typeof body === 'string' ? Buffer.from(body) : body;
      res.writeHead(status, { 'content-type': type, 'content-length': String(buf.length), ...headers });
      count(p, buf.length);
      res.end(buf);
    };
    switch (p) {
      case '/endless': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const pump = () => {
          while (!res.destroyed && !res.writableEnded) {
            count(p, chunk.length);
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
        return;
      }
      case '/huge': {
        const total = 64 * MiB;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(total) });
        const chunk = Buffer.alloc(64 * 1024, 'b');
        let left = total;
        const pump = () => {
          while (left > 0 && !res.destroyed) {
            left -= chunk.length;
            count(p, chunk.length);
            if (left <= 0) return void res.end(chunk);
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        pump();
        return;
      }
      case '/gzip-bomb':
        return send(200, 'application/json', gzipBomb(), { 'content-encoding': 'gzip' });
      case '/deep-json': {
        const depth = n ?? 1_000_000;
        return send(200, 'application/json', '['.repeat(depth) + ']'.repeat(depth));
      }
      case '/deep-object': {
        const depth = n ?? 300_000;
        return send(200, 'application/json', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
      }
      case '/html-bomb':
        return send(500, 'text/html', '<title>'.repeat(Math.floor((2 * MiB) / 7)));
      case '/tags-bomb':
        return send(500, 'text/plain', '<a'.repeat(MiB));
      case '/catastrophic':
        return send(200, 'text/plain', 'a'.repeat(n ?? 1_000_000) + '!');
      case '/redirect':
        res.writeHead(302, { location: url.searchParams.get('to') ?? '/', 'content-length': '0' });
        return void res.end();
      default:
        return send(200, 'application/json', '{"ok":true}');
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    sent: (pathname) => sentBytes.get(pathname) ?? 0,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

