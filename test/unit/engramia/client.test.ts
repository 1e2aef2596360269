/**
 * The typed Engramia client against the contract server over real HTTP: every method in both
 * version behaviours and both auth modes, error parsing, 429 retry rules, timeouts, drift.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test, after, before } from 'node:test';
import { runCheck, type RunOptions } from '../../../src/core/checks/engine';
import type { CheckRun } from '../../../src/core/checks/types';
import { EngramiaApiError, EngramiaClient, EngramiaNetworkError, SchemaDriftError, engramiaKind } from '../../../src/core/engramia';
import { createHttpKind } from '../../../src/core/http';
import { startFaultyServer, type FaultyServer } from '../../servers/faulty/server';
import { startFullBacklogListener, type FullBacklogListener } from '../../servers/faulty/backlog';
import { makeEnv as makeHttpEnv } from '../http/helpers';
import type { EngramiaServer } from '../../servers/engramia/server';
import { closeContractServers, startContractServer } from '../../support/contractServer';
import { assertNoSecret } from '../../support/secrets';

after(closeContractServers);
function client(s: EngramiaServer, key: string | undefined, extra: Partial<ConstructorParameters<typeof EngramiaClient>[0]> = {}) {
  return new EngramiaClient({ baseUrl: s.url, apiKey: key, ...extra });
}
async function rejects<T extends Error>(p: Promise<unknown>, type: new (...a: any[]) => T): Promise<T> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    return err as T;
  }
  assert.fail(`expected ${type.name}, the call succeeded`);
}

describe('EngramiaClient', () => {
  for (const version of ['0.6.6', 'main'] as const) {
    for (const authMode of ['db', 'env'] as const) {
      test(`every method validates against ${version}/${authMode}`, async () => {
        const s = await startContractServer({ version, authMode });
        const c = client(s, s.keys.owner);
        assert.equal((await c.version()).app_version, version === 'main' ? '0.0.0+dev' : '0.6.6');
        assert.equal((await c.health()).pattern_count, 5);
        assert.equal((await c.healthDeep()).status, 'ok');
        assert.equal((await c.metrics()).pattern_count, 5);
        const r = await c.recall({ task: 'Build a CSV parser', limit: 3 });
        assert.equal(r.matches[0]!.reuse_tier, 'duplicate');
        assert.equal((await c.learn({ task: 'a brand new task', code: 'x', eval_score: 5 })).stored, true);
        const b = await c.billingStatus();
        assert.equal(b.plan_tier, version === 'main' ? 'developer' : 'sandbox');
        assert.equal(b.cancel_at_period_end === undefined, version === '0.6.6');
        assert.equal((await c.export()).count, 6);
        assert.equal((await c.jobs()).jobs.length, 1);
        assert.deepEqual(await c.retentionApply({ dryRun: true }), { purged_count: 0, dry_run: true });
        assert.equal((await c.retention()).project_id, authMode === 'env' ? 'default' : 'p_main');
        if (authMode === 'db') {
          assert.equal((await c.listKeys()).keys.length, 4);
          assert.ok((await c.audit({ limit: 5 })).total >= 4);
        } else {
          const e = await rejects(c.listKeys(), EngramiaApiError);
          assert.equal(e.status, 503);
          assert.equal(e.errorCode, 'STORAGE_ERROR');
          const a = await rejects(c.audit({ limit: 1 }), EngramiaApiError);
          assert.equal(a.errorCode, 'SERVICE_UNAVAILABLE');
        }
        const d = await c.deleteProject(s.projectId);
        assert.equal(d.patterns_deleted, 6);
      });
    }
  }

  test('401: missing key vs invalid key, with one-line describe()', async () => {
    const s = await startContractServer();
    const none = await rejects(client(s, undefined).metrics(), EngramiaApiError);
    assert.equal(none.status, 401);
    assert.equal(none.errorCode, 'UNAUTHORIZED');
    assert.match(none.describe(), /^GET \/v1\/metrics: 401 Unauthorized: Missing or malformed Authorization header/);
    assert.match(none.next(), /set the API key/);
    const bad = await rejects(client(s, 'eng_not_a_key').metrics(), EngramiaApiError);
    assert.equal(bad.detail, 'Invalid API key.');
    assertNoSecret(bad.describe(), 'eng_not_a_key', 'describe()');
  });

  test('403 names role and permission', async () => {
    const s = await startContractServer();
    const e = await rejects(client(s, s.keys.reader).learn({ task: 't', code: 'c', eval_score: 5 }), EngramiaApiError);
    assert.equal(e.status, 403);
    assert.equal(e.role, 'reader');
    assert.equal(e.permission, 'learn');
    assert.equal(e.describe(), "POST /v1/learn: the key's role reader lacks permission learn");
    assert.match(e.next(), /"learn"/);
  });

  test('routing errors: GET recall 405 and delete-scope 404 explain the real route', async () => {
    const s = await startContractServer();
    const c = client(s, s.keys.admin);
    const { recallResponseSchema } = await import('../../../src/core/engramia/schemas');
    const e405 = await rejects(c.call('GET', '/v1/recall', { schema: recallResponseSchema, query: { task: 'x', limit: 3 } }), EngramiaApiError);
    assert.equal(e405.isRouting, true);
    assert.match(e405.describe(), /^GET \/v1\/recall does not exist \(405 Method Not Allowed\): recall is POST/);
    const e404 = await rejects(c.call('POST', '/v1/governance/delete-scope', { schema: recallResponseSchema }), EngramiaApiError);
    assert.match(e404.describe(), /404 Not Found.*DELETE \/v1\/governance\/projects/);
  });

  test('422 bodies of both shapes are joined into one line', async () => {
    const { recallResponseSchema } = await import('../../../src/core/engramia/schemas');
    for (const version of ['main', '0.6.6'] as const) {
      const s = await startContractServer({ version });
      const e = await rejects(client(s, s.keys.reader).call('POST', '/v1/recall', { schema: recallResponseSchema, body: {} }), EngramiaApiError);
      assert.equal(e.status, 422);
      assert.match(e.detail, /body\.task: Field required/);
      assert.equal(e.errorCode, version === 'main' ? 'VALIDATION_ERROR' : undefined);
    }
  });

  test('429 on a GET is retried after Retry-After when it fits the cap', async () => {
    const s = await startContractServer({ rateLimitPerMinute: 1, rateLimitWindowMs: 1000, retryAfterSeconds: 1 });
    const c = client(s, s.keys.reader, { maxRetryWaitMs: 2000 });
    await c.metrics();
    const m = await c.metrics();
    assert.equal(m.pattern_count, 5);
    assert.equal(s.hitCount('GET', '/v1/metrics'), 3, 'one 429, then one retry');
  });

  test('429 with a Retry-After longer than the cap is not waited out', async () => {
    const s = await startContractServer({ rateLimitPerMinute: 1 });
    const c = client(s, s.keys.reader);
    await c.metrics();
    const e = await rejects(c.metrics(), EngramiaApiError);
    assert.equal(e.errorCode, 'RATE_LIMITED');
    assert.equal(e.retryAfter, 60);
    assert.match(e.describe(), /retry after 60 s/);
    assert.equal(s.hitCount('GET', '/v1/metrics'), 2);
  });

  test('429 on POST and DELETE is never retried', async () => {
    const s = await startContractServer({ rateLimitPerMinute: 1, rateLimitWindowMs: 1000, retryAfterSeconds: 1 });
    const c = client(s, s.keys.owner, { maxRetryWaitMs: 5000, maxRetries: 3 });
    await c.learn({ task: 'first', code: 'x', eval_score: 5 });
    const e = await rejects(c.learn({ task: 'second', code: 'x', eval_score: 5 }), EngramiaApiError);
    assert.equal(e.status, 429);
    assert.equal(s.hitCount('POST', '/v1/learn'), 2);
    await c.recall({ task: 'x' });
    await rejects(c.recall({ task: 'y' }), EngramiaApiError);
    assert.equal(s.hitCount('POST', '/v1/recall'), 2);
  });

  test('quota 429 carries current and limit', async () => {
    const s = await startContractServer({ patternsLimit: 5 });
    const e = await rejects(client(s, s.keys.editor).learn({ task: 'x y z', code: 'c', eval_score: 5 }), EngramiaApiError);
    assert.equal(e.errorCode, 'QUOTA_EXCEEDED');
    assert.deepEqual(e.context, { current: 5, limit: 4 });
    assert.match(e.describe(), /quota exceeded \(5 of 4\)/);
    assert.equal(s.hitCount('POST', '/v1/learn'), 1);
  });

  test('503 maintenance: not retried, Retry-After 3600', async () => {
    const s = await startContractServer({ maintenance: true });
    const e = await rejects(client(s, s.keys.reader).metrics(), EngramiaApiError);
    assert.equal(e.status, 503);
    assert.equal(e.errorCode, 'SERVICE_UNAVAILABLE');
    assert.equal(e.retryAfter, 3600);
    assert.match(e.next(), /maintenance/);
    assert.equal(s.hitCount('GET', '/v1/metrics'), 1);
  });

  test('plain-text 500 is reported by its first line', async () => {
    const s = await startContractServer({ internalErrors: ['GET /v1/metrics'] });
    const e = await rejects(client(s, s.keys.reader).metrics(), EngramiaApiError);
    assert.equal(e.status, 500);
    assert.equal(e.detail, 'Internal Server Error');
    assert.equal(e.errorCode, undefined);
  });

  test('schema drift names the field, the endpoint and the server version', async () => {
    const s = await startContractServer({ version: '0.7.0', drift: { 'GET /v1/metrics': { pattern_count: 'patterns' }, 'GET /v1/billing/status': { patterns_used: 'pattern_count_used' } } });
    const c = client(s, s.keys.reader);
    const e = await rejects(c.metrics(), SchemaDriftError);
    assert.equal(e.field, 'pattern_count');
    assert.equal(e.endpoint, 'GET /v1/metrics');
    assert.equal(e.serverVersion, '0.7.0');
    assert.equal(e.message, 'schema drift on GET /v1/metrics: field "pattern_count" is missing (server version 0.7.0)');
    const b = await rejects(c.billingStatus(), SchemaDriftError);
    assert.equal(b.field, 'patterns_used');
    assert.equal(s.hitCount('GET', '/v1/version'), 1, 'the version is fetched once and cached');
  });

  test('timeouts, cancellation and refused connections', async () => {
    const s = await startContractServer({ latencyMs: 400 });
    const t = await rejects(client(s, s.keys.reader, { timeoutMs: 100 }).metrics(), EngramiaNetworkError);
    // The shared describer's text (the server accepted the connection, the headers never came),
    // whichever clock fired first: the client's timeout or undici's headersTimeout.
    assert.equal(t.kind, 'headers-timeout');
    assert.match(t.describe(), /^GET \/v1\/metrics: no response headers from 127\.0\.0\.1:\d+ within 100 ms$/);
    assert.match(t.next(), /did not answer in time; check its load and logs, or raise timeout=…$/);
    const ac = new AbortController();
    const reason = new Error('stop now');
    const p = client(s, s.keys.reader, { signal: ac.signal }).metrics();
    setTimeout(() => ac.abort(reason), 20);
    await assert.rejects(p, (err) => err === reason);
    // A port nobody listens on.
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p2 = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p2));
      });
    });
    const r = await rejects(new EngramiaClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k' }).metrics(), EngramiaNetworkError);
    assert.equal(r.code, 'ECONNREFUSED');
    assert.match(r.describe(), /connection refused/);
    // One text for http and Engramia: the same line and next step as the http kind gives.
    assert.equal(r.describe(), `connection refused by 127.0.0.1:${port}`);
    assert.equal(r.next(), 'start the server, or fix the port/host in the URL (the baseUrl input)');
  });

  test('a trailing /v1 on baseUrl is accepted', async () => {
    const s = await startContractServer();
    assert.equal((await new EngramiaClient({ baseUrl: s.url + '/v1/', apiKey: s.keys.reader }).health()).status, 'ok');
  });
});

/**
 * One network-error text for every kind: the http kind and the engramia kind run against the same
 * faulty servers, and their one-line reasons use the same phrase and the same next step (the
 * Engramia text keeps the method and path in front once the request was on its way).
 */
