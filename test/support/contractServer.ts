/**
 * The Engramia contract server (test/servers/engramia) for every test that needs one: unit, CLI
 * and VS Code integration tests. `startContractServer(options)` starts one on 127.0.0.1 (a random
 * port) and remembers it; `closeContractServers()` closes every server started so far. Call it
 * from the file's or suite's end hook (node:test `after`, mocha `suiteTeardown`).
 */
import { startEngramiaServer, type EngramiaServer, type EngramiaServerOptions } from '../servers/engramia/server';

const running = new Set<EngramiaServer>();

export async function startContractServer(options: EngramiaServerOptions = {}): Promise<EngramiaServer> {
  const server = await startEngramiaServer(options);
  running.add(server);
  return server;
}

export async function closeContractServers(): Promise<void> {
  const servers = [...running];
  running.clear();
  await Promise.all(servers.map((s) => s.close()));
}
