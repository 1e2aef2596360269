/**
 * LOCAL SANDBOX — starts the Engramia contract test server on 127.0.0.1 with seeded keys and
 * patterns, so the bundled runbook can be tried without a real Engramia deployment:
 *
 *   node --import tsx test/servers/engramia/main.ts --port 0 --version main [--auth-mode db|env]
 *
 * It prints the URL and the seeded keys (throwaway values generated at start; nothing real).
 */
import { startEngramiaServer, type EngramiaVersion } from './server';
import http from 'node:http';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const version = (arg('version') ?? 'main') as EngramiaVersion;
  if (!['0.6.6', '0.7.0', 'main'].includes(version)) throw new Error(`--version must be 0.6.6, 0.7.0 or main`);
  const authMode = (arg('auth-mode') ?? 'db') as 'db' | 'env';
  const wantedPort = Number(arg('port') ?? 0);
  const server = await startEngramiaServer({ version, authMode });
  let url = server.url;
  if (wantedPort > 0) {
    // Forward a fixed port to the server's random one (the server itself always binds port 0).
    const proxy = http.createServer((req, res) => {
      const up = http.request({ host: '127.0.0.1', port: server.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => proxy.listen(wantedPort, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${wantedPort}`;
  }
  process.stdout.write(
    [
      `Engramia LOCAL SANDBOX (contract test server, not a real Engramia) — version ${version}, auth mode ${authMode}`,
      `URL: ${url}`,
      `project: ${server.tenantId}/${server.projectId}`,
      ...Object.entries(server.keys).map(([role, key]) => `key ${role.padEnd(10)} ${key}`),
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
