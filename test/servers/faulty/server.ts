/**
 * A real node:http server on 127.0.0.1:<random port> that misbehaves on purpose, per path, so
 * that tests (and the bench) can drive the `http` check kind through every fault over real HTTP.
 *
 * Paths (query `ms=` adds latency before answering, for any path):
 *   GET  /health                  200 {"status":"ok","storage":"JSONStorage","pattern_count":1204} + X-Engramia-Version
 *   POST /v1/recall               200 recall body (3 matches: duplicate, adapt, fresh); GET → bare 405
 *   POST /v1/governance/delete-scope → bare 404;  GET /v1/keys/me → bare 405;  anything unknown → bare 404
 *   GET  /echo-auth               200 JSON echoing the Authorization header (and base64 of it)
 *   GET  /drift                   200 {"patterns_used":2} (fields renamed)
 *   GET  /not-json                200 text/plain
 *   GET  /hang-headers            accepts, never answers
 *   GET  /hang-body               headers + half a JSON body, then nothing
 *   GET  /reset-body              headers + half a body, then the socket is destroyed
 *   GET  /reset-headers           the socket is destroyed before any response
 *   GET  /big                     ~3 MB JSON body
 *   GET  /html-500                500 with an HTML error page;  /text-500 plain "Internal Server Error"
 *   GET  /401 /401-missing /403 /403-plain /422-fastapi /422-main /429-quota /503-maintenance /503-db
 *   ANY  /429-then-ok?after=N&times=K   first K requests (per path+query) → 429 RATE_LIMITED + Retry-After: N, then 200
 *   GET  /slow                    200 after `ms` (default 100)
 *   DELETE /v1/governance/projects/<id>  200 ScopedDeleteResponse
 * The four network faults also answer under their path as a prefix (`/hang-headers/v1/version`),
 * so that a client that appends its own routes to a base URL (the Engramia client) meets them too.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FaultyServer {
  readonly url: string;
  readonly port: number;
  /** Requests seen per pathname (any method). */
  hits(pathname: string): number;
  /** Requests seen as `METHOD /path?query`, in order. */
  readonly log: string[];
  /** TCP connections accepted so far (keep-alive reuse keeps this low). */
  connections(): number;
  /** Resolves when a request to `pathname` has had its socket closed by the client. */
  waitForClientClose(pathname: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const RECALL = {
  matches: [
    { similarity: 1.0, reuse_tier: 'duplicate', pattern_key: 'patterns/4c51_1', pattern: { task: 'Build a CSV parser', code: 'import csv', success_score: 5.0, reuse_count: 0 } },
    { similarity: 0.74, reuse_tier: 'adapt', pattern_key: 'patterns/9a2e_2', pattern: { task: 'Build a CSV reader', code: 'import csv', success_score: 6.0, reuse_count: 1 } },
    { similarity: 0.09, reuse_tier: 'fresh', pattern_key: 'patterns/a2cc_3', pattern: { task: 'Sum a list', code: 'def total(xs): return sum(xs)', success_score: 7.0, reuse_count: 0 } },
  ],
  has_more: false,
  next_offset: null,
};

const HTML_500 = `<!DOCTYPE html>
<html><head><title>Internal Server Error | gateway</title><style>body{font:14px sans-serif}</style></head>
<body><h1>Something went wrong</h1><p>The upstream returned an error.</p></body></html>`;

const FAULT_PREFIX = /^(\/(?:hang-headers|hang-body|reset-body|reset-headers))\//;

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': 'req-test', ...headers });
  res.end(text);
}

