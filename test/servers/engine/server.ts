/**
 * A local September Engine stand-in following the documented `/health` contract
 * (reference/september-engine.md §1): `GET /health`, no auth, healthy = 200 with
 * `{"status":"ok","uptime_seconds":…,"subsystems":{…}}`; unhealthy = non-200 or another status;
 * 503 while starting or draining. Also `GET /memory/export` with `X-Engine-Key` (§11).
 * Real node:http on 127.0.0.1, random port; the state is switchable while it runs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type EngineState =
  /** 200 {"status":"ok"} */
  | 'ok'
  /** 200 with a status that is not "ok" (a subsystem is down) */
  | 'degraded'
  /** 503: starting up or draining */
  | 'starting'
  /** 500 with a plain-text body */
  | 'error'
  /** the connection is dropped without a response */
  | 'hangup';

export interface EngineServerOptions {
  readonly state?: EngineState;
  /** The Engine key `/memory/export` accepts. */
  readonly engineKey?: string;
  /** How `/memory/export` answers GET: the bundle (default) or 405 (the GET/POST doc discrepancy). */
  readonly exportMode?: 'ok' | '405';
}

export interface EngineServer {
  readonly url: string;
  /** Switch the state for every following request. */
  setState(state: EngineState): void;
  /** Serve these states one per `/health` request, then stay on the last one. */
  setSequence(states: readonly EngineState[]): void;
  readonly requests: { method: string; path: string; key?: string }[];
  /** Each following `/health` request (numbered from 1 on) is answered once `gate(n)` settles; undefined answers at once. */
  holdHealth(gate: ((n: number) => Promise<void>) | undefined): void;
  close(): Promise<void>;
}

export async function startEngineServer(options: EngineServerOptions = {}): Promise<EngineServer> {
  let sequence: EngineState[] = [options.state ?? 'ok'];
  const started = Date.now();
  const requests: EngineServer['requests'] = [];
  let gate: ((n: number) => Promise<void>) | undefined;
  let healthCount = 0;
  const nextState = (): EngineState => (sequence.length > 1 ? sequence.shift()! : sequence[0]!);
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  /** Answers one `/health` request in the next state of the sequence. */
  const health = (req: IncomingMessage, res: ServerResponse): void => {
    const state = nextState();
    const uptime = (Date.now() - started) / 1000;
    switch (state) {
      case 'ok':
        return json(res, 200, { status: 'ok', uptime_seconds: uptime, subsystems: { database: 'ok', llm: 'ok', asset_directory: 'ok' } });
      case 'degraded':
        return json(res, 200, { status: 'degraded', uptime_seconds: uptime, subsystems: { database: 'ok', llm: 'unreachable', asset_directory: 'ok' } });
      case 'starting':
        return json(res, 503, { error: { code: 'SERVICE_UNAVAILABLE', message: 'starting up' } });
      case 'error':
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error');
        return;
      case 'hangup':
        req.socket.destroy();
        return;
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const key = req.headers['x-engine-key'];
    requests.push({ method: req.method ?? 'GET', path: url.pathname, key: typeof key === 'string' ? key : undefined });
    if (url.pathname === '/health' && req.method === 'GET') {
      const n = ++healthCount;
      if (gate) {
        const answer = () => health(req, res);
        void gate(n).then(answer, answer);
        return;
      }
      return health(req, res);
    }
    if (url.pathname === '/memory/export') {
      if (key !== options.engineKey || !options.engineKey) return json(res, 401, { error: { code: 'INVALID_KEY', message: 'Invalid or missing X-Engine-Key' } });
      if (options.exportMode === '405' && req.method === 'GET') return json(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'use POST' } });
      return json(res, 200, { version: 1, episodes: [{ id: 'ep-1', text: 'written in the bad window' }], knowledge: [], social_graph: [] });
    }
    json(res, 404, { error: { code: 'NOT_FOUND', message: url.pathname } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setState: (s) => {
      sequence = [s];
    },
    setSequence: (states) => {
      sequence = [...states];
    },
    requests,
    holdHealth: (g) => {
      gate = g;
      healthCount = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `node --import tsx test/servers/engine/server.ts [state]`: serve until killed (for manual tries). */
if (process.argv[1] && /servers[\\/]engine[\\/]server\.ts$/.test(process.argv[1])) {
  void startEngineServer({ state: (process.argv[2] as EngineState | undefined) ?? 'ok', engineKey: process.env.ENGINE_KEY }).then((s) => {
    process.stdout.write(`September Engine stand-in on ${s.url} (GET /health)\n`);
  });
}
