/**
 * A real HTTP server on 127.0.0.1 that answers every request with 502 and a JSON error body
 * echoing the request's Authorization header, and the token in it base64- and percent-encoded:
 * what a misbehaving proxy does. Used to prove that masking covers echoed credentials.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoServer {
  readonly url: string;
  readonly hits: number;
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    const auth = String(req.headers.authorization ?? '');
    const token = auth.replace(/^Bearer\s+/i, '');
    const body = JSON.stringify({
      error: 'upstream rejected the request',
      received_authorization: auth,
      token_base64: Buffer.from(token, 'utf8').toString('base64'),
      token_urlencoded: encodeURIComponent(token),
    });
    res.writeHead(502, { 'content-type': 'application/json', 'x-echo-authorization': auth });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() { return hits; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
