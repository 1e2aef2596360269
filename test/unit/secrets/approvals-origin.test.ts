/**
 * The send plan is where the request really goes. For hostile input values (userinfo, fragments,
 * backslashes, odd IPv4 spellings, a line break that injects an engramia `baseUrl:` parameter)
 * the real `http` and `engramia` kinds run against two recording servers on 127.0.0.1; every
 * request that arrives must arrive at the origin planNetworkSend named, and nothing may arrive
 * when it named none. If this ever fails, an approval could be given for one host and a secret
 * sent to another.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CheckRegistry } from '../../../src/core/checks/registry';
import { runCheck, silentLogger, type EngineEnvironment } from '../../../src/core/checks/engine';
import { engramiaKind } from '../../../src/core/engramia';
import { createHttpKind, type HttpKind } from '../../../src/core/http';
import { planNetworkSend } from '../../../src/core/secrets/approvals';

interface Recorder { readonly origin: string; readonly port: number; hits: number; close(): Promise<void> }

async function recorder(): Promise<Recorder> {
  const r = { hits: 0 } as Recorder & { hits: number };
  const server = http.createServer((req, res) => {
    r.hits++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url?.startsWith('/v1/version') ? { app_version: '0.6.6' } : { ok: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(r, {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
  return r;
}

let A: Recorder, B: Recorder, kind: HttpKind, registry: CheckRegistry;
before(async () => {
  A = await recorder();
  B = await recorder();
  kind = createHttpKind();
  registry = new CheckRegistry().register(kind).register(engramiaKind);
});
after(async () => {
  await kind.dispose();
  await A.close();
  await B.close();
});

function env(inputs: Record<string, string>): EngineEnvironment {
  return {
    registry, inputs, secrets: [], cwd: process.cwd(), trusted: true, log: silentLogger, services: {},
    ui: { async confirm() { return 'yes'; }, async typedConfirmation() { return false; } },
  };
}

let seq = 0;
async function sentTo(kindName: string, body: string, attributes: Record<string, string>, inputs: Record<string, string>): Promise<{ planned: string | undefined; arrived: string[]; reason: string }> {
  const plan = planNetworkSend(kindName, body, attributes, inputs);
  const before = { a: A.hits, b: B.hits };
  const run = await runCheck({ id: `o-${++seq}`, kind: kindName, attributes: { timeout: '3s', ...attributes }, body }, env(inputs));
  const arrived: string[] = [];
  if (A.hits > before.a) arrived.push(A.origin);
  if (B.hits > before.b) arrived.push(B.origin);
  return { planned: plan && !('error' in plan) ? plan.origin : undefined, arrived, reason: `${run.verdict} — ${run.reason}` };
}

const hostileBaseUrls = () => [
  A.origin,
  `${A.origin}/`,
  `http://user:pw@127.0.0.1:${B.port}`,
  `http://127.0.0.1:${A.port}@127.0.0.1:${B.port}`,
  `http://127.0.0.1:${A.port}#@127.0.0.1:${B.port}`,
  `http://127.0.0.1:${A.port}\\@127.0.0.1:${B.port}`,
  `http://127.0.0.1:${B.port}?@127.0.0.1:${A.port}`,
  `HTTP://127.0.0.1:${B.port}`,
  `http://0x7f.0.0.1:${B.port}`,
  `http://127.1:${A.port}`,
  `http://2130706433:${B.port}`,
  `http://127.0.0.1:${A.port}/%2F%2F127.0.0.1:${B.port}`,
  `http://127.0.0.1:${A.port}/..//127.0.0.1:${B.port}`,
  `  http://127.0.0.1:${B.port}  `,
  `http:/127.0.0.1:${A.port}`,
  `http:\\\\127.0.0.1:${B.port}`,
  `//127.0.0.1:${A.port}`,
  `file:///etc/passwd`,
];

test('http: for hostile baseUrl values the request arrives only at the planned origin', async () => {
  let toB = 0;
  for (const baseUrl of hostileBaseUrls()) {
    for (const body of ['GET {{baseUrl}}/v1/health', 'GET {{baseUrl}}/v1/health?x=1\nX-Key: {{key}}']) {
      const r = await sentTo('http', body, {}, { baseUrl, key: 'secret-value-123' });
      if (r.planned === undefined) assert.deepEqual(r.arrived, [], `${JSON.stringify(baseUrl)}: no plan, yet something was sent (${r.reason})`);
      else assert.ok(r.arrived.every((o) => o === r.planned), `${JSON.stringify(baseUrl)}: planned ${r.planned}, arrived at ${r.arrived.join(', ')}`);
      if (r.arrived.includes(B.origin)) toB++;
    }
  }
  assert.ok(toB > 0, 'some hostile values do reach the second server (the test is not vacuous)');
});

test('engramia: for hostile baseUrl values and an injected baseUrl parameter the requests arrive only at the planned origin', async () => {
  let toB = 0;
  const cases: { body: string; attributes: Record<string, string>; inputs: Record<string, string> }[] = [
    ...hostileBaseUrls().map((baseUrl) => ({ body: '', attributes: { probe: 'version' }, inputs: { baseUrl } })),
    { body: 'limit: {{n}}', attributes: { probe: 'version' }, inputs: { baseUrl: A.origin, n: `1\nbaseUrl: ${B.origin}` } },
    { body: `baseUrl: ${B.origin}`, attributes: { probe: 'version' }, inputs: { baseUrl: A.origin } },
    { body: '', attributes: { probe: 'version', baseUrl: B.origin }, inputs: { baseUrl: A.origin } },
    { body: 'baseUrl: {{other}}', attributes: { probe: 'version' }, inputs: { baseUrl: A.origin, other: `${B.origin}/v1` } },
  ];
  for (const c of cases) {
    const r = await sentTo('engramia', c.body, c.attributes, c.inputs);
    const label = JSON.stringify(c);
    if (r.planned === undefined) assert.deepEqual(r.arrived, [], `${label}: no plan, yet something was sent (${r.reason})`);
    else assert.ok(r.arrived.every((o) => o === r.planned), `${label}: planned ${r.planned}, arrived at ${r.arrived.join(', ')}`);
    if (r.arrived.includes(B.origin)) toB++;
  }
  assert.ok(toB >= 4, `the injected and overriding baseUrls reach the second server, as planned (${toB})`);
});
