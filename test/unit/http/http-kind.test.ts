/**
 * The `http` kind over real HTTP against the faulty server, driven through runCheck.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'undici';
import { startFaultyServer } from '../../servers/faulty/server';
import { API_KEY, httpCheck, makeEnv, newKind, useFaultyServer } from './helpers';
import type { CheckRun } from '../../../src/core/checks/types';
import { assertNoSecret } from '../../support/secrets';

const fx = useFaultyServer();

const env = (inputs: Record<string, string> = {}, secrets: string[] = []) => makeEnv(fx.kind, { baseUrl: fx.server.url, ...inputs }, secrets);

function assertOneLine(run: CheckRun) {
  assert.ok(!run.reason.includes('\n'), 'reason is one line');
  if (run.next) assert.ok(!run.next.includes('\n'), 'next is one line');
}

describe('passing requests', () => {
  test('no conditions: 2xx passes; data has host, status, time, server version', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/health');
    assert.equal(run.verdict, 'pass', run.reason);
    assert.match(run.reason, /^200 OK in \d+ ms$/);
    assert.equal(run.data?.targetHost, `127.0.0.1:${fx.server.port}`);
    assert.equal(run.data?.status, 200);
    assert.equal(typeof run.data?.durationMs, 'number');
    assert.equal(run.data?.serverVersion, '0.7.0');
    assert.match(run.details!, /GET http:\/\/127\.0\.0\.1:\d+\/health/);
    assert.match(run.details!, /"pattern_count": 1204/);
  });

  test('POST recall with JSON body, inputs substituted, count/where condition', async () => {
    const body = [
      'POST {{baseUrl}}/v1/recall',
      'Authorization: Bearer {{apiKey}}',
      'Content-Type: application/json',
      '',
      '{"task": "{{sampleTask}}", "limit": 3}',
      '',
      '?? status == 200',
      '?? count matches where reuse_tier in [duplicate, adapt] between 1 and 3',
      '?? json matches[0].pattern.task == "{{sampleTask}}"',
    ].join('\n');
    const run = await httpCheck(env({ apiKey: API_KEY, sampleTask: 'Build a CSV parser' }), body);
    assert.equal(run.verdict, 'pass', run.reason);
    assert.match(run.reason, /200 OK in .*; 3 conditions passed/);
    assert.equal(run.conditions?.length, 3);
    assert.equal(run.conditions?.[1]?.actual, '2');
    assert.match(run.details!, /Values used by the conditions:[\s\S]*`matches` = `\[3 items\]`/);
    assert.match(run.details!, /✅ `count matches where reuse_tier in \[duplicate, adapt\] between 1 and 3` → 2/);
  });

  test('query inputs are URL-encoded; JSON body inputs JSON-escaped', async () => {
    const run = await httpCheck(env({ q: 'a b&c=d' }), 'GET {{baseUrl}}/health?task={{q}}\n\n?? status == 200');
    assert.equal(run.verdict, 'pass');
    assert.ok(fx.server.log.includes('GET /health?task=a%20b%26c%3Dd'), fx.server.log.join('\n'));
    const post = await httpCheck(env({ t: 'say "hi"\n' }), 'POST {{baseUrl}}/v1/recall\n\n{"task": "{{t}}"}\n\n?? status == 200');
    assert.equal(post.verdict, 'pass', post.reason);
  });

  test('??warn failing gives verdict warn with the written next step', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/health\n\n?? status == 200\n??warn json pattern_count < 1000 -- near the quota: delete old patterns');
    assert.equal(run.verdict, 'warn');
    assert.equal(run.reason, 'pattern_count is 1204, expected < 1000');
    assert.equal(run.next, 'near the quota: delete old patterns');
  });

  test('a failing condition on a 2xx response names the actual value', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/health\n\n?? json pattern_count >= {{expected}}', {}, {});
    assert.equal(run.verdict, 'error'); // missing input → error before sending
    assert.match(run.reason, /missing input: expected/);
    const run2 = await httpCheck(env({ expected: '2000' }), 'GET {{baseUrl}}/health\n\n?? json pattern_count >= {{expected}} -- run the backfill first');
    assert.equal(run2.verdict, 'fail');
    assert.equal(run2.reason, 'pattern_count is 1204, expected >= 2000');
    assert.equal(run2.next, 'run the backfill first');
    assert.match(run2.details!, /❌ `json pattern_count >= 2000` → 1204/);
  });
});

describe('network faults', () => {
  test('DNS failure under .invalid', async () => {
    const run = await httpCheck(env(), 'GET http://engramia.example.invalid/v1/health');
    assert.equal(run.verdict, 'fail');
    assert.equal(run.reason, 'cannot resolve host engramia.example.invalid');
    assert.match(run.next!, /host name/);
    assert.equal(run.data?.error, 'dns');
  });

  test('connection refused', async () => {
    const probe = await startFaultyServer();
    const port = probe.port;
    await probe.close();
    const run = await httpCheck(env(), `GET http://127.0.0.1:${port}/health`);
    assert.equal(run.verdict, 'fail');
    assert.equal(run.reason, `connection refused by 127.0.0.1:${port}`);
    assert.match(run.next!, /start the server/);
  });

  test('connect timeout (connector that never connects)', async () => {
    const hanging = newKind({
      dispatcherFactory: () => new Agent({ connect: (_opts: unknown, _cb: unknown) => undefined } as never),
    });
    try {
      const run = await httpCheck(makeEnv(hanging, { baseUrl: fx.server.url }), 'GET {{baseUrl}}/health', { timeout: '300ms' });
      assert.equal(run.verdict, 'fail');
      assert.match(run.reason, /^connect timeout to 127\.0\.0\.1:\d+ after 300 ms$/);
      assert.equal(run.data?.phase, 'connect');
    } finally {
      await hanging.dispose();
    }
  });

  test('headers timeout: server accepts and never answers', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/hang-headers', { timeout: '300ms' });
    assert.equal(run.verdict, 'fail');
    assert.match(run.reason, /^no response headers from 127\.0\.0\.1:\d+ within 300 ms$/);
    assert.equal(run.data?.phase, 'headers');
    assertOneLine(run);
  });

  test('body timeout: server stalls mid-body', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/hang-body', { timeout: '300ms' });
    assert.equal(run.verdict, 'fail');
    assert.match(run.reason, /^response body from 127\.0\.0\.1:\d+ not complete within 300 ms$/);
    assert.equal(run.data?.phase, 'body');
  });

  test('reset mid-body', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/reset-body');
    assert.equal(run.verdict, 'fail');
    assert.match(run.reason, /^connection to 127\.0\.0\.1:\d+ reset while reading the response body$/);
    assert.equal(run.data?.phase, 'body');
  });
});

describe('more network edges', () => {
  test('reset before the response headers', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/reset-headers');
    assert.equal(run.verdict, 'fail');
    assert.match(run.reason, /^connection to 127\.0\.0\.1:\d+ reset before the response headers arrived$/);
  });

  test('a body over 2 MiB is cut: raw conditions still work, JSON conditions say why they cannot', async () => {
    const ok = await httpCheck(env(), 'GET {{baseUrl}}/big\n\n?? status == 200\n?? body includes items');
    assert.equal(ok.verdict, 'pass', ok.reason);
    const js = await httpCheck(env(), 'GET {{baseUrl}}/big\n\n?? json items.length > 0');
    assert.equal(js.verdict, 'fail');
    assert.match(js.reason, /larger than 2097152 bytes and was cut/);
  });

  test('HEAD has no body and passes on 2xx', async () => {
    const run = await httpCheck(env(), 'HEAD {{baseUrl}}/health\n\n?? header content-type includes json');
    assert.equal(run.verdict, 'pass', run.reason);
  });
});

describe('HTTP error responses', () => {
  test('500 with an HTML page shows status and title, never the HTML', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/html-500\n\n?? status == 200');
    assert.equal(run.verdict, 'fail');
    assert.equal(run.reason, '500 Internal Server Error: Internal Server Error | gateway');
    assert.ok(!run.details!.includes('<html'), 'no raw HTML in details');
    assert.match(run.details!, /HTML page \(\d+ bytes\): \*\*Internal Server Error \| gateway\*\*/);
    const plain = await httpCheck(env(), 'GET {{baseUrl}}/text-500');
    assert.equal(plain.reason, '500 Internal Server Error');
  });

  test('invalid JSON when conditions need JSON', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/not-json\n\n?? json status == ok');
    assert.equal(run.verdict, 'fail');
    assert.equal(run.reason, 'response body is not JSON (200 OK): hello, this is not JSON');
    // without JSON conditions the same response passes
    assert.equal((await httpCheck(env(), 'GET {{baseUrl}}/not-json\n\n?? body includes hello')).verdict, 'pass');
  });

  test('schema drift names the missing field', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/drift\n\n?? status == 200\n?? json pattern_count_used < 9500');
    assert.equal(run.verdict, 'fail');
    assert.match(run.reason, /^schema drift: field "pattern_count_used" is missing from the response \(200 OK/);
    assert.equal(run.data?.missingField, 'pattern_count_used');
    assert.match(run.next!, /API reference/);
  });

  test('401: invalid key and missing key point at "Runbook: Set API Key" / ENGRAMIA_API_KEY', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/401\n\n?? status == 200');
    assert.equal(run.verdict, 'fail');
    assert.equal(run.reason, '401 Unauthorized: Invalid API key.');
    assert.match(run.next!, /"Runbook: Set API Key".*ENGRAMIA_API_KEY/);
    const missing = await httpCheck(env(), 'GET {{baseUrl}}/401-missing');
    assert.match(missing.next!, /no valid Bearer key was sent/);
  });

  test('403 role message is parsed', async () => {
    const run = await httpCheck(env(), 'POST {{baseUrl}}/403\n\n{}');
    assert.equal(run.verdict, 'fail');
    assert.equal(run.reason, "the key's role reader lacks permission learn");
    assert.match(run.next!, /editor or higher/);
    assert.equal(run.data?.errorCategory, 'forbidden');
    const plain = await httpCheck(env(), 'GET {{baseUrl}}/403-plain');
    assert.equal(plain.reason, '403 Forbidden: Editors can only delete patterns they created.');
  });

  test('routing errors and the known guide mistakes', async () => {
    const recall = await httpCheck(env(), 'GET {{baseUrl}}/v1/recall?task=x&limit=3\n\n?? status == 200');
    assert.equal(recall.verdict, 'fail');
    assert.equal(recall.reason, 'GET /v1/recall does not exist (405 Method Not Allowed): recall is POST /v1/recall with a JSON body {"task": …, "limit": 3}');
    assert.match(recall.next!, /POST \/v1\/recall/);
    const del = await httpCheck(env(), 'POST {{baseUrl}}/v1/governance/delete-scope?dry_run=true');
    assert.match(del.reason, /^POST \/v1\/governance\/delete-scope does not exist \(404 Not Found\): no such route; scoped deletion is DELETE \/v1\/governance\/projects\/\{id\}/);
    const me = await httpCheck(env(), 'GET {{baseUrl}}/v1/keys/me');
    assert.match(me.reason, /there is no whoami; use the role probe/);
    const unknown = await httpCheck(env(), 'GET {{baseUrl}}/v1/nothing-here');
    assert.equal(unknown.reason, 'route GET /v1/nothing-here does not exist (404 Not Found)');
    const wrongMethod = await httpCheck(env(), 'PUT {{baseUrl}}/v1/recall');
    assert.equal(wrongMethod.reason, 'method PUT is not allowed on /v1/recall (405 Method Not Allowed)');
  });

  test('422 in both body shapes', async () => {
    const fastapi = await httpCheck(env(), 'POST {{baseUrl}}/422-fastapi\n\n{}');
    assert.equal(fastapi.reason, '422 validation failed: body.task: Field required');
    const main = await httpCheck(env(), 'POST {{baseUrl}}/422-main\n\n{}');
    assert.equal(main.reason, '422 validation failed: body.limit: Input should be less than or equal to 50');
    assert.match(main.next!, /fix the request body/);
  });

  test('429 quota vs rate limit', async () => {
    const quota = await httpCheck(env(), 'POST {{baseUrl}}/429-quota\n\n{}');
    assert.equal(quota.verdict, 'fail');
    assert.match(quota.reason, /^429 quota exceeded \(4 of 2\): Project pattern quota reached/);
    assert.match(quota.next!, /retrying will not help/);
    const rate = await httpCheck(env(), 'POST {{baseUrl}}/429-then-ok?after=7&times=5\n\n{}');
    assert.equal(rate.reason, '429 rate limited: Rate limit exceeded. Max 5 requests per minute.; retry after 7 s');
    assert.equal(rate.data?.errorCategory, 'rate-limited');
  });

  test('503 maintenance vs needs a database', async () => {
    const maint = await httpCheck(env(), 'GET {{baseUrl}}/503-maintenance');
    assert.equal(maint.verdict, 'fail');
    assert.match(maint.reason, /^503 maintenance: Service is under scheduled maintenance\..*\(retry after 3600 s\)$/);
    assert.match(maint.next!, /maintenance mode/);
    assert.match(maint.details!, /429 not retried|GET .*503-maintenance/); // never waited an hour
    const db = await httpCheck(env(), 'GET {{baseUrl}}/503-db');
    assert.match(db.reason, /^503 needs a database: Key management requires DB auth mode/);
    assert.match(db.next!, /ENGRAMIA_DATABASE_URL/);
  });

  test('an expected error status can be a pass condition', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/v1/recall\n\n?? status == 405');
    assert.equal(run.verdict, 'pass');
  });
});

