/**
 * Hostile servers cannot hang or exhaust a check: endless, huge and gzip-bomb bodies are cut at
 * the cap, deeply nested JSON fails with one line (never a stack overflow blamed on the timeout),
 * HTML made to backtrack is read linearly, redirects are not followed (the credential stays), and
 * the Engramia client refuses oversize answers with "response too large". Real servers on
 * 127.0.0.1; time is bounded by each check's own timeout, never by a timing assertion.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCheck, silentLogger, type EngineEnvironment } from '../../src/core/checks/engine';
import { CheckRegistry } from '../../src/core/checks/registry';
import type { CheckKind } from '../../src/core/checks/types';
import { EngramiaClient } from '../../src/core/engramia/client';
import { MAX_BODY_BYTES } from '../../src/core/http/body';
import { MAX_JSON_DEPTH, jsonDepth } from '../../src/core/http/json';
import { API_KEY, httpCheck, makeEnv, newKind } from '../unit/http/helpers';
import { startHostileServer, type HostileServer } from './hostile-server';
import type { HttpKind } from '../../src/core/http';
import { z } from 'zod';
import { assertNoSecret } from '../support/secrets';

let server: HostileServer;
let trap: HostileServer;
let kind: HttpKind;
before(async () => {
  server = await startHostileServer();
  trap = await startHostileServer();
  kind = newKind();
});
after(async () => {
  await kind.dispose();
  await server.close();
  await trap.close();
});

const T = { timeout: '20s' };
const oneLine = (s: string | undefined) => assert.ok(s !== undefined && !/\n/.test(s), `one line: ${s}`);
const notBlamedOnTimeout = (r: { reason: string; next?: string }) => {
  assert.doesNotMatch(r.reason, /timed out|timeout/i);
  assert.doesNotMatch(r.next ?? '', /raise the timeout/i);
};

test('endless body: read up to the cap, then the connection is dropped (the server stops sending)', async () => {
  const r = await httpCheck(makeEnv(kind), `GET ${server.url}/endless\n?? status == 200`, T);
  assert.equal(r.verdict, 'pass', r.reason);
  // The server could write what the socket buffers held after the cut, never the endless rest.
  await new Promise((res) => setTimeout(res, 200));
  assert.ok(server.sent('/endless') < MAX_BODY_BYTES + 16 * 1024 * 1024, `sent ${server.sent('/endless')}`);
});

test('huge body (64 MiB announced): cut at the cap; JSON conditions say it was cut', async () => {
  const r = await httpCheck(makeEnv(kind), `GET ${server.url}/huge\n?? json ok == true`, T);
  assert.equal(r.verdict, 'fail');
  assert.match(r.reason, new RegExp(`larger than ${MAX_BODY_BYTES} bytes and was cut`));
  notBlamedOnTimeout(r);
  assert.ok(server.sent('/huge') < 64 * 1024 * 1024, `sent ${server.sent('/huge')}`);
});

test('gzip bomb: never inflated (the bytes on the wire are what is judged), one-line "not JSON"', async () => {
  const r = await httpCheck(makeEnv(kind), `GET ${server.url}/gzip-bomb\n?? json ok == true`, T);
  assert.equal(r.verdict, 'fail');
  assert.match(r.reason, /not JSON/);
  oneLine(r.reason);
  notBlamedOnTimeout(r);
});

for (const [path, what] of [['/deep-json', '1 000 000 nested arrays'], ['/deep-object', '300 000 nested objects']] as const) {
  test(`deeply nested JSON (${what}): "response JSON nested too deeply", not a stack overflow`, async () => {
    const r = await httpCheck(makeEnv(kind), `GET ${server.url}${path}\n?? json a exists`, T);
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /response JSON nested too deeply/);
    notBlamedOnTimeout(r);
    assert.doesNotMatch(r.next ?? '', /timeout/);
  });
}

test('deeply nested JSON without conditions: 200 passes and the details render (no stack overflow)', async () => {
  const r = await httpCheck(makeEnv(kind), `GET ${server.url}/deep-json`, T);
  assert.equal(r.verdict, 'pass', r.reason);
  assert.ok(r.details && r.details.length > 0);
});

test('JSON just under the depth limit still parses; one level more does not', async () => {
  const ok = await httpCheck(makeEnv(kind), `GET ${server.url}/deep-json?n=${MAX_JSON_DEPTH}\n?? json length == 1`, T);
  assert.equal(ok.verdict, 'pass', ok.reason);
  const deep = await httpCheck(makeEnv(kind), `GET ${server.url}/deep-json?n=${MAX_JSON_DEPTH + 1}\n?? json length == 1`, T);
  assert.match(deep.reason, /nested too deeply/);
  // Brackets inside strings do not count.
  assert.equal(jsonDepth(JSON.stringify({ s: '[[[[{{{{'.repeat(1000) })), 1);
});

for (const path of ['/html-bomb', '/tags-bomb']) {
  test(`500 with a 2 MiB body built to backtrack (${path}): described in one line within the check's timeout`, async () => {
    const r = await httpCheck(makeEnv(kind), `GET ${server.url}${path}`, { timeout: '20s' });
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /500/);
    oneLine(r.reason);
    notBlamedOnTimeout(r);
  });
}

test('redirect to another origin is not followed: the Authorization header never reaches it', async () => {
  const to = `${trap.url}/steal`;
  const r = await httpCheck(makeEnv(kind, {}, [API_KEY]), `GET ${server.url}/redirect?to=${encodeURIComponent(to)}\nAuthorization: Bearer ${API_KEY}\n?? status == 200`, T);
  assert.equal(r.verdict, 'fail');
  assert.equal(trap.log.length, 0, 'the redirect target was contacted');
  assertNoSecret(JSON.stringify(r), API_KEY, 'the result');
});

test('catastrophic regex on a 1 MB subject: RE2 answers, the check reports fail (no hang, no timeout)', async () => {
  const r = await httpCheck(makeEnv(kind), `GET ${server.url}/catastrophic?n=1000000\n?? body matches (a+)+$`, { timeout: '10s' });
  assert.equal(r.verdict, 'fail');
  assert.match(r.reason, /expected to match/);
  notBlamedOnTimeout(r);
  const hit = await httpCheck(makeEnv(kind), `GET ${server.url}/catastrophic?n=1000000\n?? body matches /(a|aa)+!$/`, { timeout: '10s' });
  assert.equal(hit.verdict, 'pass', hit.reason);
});

test('a subject longer than the match cap fails with a clear line instead of being scanned', async () => {
  const r = await httpCheck(makeEnv(kind), `GET ${server.url}/catastrophic?n=1500000\n?? body matches (x+x+)+y`, { timeout: '10s' });
  assert.equal(r.verdict, 'fail');
  assert.match(r.reason, /too long to match/);
});

for (const [pattern, why] of [['(a)\\1', /backreferences/], ['/(?=a)b/', /lookahead/], ['(?<!a)b', /lookbehind/], ['(?<n>a)\\k<n>', /backreferences/]] as const) {
  test(`pattern RE2 cannot run (${pattern}): refused at validation with one line`, async () => {
    const r = await httpCheck(makeEnv(kind), `GET ${server.url}/\n?? body matches ${pattern}`, T);
    assert.equal(r.verdict, 'error');
    assert.match(r.reason, /invalid regex/);
    assert.match(r.reason, why);
    oneLine(r.reason);
    assert.equal(server.log.filter((l) => l.line === 'GET /').length, 0, 'the request was sent although the check is invalid');
  });
}

test('a character class with "(?=" or "\\1" inside is not mistaken for lookaround/backreference', async () => {
  const r = await httpCheck(makeEnv(kind), `GET ${server.url}/catastrophic?n=3\n?? body matches /^[(?=\\\\1a]+!$/`, T);
  assert.equal(r.verdict, 'pass', r.reason);
});

// ---- Engramia client ----

const anything = z.unknown();

test('Engramia client: an endless body ends with "response too large"', async () => {
  const client = new EngramiaClient({ baseUrl: server.url, apiKey: API_KEY, timeoutMs: 15_000 });
  await assert.rejects(client.call('GET', '/endless', { schema: anything }), /response too large/);
});

test('Engramia client: a 64 MiB body ends with "response too large"; the server did not get to send it all', async () => {
  const client = new EngramiaClient({ baseUrl: server.url, apiKey: API_KEY, timeoutMs: 15_000 });
  await assert.rejects(client.call('GET', '/huge', { schema: anything }), /response too large/);
  assert.ok(server.sent('/huge') < 2 * 64 * 1024 * 1024);
});

test('Engramia client: deeply nested JSON is refused as nested too deeply', async () => {
  const client = new EngramiaClient({ baseUrl: server.url, apiKey: API_KEY, timeoutMs: 15_000 });
  await assert.rejects(client.call('GET', '/deep-json', { schema: anything }), /nested too deeply/);
});

test('Engramia client: a gzip bomb is never inflated (not JSON)', async () => {
  const client = new EngramiaClient({ baseUrl: server.url, apiKey: API_KEY, timeoutMs: 15_000 });
  await assert.rejects(client.call('GET', '/gzip-bomb', { schema: anything }), /not JSON/);
});

// ---- the engine ----

function envWith(k: CheckKind): EngineEnvironment {
  return { registry: new CheckRegistry().register(k), inputs: {}, secrets: [], cwd: process.cwd(), trusted: true, ui: { confirm: async () => 'yes', typedConfirmation: async () => false }, log: silentLogger, services: {} };
}

test('a kind that ignores its abort signal still ends at timeout= (plus the wind-down grace)', async () => {
  const stuck: CheckKind = { name: 'stuck', description: 'never settles', attributes: z.object({}), defaultTimeoutMs: 1000, run: () => new Promise(() => {}) };
  const r = await runCheck({ id: 'stuck.1', kind: 'stuck', attributes: { timeout: '300ms' }, body: '' }, envWith(stuck));
  assert.equal(r.verdict, 'error');
  assert.match(r.reason, /timed out after 300 ms/);
});

test('the engine never suggests a timeout for an error that is not one (stack overflow, plain throw)', async () => {
  const deep: CheckKind = {
    name: 'deep',
    description: 'overflows',
    attributes: z.object({}),
    defaultTimeoutMs: 5000,
    run: async () => {
      const f = (n: number): number => f(n + 1) + 1;
      return { verdict: 'pass', reason: String(f(0)) };
    },
  };
  const r = await runCheck({ id: 'deep.1', kind: 'deep', attributes: {}, body: '' }, envWith(deep));
  assert.equal(r.verdict, 'error');
  assert.match(r.reason, /nested too deeply|stack/);
  assert.doesNotMatch(`${r.reason} ${r.next}`, /timeout/i);
  const boom: CheckKind = { ...deep, name: 'boom', run: async () => { throw new Error('kaput'); } };
  const b = await runCheck({ id: 'boom.1', kind: 'boom', attributes: {}, body: '' }, envWith(boom));
  assert.equal(b.reason, 'kaput');
  assert.doesNotMatch(b.next ?? '', /raise the timeout/);
});
