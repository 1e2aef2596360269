/**
 * A real HTTP server on 127.0.0.1 that records every request it receives (method, URL, headers,
 * body) and answers 200 with a small JSON body (an Engramia-style version for /v1/version).
 * Tests assert on its record: what reached it, and that a secret did not.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` (also the origin). */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** True when any request (line, headers or body) contains `text`. */
  carries(text: string): boolean;
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body: Buffer.concat(chunks).toString('utf8') });
      const body = req.url?.startsWith('/v1/version') ? { app_version: '0.6.6', api_version: '1', build: 'recording' } : { ok: true };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    carries: (text) => requests.some((r) => `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`.includes(text)),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