describe('one network-error text: the http kind and the engramia kind', () => {
  let faulty: FaultyServer;
  let backlog: FullBacklogListener;
  let refusedPort: number;
  const httpKind = createHttpKind();
  before(async () => {
    faulty = await startFaultyServer();
    backlog = await startFullBacklogListener();
    const probe = await startFaultyServer();
    refusedPort = probe.port;
    await probe.close();
  });
  after(async () => {
    await httpKind.dispose();
    await faulty.close();
    await backlog.close();
  });

  function env(baseUrl: string) {
    const e = makeHttpEnv(httpKind, { baseUrl });
    e.registry.register(engramiaKind);
    return e;
  }
  let seq = 0;
  async function both(base: () => string, timeout: string, options: RunOptions = {}): Promise<{ http: CheckRun; engramia: CheckRun }> {
    const e = env(base());
    const [http, engramia] = await Promise.all([
      runCheck({ id: `net-${++seq}`, kind: 'http', attributes: { timeout }, body: 'GET {{baseUrl}}' }, e, options),
      runCheck({ id: `net-${++seq}`, kind: 'engramia', attributes: { probe: 'version', timeout }, body: '' }, e, options),
    ]);
    return { http, engramia };
  }

  const hp = () => `127\\.0\\.0\\.1:\\d+`;
  const rows: { name: string; base: () => string; timeout?: string; reason: RegExp; engramiaPrefix: boolean }[] = [
    { name: 'connection refused', base: () => `http://127.0.0.1:${refusedPort}`, reason: new RegExp(`^connection refused by ${hp()}$`), engramiaPrefix: false },
    { name: 'connect timeout (full accept queue)', base: () => `http://127.0.0.1:${backlog.port}`, timeout: '300ms', reason: new RegExp(`^connect timeout to ${hp()} after 300 ms$`), engramiaPrefix: true },
    { name: 'no response headers (hang before headers)', base: () => `${faulty.url}/hang-headers`, timeout: '300ms', reason: new RegExp(`^no response headers from ${hp()} within 300 ms$`), engramiaPrefix: true },
    { name: 'body stalls (hang mid-body)', base: () => `${faulty.url}/hang-body`, timeout: '300ms', reason: new RegExp(`^response body from ${hp()} not complete within 300 ms$`), engramiaPrefix: true },
    { name: 'reset mid-response', base: () => `${faulty.url}/reset-body`, reason: new RegExp(`^connection to ${hp()} reset while reading the response body$`), engramiaPrefix: true },
    { name: 'closed without a response', base: () => `${faulty.url}/reset-headers`, reason: new RegExp(`^connection to ${hp()} reset before the response headers arrived$`), engramiaPrefix: true },
  ];
  for (const row of rows) {
    test(row.name, async () => {
      const { http, engramia } = await both(row.base, row.timeout ?? '10s');
      assert.equal(http.verdict, 'fail', http.reason);
      assert.equal(engramia.verdict, 'fail', engramia.reason);
      assert.match(http.reason, row.reason);
      // The Engramia text names its route (GET /v1/version), then the same phrase.
      const expected = row.engramiaPrefix ? `GET /v1/version: ${http.reason}` : http.reason;
      assert.equal(engramia.reason, expected);
      assert.equal(engramia.next, http.next);
    });
  }

  test('cancelled by the user: both skipped "cancelled" (not a timeout)', async () => {
    const controller = new AbortController();
    const pending = both(() => `${faulty.url}/hang-headers`, '10s', { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const { http, engramia } = await pending;
    for (const run of [http, engramia]) {
      assert.equal(run.verdict, 'skipped');
      assert.equal(run.reason, 'cancelled');
    }
  });
});
