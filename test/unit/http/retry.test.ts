/**
 * The one retry policy (src/core/http/retry.ts), shared by the http kind and the Engramia client:
 * its rules as a table, then both callers against a real 127.0.0.1 server answering 429/503 with
 * every kind of Retry-After (seconds, HTTP-date, huge, garbage, none), writes and destructive calls
 * included.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_RATE_LIMIT_WAIT_MS, parseRetryAfter, RETRY_AFTER_CAP_MS, retryDecision, type RetryQuestion } from '../../../src/core/http/retry';
import { EngramiaApiError, EngramiaClient } from '../../../src/core/engramia';
import { httpCheck, makeEnv, newKind } from './helpers';
import type { HttpKind } from '../../../src/core/http';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  test('delta-seconds and the three HTTP-date forms (all GMT)', () => {
    assert.equal(parseRetryAfter('120', now), 120);
    assert.equal(parseRetryAfter(' 7 ', now), 7);
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter('Thu, 03 Dec 2026 12:00:30 GMT', now), 30);
    assert.equal(parseRetryAfter('Thursday, 03-Dec-26 12:00:30 GMT', now), 30);
    assert.equal(parseRetryAfter('Thu Dec  3 12:00:30 2026', now), 30);
    assert.equal(parseRetryAfter('Thu, 03 Dec 2026 11:00:00 GMT', now), 0, 'a date in the past: no wait');
  });
  test('anything else is ignored, never guessed (Date.parse would read "1.5" and "-5" as dates)', () => {
    for (const v of ['soon', '1.5', '-5', '2026-12-03', '2026-12-03T12:00:30Z', '1e3', '', '   ', 'Thu, 03 Dec 2026 12:00:30 PST', '9'.repeat(100), undefined, null]) {
      assert.equal(parseRetryAfter(v, now), undefined, String(v));
    }
  });
  test('a huge delta is read as huge (and then refused by the cap), not wrapped', () => {
    assert.ok(parseRetryAfter('99999999999999999999', now)! > 1e19);
  });
});

describe('retryDecision', () => {
  const ask = (q: Partial<RetryQuestion>) => retryDecision({ method: 'GET', status: 429, retriesSoFar: 0, maxRetries: 1, ...q });
  test('a 429 on a GET is retried after Retry-After; without one, after 1 s', () => {
    assert.deepEqual(ask({ retryAfter: '2' }), { retry: true, waitMs: 2000, note: '429 received; retried after 2 s (Retry-After)' });
    assert.equal((ask({}) as { waitMs: number }).waitMs, DEFAULT_RATE_LIMIT_WAIT_MS);
    assert.equal((ask({ bodyRetryAfterSeconds: 3 }) as { waitMs: number }).waitMs, 3000, 'error_context.retry_after when no header');
    assert.equal((ask({ retryAfter: '2', bodyRetryAfterSeconds: 3 }) as { waitMs: number }).waitMs, 2000, 'the header wins');
    assert.equal((ask({ method: 'HEAD', retryAfter: '1' }) as { retry: boolean }).retry, true);
  });
  test('a 503 is retried only with a Retry-After', () => {
    assert.equal(ask({ status: 503, retryAfter: '1' }).retry, true);
    assert.deepEqual(ask({ status: 503 }), { retry: false, note: '503 not retried: the server gave no Retry-After' });
  });
  test('never: other statuses, writes, destructive calls, quotas, retries used up', () => {
    for (const q of [
      { status: 500, retryAfter: '1' }, { status: 200 },
      { method: 'POST', retryAfter: '0' }, { method: 'PUT', retryAfter: '0' }, { method: 'PATCH', retryAfter: '0' }, { method: 'DELETE', retryAfter: '0' },
      { method: 'DELETE', status: 503, retryAfter: '0', maxRetries: 5 }, { destructive: true, retryAfter: '0' },
      { quota: true, retryAfter: '0' }, { retriesSoFar: 1, retryAfter: '0' }, { maxRetries: 0, retryAfter: '0' },
    ] satisfies Partial<RetryQuestion>[]) assert.equal(ask(q).retry, false, JSON.stringify(q));
  });
  test('a wait longer than the cap or the time left is not started (and says so)', () => {
    assert.equal(RETRY_AFTER_CAP_MS, 10_000);
    assert.deepEqual(ask({ retryAfter: '10' }).retry, true);
    assert.deepEqual(ask({ retryAfter: '11' }), { retry: false, note: '429 not retried: Retry-After 11 s is longer than the 10 s cap' });
    assert.deepEqual(ask({ retryAfter: '99999999999999999999' }), { retry: false, note: '429 not retried: Retry-After of more than a day is longer than the 10 s cap' });
    assert.deepEqual(ask({ retryAfter: '5', timeLeftMs: 4000 }), { retry: false, note: '429 not retried: Retry-After 5 s is longer than the time left before the timeout' });
    assert.equal(ask({ retryAfter: '3', capMs: 2000 }).retry, false, 'a caller may lower the cap');
    assert.equal(ask({ retryAfter: '30', capMs: 60_000 }).retry, false, 'but never raise it');
  });
});

// --- Both callers against a real server -------------------------------------------------------

interface Script {
  status: number;
  retryAfter?: string | (() => string);
  times: number;
}

/** A 127.0.0.1 server answering `script[METHOD path]` for its first `times` requests, then 200. */
async function startScripted() {
  const script = new Map<string, Script>();
  const hits = new Map<string, number>();
  const ok: Record<string, unknown> = {
    '/v1/health': { status: 'ok', storage: 'JSONStorage', pattern_count: 3 },
    '/v1/metrics': { runs: 1, success_rate: 1, avg_eval_score: null, pattern_count: 3, reuse_rate: 0 },
  };
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const key = `${req.method} ${path}`;
    const n = (hits.get(key) ?? 0) + 1;
    hits.set(key, n);
    req.resume();
    const s = script.get(key);
    if (s && n <= s.times) {
      const ra = typeof s.retryAfter === 'function' ? s.retryAfter() : s.retryAfter;
      res.writeHead(s.status, { 'content-type': 'application/json', ...(ra !== undefined ? { 'retry-after': ra } : {}) });
      res.end(JSON.stringify(s.status === 429 ? { error_code: 'RATE_LIMITED', detail: 'slow down' } : { error_code: 'SERVICE_UNAVAILABLE', detail: 'busy' }));
      return;
    }
    const project = /^\/v1\/governance\/projects\/([^/]+)$/.exec(path);
    const body = project ? { tenant_id: 't', project_id: project[1], patterns_deleted: 0, jobs_deleted: 0, keys_revoked: 0, projects_deleted: 1 } : (ok[path] ?? { status: 'ok' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let seq = 0;
  return {
    url,
    /** A fresh path answering with `s` first (so tests never share counters). */
    path(s: Script, method = 'GET', base = '/r'): string {
      const p = `${base}/${++seq}`;
      script.set(`${method} ${p}`, s);
      return p;
    },
    set(method: string, path: string, s: Script) {
      hits.delete(`${method} ${path}`);
      script.set(`${method} ${path}`, s);
    },
    hits: (method: string, path: string) => hits.get(`${method} ${path}`) ?? 0,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

type Scripted = Awaited<ReturnType<typeof startScripted>>;
const httpDate = (inMs: number) => () => new Date(Date.now() + inMs).toUTCString();

describe('the http kind follows the policy (real server)', () => {
  let srv: Scripted;
  let kind: HttpKind;
  before(async () => {
    srv = await startScripted();
    kind = newKind();
  });
  after(async () => {
    await kind.dispose();
    await srv.close();
  });
  const env = () => makeEnv(kind, { baseUrl: srv.url }, [], { answer: true });
  const get = async (s: Script, attributes: Record<string, string> = { timeout: '60s' }, method = 'GET') => {
    const p = srv.path(s, method);
    const run = await httpCheck(env(), `${method} {{baseUrl}}${p}${method === 'GET' ? '' : '\n\n{}'}`, attributes);
    return { run, hits: srv.hits(method, p) };
  };

  test('429 / 503 with Retry-After in seconds or as an HTTP-date: retried once, then passes', async () => {
    for (const s of [{ status: 429, retryAfter: '1', times: 1 }, { status: 503, retryAfter: '1', times: 1 }, { status: 429, retryAfter: httpDate(1000), times: 1 }, { status: 503, retryAfter: httpDate(1000), times: 1 }]) {
      const { run, hits } = await get(s);
      assert.equal(run.verdict, 'pass', `${s.status}: ${run.reason}`);
      assert.equal(hits, 2);
      assert.equal(run.data?.attempts, 2);
      assert.match(run.details!, new RegExp(`${s.status} received; retried after \\d`));
    }
  });

  test('a garbage Retry-After is ignored: a 429 waits the default 1 s, a 503 is not retried', async () => {
    const rate = await get({ status: 429, retryAfter: '1.5', times: 1 });
    assert.equal(rate.run.verdict, 'pass', rate.run.reason);
    assert.equal(rate.hits, 2);
    assert.match(rate.run.details!, /retried after 1 s \(no Retry-After: 1 s\)/);
    const down = await get({ status: 503, retryAfter: 'soon', times: 1 });
    assert.equal(down.run.verdict, 'fail');
    assert.equal(down.hits, 1);
    assert.match(down.run.details!, /503 not retried: the server gave no Retry-After/);
  });

  test('a huge or merely long Retry-After is not waited out, even with a long timeout: the 10 s cap', async () => {
    for (const [ra, note] of [
      ['30', /429 not retried: Retry-After 30 s is longer than the 10 s cap/],
      [httpDate(3_600_000), /429 not retried: Retry-After (1 h 00 min|59 min 59 s) is longer than the time left/],
      ['99999999999999999999', /429 not retried: Retry-After of more than a day is longer than the time left/],
    ] as const) {
      const { run, hits } = await get({ status: 429, retryAfter: ra, times: 1 }, { timeout: '120s' });
      assert.equal(run.verdict, 'fail');
      assert.equal(hits, 1);
      assert.match(run.details!, note);
    }
  });

  test('the check timeout still bounds the wait: a Retry-After under the cap but over the time left is not started', async () => {
    const { run, hits } = await get({ status: 503, retryAfter: '5', times: 1 }, { timeout: '2s' });
    assert.equal(run.verdict, 'fail');
    assert.equal(hits, 1);
    assert.match(run.details!, /503 not retried: Retry-After 5 s is longer than the time left before the timeout/);
  });

  test('DELETE, POST and a destructive GET are never retried, whatever Retry-After says', async () => {
    for (const status of [429, 503]) {
      const del = await get({ status, retryAfter: '0', times: 1 }, { timeout: '60s', retries: '5' }, 'DELETE');
      assert.equal(del.run.verdict, 'fail', `DELETE ${status}`);
      assert.equal(del.hits, 1, `DELETE ${status}`);
      const post = await get({ status, retryAfter: '0', times: 1 }, { timeout: '60s', retries: '5' }, 'POST');
      assert.equal(post.hits, 1, `POST ${status}`);
      const destructive = await get({ status, retryAfter: '0', times: 1 }, { timeout: '60s', retries: '5', destructive: 'true' });
      assert.equal(destructive.hits, 1, `destructive GET ${status}`);
    }
  });
});

describe('the Engramia client follows the same policy (real server)', () => {
  let srv: Scripted;
  before(async () => {
    srv = await startScripted();
  });
  after(() => srv.close());
  const client = (extra: Partial<ConstructorParameters<typeof EngramiaClient>[0]> = {}) => new EngramiaClient({ baseUrl: srv.url, apiKey: 'engramia_sk_' + 'k'.repeat(43), ...extra });

  test('429 / 503 with Retry-After in seconds or as an HTTP-date: the GET is retried once', async () => {
    for (const s of [{ status: 429, retryAfter: '1', times: 1 }, { status: 503, retryAfter: '1', times: 1 }, { status: 429, retryAfter: httpDate(1000), times: 1 }]) {
      srv.set('GET', '/v1/health', s);
      const h = await client().health();
      assert.equal(h.pattern_count, 3);
      assert.equal(srv.hits('GET', '/v1/health'), 2, String(s.status));
    }
  });

  test('huge, long or garbage-on-503 Retry-After: not retried; a larger maxRetryWaitMs does not lift the cap', async () => {
    for (const [s, opts] of [
      [{ status: 429, retryAfter: '99999999999999999999', times: 1 }, {}],
      [{ status: 429, retryAfter: '30', times: 1 }, { maxRetryWaitMs: 60_000 }],
      [{ status: 503, retryAfter: 'garbage', times: 1 }, {}],
      [{ status: 503, times: 1 }, {}],
    ] as const) {
      srv.set('GET', '/v1/metrics', { ...s });
      const err = await client(opts).metrics().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof EngramiaApiError, String(err));
      assert.equal(err.status, s.status);
      assert.equal(srv.hits('GET', '/v1/metrics'), 1, JSON.stringify(s));
    }
  });

  test('delete-project (DELETE) is never retried, whatever Retry-After says and however many retries are allowed', async () => {
    for (const status of [429, 503]) {
      const path = `/v1/governance/projects/p${status}`;
      srv.set('DELETE', path, { status, retryAfter: '0', times: 1 });
      const err = await client({ maxRetries: 5 }).deleteProject(`p${status}`).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof EngramiaApiError);
      assert.equal(srv.hits('DELETE', path), 1);
    }
  });

  test('the caller\'s deadline bounds the wait: not started when it would outlast the time left, cut when the signal fires', async () => {
    srv.set('GET', '/v1/health', { status: 429, retryAfter: '5', times: 1 });
    const err = await client({ timeLeftMs: () => 1000 }).health().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof EngramiaApiError);
    assert.equal(srv.hits('GET', '/v1/health'), 1);

    srv.set('GET', '/v1/health', { status: 429, retryAfter: '5', times: 1 });
    const signal = AbortSignal.timeout(200);
    const cut = await client({ signal }).health().then(() => undefined, (e: unknown) => e);
    assert.ok(signal.aborted);
    assert.ok(cut !== undefined && !(cut instanceof EngramiaApiError), 'ended by the timeout, not by a retried answer');
    assert.equal(srv.hits('GET', '/v1/health'), 1);
  });
});