export async function startFaultyServer(): Promise<FaultyServer> {
  const hitCount = new Map<string, number>();
  const keyedCount = new Map<string, number>();
  const log: string[] = [];
  const closeWaiters = new Map<string, (() => void)[]>();
  const closedPaths = new Set<string>();
  const sockets = new Set<Socket>();
  /** Paths requested on each socket: when the client closes it, their waiters resolve. */
  const socketPaths = new Map<Socket, Set<string>>();
  let connections = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    hitCount.set(path, (hitCount.get(path) ?? 0) + 1);
    log.push(`${req.method} ${url.pathname}${url.search}`);
    socketPaths.get(req.socket)?.add(path);
    const delay = Number(url.searchParams.get('ms') ?? (path === '/slow' ? 100 : 0));
    // Drain the request body before answering.
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (delay > 0) later(delay, () => respond(req, res, url, body));
      else respond(req, res, url, body);
    });
  });

  function respond(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string): void {
    const m = req.method ?? 'GET';
    switch (FAULT_PREFIX.exec(url.pathname)?.[1] ?? url.pathname) {
      case '/health':
      case '/slow':
        return json(res, 200, { status: 'ok', storage: 'JSONStorage', pattern_count: 1204 }, { 'x-engramia-version': '0.7.0' });
      case '/v1/recall':
        if (m !== 'POST') return json(res, 405, { detail: 'Method Not Allowed' });
        try {
          JSON.parse(body || '{}');
        } catch {
          return json(res, 422, { detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error' }] });
        }
        return json(res, 200, RECALL);
      case '/v1/keys/me':
        return json(res, m === 'DELETE' ? 404 : 405, { detail: m === 'DELETE' ? 'Not Found' : 'Method Not Allowed' });
      case '/echo-auth': {
        const auth = req.headers.authorization ?? '';
        return json(res, 200, { status: 'ok', you_sent: auth, encoded: Buffer.from(auth).toString('base64') });
      }
      case '/drift':
        return json(res, 200, { plan_tier: 'developer', patterns_used: 2, patterns_limit: 10000 });
      case '/not-json':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end('hello, this is not JSON\nsecond line');
      case '/hang-headers':
        return; // never answer
      case '/hang-body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"status": "ok", "items": [1, 2, ');
        return; // never finish
      case '/reset-body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"status": "ok", "items": [1, 2, ');
        return later(30, () => req.socket.destroy());
      case '/reset-headers':
        return void req.socket.destroy();
      case '/big': {
        // ~3 MB of JSON, more than the kind reads.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"items": [');
        const row = JSON.stringify({ id: 1, text: 'x'.repeat(1000) });
        for (let i = 0; i < 3000; i++) res.write((i ? ',' : '') + row);
        return void res.end(']}');
      }
      case '/html-500':
        res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end(HTML_500);
      case '/text-500':
        res.writeHead(500, { 'content-type': 'text/plain' });
        return void res.end('Internal Server Error');
      case '/401':
        return json(res, 401, { error_code: 'UNAUTHORIZED', detail: 'Invalid API key.' });
      case '/401-missing':
        return json(res, 401, { error_code: 'UNAUTHORIZED', detail: 'Missing or malformed Authorization header. Expected: Bearer <key>' });
      case '/403':
        return json(res, 403, { error_code: 'FORBIDDEN', detail: "Role 'reader' does not have permission 'learn'." });
      case '/403-plain':
        return json(res, 403, { error_code: 'FORBIDDEN', detail: 'Editors can only delete patterns they created.' });
      case '/422-fastapi':
        return json(res, 422, { detail: [{ type: 'missing', loc: ['body', 'task'], msg: 'Field required', input: {} }] });
      case '/422-main':
        return json(res, 422, { error_code: 'VALIDATION_ERROR', detail: 'Request validation failed.', issues: [{ loc: ['body', 'limit'], msg: 'Input should be less than or equal to 50', type: 'less_than_equal' }] });
      case '/429-quota':
        return json(res, 429, { error_code: 'QUOTA_EXCEEDED', detail: 'Project pattern quota reached (2 patterns, 0% of tenant limit).', error_context: { current: 4, limit: 2 } });
      case '/429-then-ok': {
        const key = `${url.pathname}${url.search}`;
        const n = (keyedCount.get(key) ?? 0) + 1;
        keyedCount.set(key, n);
        const times = Number(url.searchParams.get('times') ?? 1);
        const after = url.searchParams.get('after') ?? '1';
        if (n <= times) return json(res, 429, { error_code: 'RATE_LIMITED', detail: 'Rate limit exceeded. Max 5 requests per minute.', error_context: { retry_after: Number(after) } }, { 'retry-after': after });
        return json(res, 200, { status: 'ok', attempt: n });
      }
      case '/503-maintenance':
        return json(res, 503, { error_code: 'SERVICE_UNAVAILABLE', detail: 'Service is under scheduled maintenance. Please try again later.', error_context: { retry_after: 3600 } }, { 'retry-after': '3600' });
      case '/503-db':
        return json(res, 503, { error_code: 'STORAGE_ERROR', detail: 'Key management requires DB auth mode (ENGRAMIA_DATABASE_URL must be configured).' });
      default: {
        const project = /^\/v1\/governance\/projects\/([^/]+)$/.exec(url.pathname);
        if (project && m === 'DELETE') return json(res, 200, { tenant_id: 'default', project_id: decodeURIComponent(project[1]!), patterns_deleted: 2, jobs_deleted: 0, keys_revoked: 2, projects_deleted: 0 });
        return json(res, 404, { detail: 'Not Found' });
      }
    }
  }

  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    socketPaths.set(s, new Set());
    s.once('close', () => {
      sockets.delete(s);
      for (const path of socketPaths.get(s) ?? []) {
        closedPaths.add(path);
        for (const w of closeWaiters.get(path) ?? []) w();
        closeWaiters.delete(path);
      }
      socketPaths.delete(s);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits: (p) => hitCount.get(p) ?? 0,
    log,
    connections: () => connections,
    waitForClientClose(pathname, timeoutMs = 5000) {
      if (closedPaths.has(pathname)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no client close on ${pathname} within ${timeoutMs} ms`)), timeoutMs);
        const list = closeWaiters.get(pathname) ?? [];
        list.push(() => {
          clearTimeout(t);
          resolve();
        });
        closeWaiters.set(pathname, list);
      });
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Run alone: `node --import tsx test/servers/faulty/server.ts` prints its URL and stays up.
if (process.argv[1] && /faulty[\\/]server\.ts$/.test(process.argv[1])) {
  void startFaultyServer().then((s) => console.log(`faulty server on ${s.url}`));
}