describe('retries', () => {
  test('GET is retried once after a short Retry-After', async () => {
    const before = fx.server.hits('/429-then-ok');
    const run = await httpCheck(env(), 'GET {{baseUrl}}/429-then-ok?after=1&times=1&k=get1\n\n?? status == 200', { timeout: '5s' });
    assert.equal(run.verdict, 'pass', run.reason);
    assert.equal(fx.server.hits('/429-then-ok') - before, 2);
    assert.equal(run.data?.attempts, 2);
    assert.match(run.details!, /retried after 1 s/);
  });

  test('GET gives up after the allowed retries; retries=0 disables them', async () => {
    const before = fx.server.hits('/429-then-ok');
    const run = await httpCheck(env(), 'GET {{baseUrl}}/429-then-ok?after=0&times=5&k=get2');
    assert.equal(run.verdict, 'fail');
    assert.equal(fx.server.hits('/429-then-ok') - before, 2);
    const b2 = fx.server.hits('/429-then-ok');
    await httpCheck(env(), 'GET {{baseUrl}}/429-then-ok?after=0&times=5&k=get3', { retries: '0' });
    assert.equal(fx.server.hits('/429-then-ok') - b2, 1);
  });

  test('Retry-After longer than the time left is not waited for', async () => {
    const before = fx.server.hits('/429-then-ok');
    const run = await httpCheck(env(), 'GET {{baseUrl}}/429-then-ok?after=30&times=1&k=get4', { timeout: '2s' });
    assert.equal(run.verdict, 'fail');
    assert.equal(fx.server.hits('/429-then-ok') - before, 1);
    assert.match(run.details!, /429 not retried: Retry-After 30 s is longer than the time left/);
  });

  test('POST is never retried', async () => {
    const before = fx.server.hits('/429-then-ok');
    const run = await httpCheck(env(), 'POST {{baseUrl}}/429-then-ok?after=0&times=1&k=post1\n\n{}', { retries: '3' });
    assert.equal(run.verdict, 'fail');
    assert.equal(fx.server.hits('/429-then-ok') - before, 1);
  });
});

describe('cancellation', () => {
  test('abort mid-request → skipped "cancelled", server sees the socket close', async () => {
    const controller = new AbortController();
    const closed = fx.server.waitForClientClose('/hang-headers');
    const pending = httpCheck(env(), 'GET {{baseUrl}}/hang-headers?c=1', { timeout: '10s' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const run = await pending;
    assert.equal(run.verdict, 'skipped');
    assert.equal(run.reason, 'cancelled');
    await closed;
  });

  test('abort during the body', async () => {
    const controller = new AbortController();
    const closed = fx.server.waitForClientClose('/hang-body');
    const pending = httpCheck(env(), 'GET {{baseUrl}}/hang-body?c=2', { timeout: '10s' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 150);
    const run = await pending;
    assert.equal(run.verdict, 'skipped');
    await closed;
  });

  test('abort during a Retry-After wait', async () => {
    const controller = new AbortController();
    const pending = httpCheck(env(), 'GET {{baseUrl}}/429-then-ok?after=5&times=1&k=cancel', { timeout: '10s' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const run = await pending;
    assert.equal(run.verdict, 'skipped');
  });
});

describe('masking', () => {
  test('an undeclared Authorization value never appears, even when echoed', async () => {
    const run = await httpCheck(env({ apiKey: API_KEY }), 'GET {{baseUrl}}/echo-auth\nAuthorization: Bearer {{apiKey}}\n\n?? json you_sent == nothing');
    assert.equal(run.verdict, 'fail');
    const all = JSON.stringify(run);
    assertNoSecret(all, API_KEY, 'the run'); // also its base64 after "Bearer " (byte 1 of 3)
    assert.match(run.details!, /Authorization: Bearer ••••••/);
    assert.match(run.reason, /^you_sent is "(Bearer )?••••••", expected == "nothing"$/);
  });

  test('declared secrets are masked in reason, details and output', async () => {
    const secret = 'hunter2-secret-value';
    const chunks: string[] = [];
    const run = await httpCheck(env({ token: secret }, [secret]), 'GET {{baseUrl}}/v1/recall?token={{token}}', {}, { emit: (c) => chunks.push(c.text) });
    assert.equal(run.verdict, 'fail');
    const all = JSON.stringify(run) + chunks.join('');
    assertNoSecret(all, secret, 'the run and its output');
  });
});

describe('validation and bad bodies', () => {
  test('invalid conditions are errors before any request', async () => {
    const before = fx.server.log.length;
    const run = await httpCheck(env(), 'GET {{baseUrl}}/health\n\n?? status => 200');
    assert.equal(run.verdict, 'error');
    assert.match(run.reason, /invalid condition: line 3: unknown operator "=>"/);
    assert.equal(fx.server.log.length, before);
  });

  test('process-only subjects are refused', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/health\n\n?? exit == 0');
    assert.equal(run.verdict, 'error');
    assert.match(run.reason, /no "exit"/);
  });

  test('bad request line, header, URL', async () => {
    assert.match((await httpCheck(env(), 'FETCH {{baseUrl}}/health')).reason, /unknown method "FETCH"/);
    assert.match((await httpCheck(env(), 'GET {{baseUrl}}/health\nnot a header\n')).reason, /invalid header line "not a header"/);
    assert.match((await httpCheck(env({ baseUrl: 'localhost:8000' }), 'GET {{baseUrl}}/health')).reason, /invalid URL|unsupported URL scheme/);
    assert.match((await httpCheck(env(), '?? status == 200')).reason, /no request line/);
  });

  test('a bare URL means GET; comments before the request line are ignored', async () => {
    const run = await httpCheck(env(), '# health probe\n// second comment\n{{baseUrl}}/health');
    assert.equal(run.verdict, 'pass');
  });

  test('keep-alive: sequential checks to one origin reuse the connection', async () => {
    await httpCheck(env(), 'GET {{baseUrl}}/health');
    const c0 = fx.server.connections();
    for (let i = 0; i < 5; i++) await httpCheck(env(), 'GET {{baseUrl}}/health');
    assert.equal(fx.server.connections(), c0);
  });
});

describe('destructive requests', () => {
  test('DELETE asks a typed confirmation (the last path segment); declined → nothing sent', async () => {
    const asked: { preview: string; expected: string }[] = [];
    const e = makeEnv(fx.kind, { baseUrl: fx.server.url, apiKey: API_KEY }, [], { answer: false, asked });
    const before = fx.server.hits('/v1/governance/projects/p_main');
    const run = await httpCheck(e, 'DELETE {{baseUrl}}/v1/governance/projects/p_main\nAuthorization: Bearer {{apiKey}}');
    assert.equal(run.verdict, 'fail');
    assert.equal(run.reason, 'not confirmed (type "p_main" to go ahead), so nothing was sent');
    assert.equal(fx.server.hits('/v1/governance/projects/p_main'), before);
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.expected, 'p_main');
    assert.match(asked[0]!.preview, /^DELETE http:\/\/127\.0\.0\.1:\d+\/v1\/governance\/projects\/p_main\nAuthorization: Bearer ••••••$/);
    assertNoSecret(asked[0]!.preview, API_KEY, 'the confirmation preview');
  });

  test('confirmed DELETE is sent once; confirm=<word> and destructive=true ask too', async () => {
    const e = makeEnv(fx.kind, { baseUrl: fx.server.url }, [], { answer: true });
    const before = fx.server.hits('/v1/governance/projects/p_two');
    const run = await httpCheck(e, 'DELETE {{baseUrl}}/v1/governance/projects/p_two\n\n?? json keys_revoked == 2');
    assert.equal(run.verdict, 'pass', run.reason);
    assert.equal(fx.server.hits('/v1/governance/projects/p_two') - before, 1);
    const asked: { preview: string; expected: string }[] = [];
    const e2 = makeEnv(fx.kind, { baseUrl: fx.server.url }, [], { answer: true, asked });
    await httpCheck(e2, 'POST {{baseUrl}}/v1/recall\n\n{}', { confirm: 'go' });
    await httpCheck(e2, 'POST {{baseUrl}}/v1/recall\n\n{}', { destructive: 'true' });
    assert.deepEqual(asked.map((a) => a.expected), ['go', 'recall']);
  });

  test('unknown attributes are errors (a misspelt attribute never silently drops a setting)', async () => {
    const run = await httpCheck(env(), 'GET {{baseUrl}}/health', { retires: '2' });
    assert.equal(run.verdict, 'error');
    assert.match(run.reason, /invalid attribute/);
  });
});
