/**
 * describeHttpError / describeNetworkError / request parsing, on their own (no server).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeHttpError, describeNetworkError, firstTextLine, htmlTitle, parseRetryAfter } from '../../../src/core/http/errors';
import { buildRequest, headerSecrets, maskHeaderValue, parseRequestTemplate } from '../../../src/core/http/request';
import { MissingInputError } from '../../../src/core/checks/template';
import { errors as undiciErrors } from 'undici';
import { EngramiaNetworkError } from '../../../src/core/engramia';

const body = (o: unknown) => JSON.stringify(o);

test('error_code + detail + error_context (§5.5 rule 2)', () => {
  const d = describeHttpError(429, { 'Retry-After': '60' }, body({ error_code: 'RATE_LIMITED', detail: 'Rate limit exceeded. Max 60 requests per minute.', error_context: { retry_after: 60 } }));
  assert.equal(d.category, 'rate-limited');
  assert.equal(d.code, 'RATE_LIMITED');
  assert.equal(d.retryAfterSeconds, 60);
  assert.deepEqual(d.context, { retry_after: 60 });
  assert.match(d.cause, /^429 rate limited: .*; retry after 60 s$/);
});

test('retry_after from error_context when the header is absent', () => {
  const d = describeHttpError(429, {}, body({ error_code: 'RATE_LIMITED', detail: 'x', error_context: { retry_after: 12 } }));
  assert.equal(d.retryAfterSeconds, 12);
});

test('429 with a limit but no code is a quota (Engramia default for 429)', () => {
  const d = describeHttpError(429, {}, body({ error_code: 'QUOTA_EXCEEDED', detail: 'Pattern quota exceeded.', error_context: { current_count: 10, limit: 8 } }));
  assert.equal(d.category, 'quota');
  assert.match(d.cause, /^429 quota exceeded \(10 of 8\): Pattern quota exceeded\.$/);
});

test('string detail without error_code on 404/405 is a routing error (rule 3)', () => {
  assert.equal(describeHttpError(404, {}, body({ detail: 'Not Found' })).category, 'route');
  assert.equal(describeHttpError(404, {}, body({ error_code: 'NOT_FOUND', detail: 'Job not found.' })).category, 'not-found');
  const known = describeHttpError(405, {}, body({ detail: 'Method Not Allowed' }), { method: 'GET', path: 'https://api.example.com/v1/recall?task=x' });
  assert.match(known.cause, /^GET \/v1\/recall does not exist \(405 Method Not Allowed\): recall is POST/);
  const prefixed = describeHttpError(404, {}, body({ detail: 'Not Found' }), { method: 'POST', path: '/engramia/v1/governance/delete-scope' });
  assert.match(prefixed.next, /DELETE \/v1\/governance\/projects\/\{id\}/);
});

test('array detail (pre-main 422) and issues (main 422) (rule 4)', () => {
  const old = describeHttpError(422, {}, body({ detail: [{ loc: ['body', 'task'], msg: 'Field required', type: 'missing' }, { loc: ['body', 'limit'], msg: 'Input should be a valid integer' }] }));
  assert.equal(old.cause, '422 validation failed: body.task: Field required; body.limit: Input should be a valid integer');
  const main = describeHttpError(422, {}, body({ error_code: 'VALIDATION_ERROR', detail: 'Request validation failed.', issues: [{ loc: ['body', 'task'], msg: 'Field required' }] }));
  assert.equal(main.cause, '422 validation failed: body.task: Field required');
  assert.equal(main.code, 'VALIDATION_ERROR');
});

test('non-JSON bodies: plain text first line, HTML title (rule 1)', () => {
  assert.equal(describeHttpError(500, { 'content-type': 'text/plain' }, 'Internal Server Error').cause, '500 Internal Server Error');
  assert.equal(describeHttpError(502, { 'content-type': 'text/html' }, '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>').cause, '502 Bad Gateway: 502 Bad Gateway');
  assert.equal(describeHttpError(500, {}, '<div><p>Upstream &amp; friends failed</p></div>').cause, '500 Internal Server Error: Upstream & friends failed');
  assert.equal(describeHttpError(503, {}, '').cause, '503 Service Unavailable');
  assert.equal(htmlTitle('<TITLE>\n A  b </TITLE>'), 'A b');
  assert.equal(firstTextLine('\n\n  second  \nthird'), 'second');
});

test('401 / 403 / 503 variants', () => {
  const missing = describeHttpError(401, {}, body({ error_code: 'UNAUTHORIZED', detail: 'Missing or malformed Authorization header. Expected: Bearer <key>' }));
  assert.match(missing.next, /Runbook: Set API Key/);
  const role = describeHttpError(403, {}, body({ error_code: 'FORBIDDEN', detail: "Role 'editor' does not have permission 'keys:list'." }));
  assert.equal(role.cause, "the key's role editor lacks permission keys:list");
  assert.equal(role.role, 'editor');
  assert.equal(role.permission, 'keys:list');
  assert.match(role.next, /admin or higher/);
  const audit = describeHttpError(503, {}, body({ error_code: 'SERVICE_UNAVAILABLE', detail: 'Audit log is only available on DB-backed deployments. Configure ENGRAMIA_DATABASE_URL and migrate to enable.' }));
  assert.equal(audit.category, 'needs-database');
  const maint = describeHttpError(503, { 'retry-after': '3600' }, body({ error_code: 'SERVICE_UNAVAILABLE', detail: 'Service is under scheduled maintenance. Please try again later.', error_context: { retry_after: 3600 } }));
  assert.equal(maint.category, 'maintenance');
  const storage = describeHttpError(503, {}, body({ error_code: 'STORAGE_ERROR', detail: 'Storage backend error.' }));
  assert.equal(storage.category, 'unavailable');
  assert.equal(storage.cause, '503 storage error: Storage backend error.');
});

test('headers as a Headers object work too', () => {
  const h = new Headers({ 'Retry-After': '5' });
  assert.equal(describeHttpError(429, h, body({ error_code: 'RATE_LIMITED', detail: 'x' })).retryAfterSeconds, 5);
});

test('Retry-After: seconds or HTTP date', () => {
  assert.equal(parseRetryAfter('120'), 120);
  assert.equal(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString(), Date.now()), 30);
  assert.equal(parseRetryAfter('soon'), undefined);
});

test('network errors by code (nested causes too)', () => {
  const t = { host: 'h.invalid', hostPort: 'h.invalid:80', phase: 'connect' as const };
  assert.equal(describeNetworkError(Object.assign(new Error('getaddrinfo ENOTFOUND h.invalid'), { code: 'ENOTFOUND' }), t).kind, 'dns');
  const wrapped = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  assert.equal(describeNetworkError(wrapped, t).cause, 'connection refused by h.invalid:80');
  assert.equal(describeNetworkError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), { ...t, phase: 'headers' }).cause, 'connection to h.invalid:80 reset before the response headers arrived');
  assert.equal(describeNetworkError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), t).kind, 'tls');
  assert.equal(describeNetworkError(Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), { ...t, connectTimeoutMs: 5000 }).cause, 'connect timeout to h.invalid:80 after 5 s');
  assert.match(describeNetworkError(new Error('weird\nmultiline'), t).cause, /^request to h\.invalid:80 failed: weird multiline$/);
});

/**
 * One describer for every kind: each fault, as undici or the system raises it, gets the same
 * phrase and next step from the http kind's describer and from the Engramia client's error (which
 * adds its method and path once the request was on its way). A true connect timeout is produced
 * on loopback in test/unit/engramia/client.test.ts; here it is undici's own error object.
 */
test('network faults: the Engramia client words each one as the http kind does', () => {
  const sys = (code: string, message = code) => Object.assign(new Error(message), { code });
  const abort = (name: 'AbortError' | 'TimeoutError') => new DOMException(name === 'AbortError' ? 'This operation was aborted' : 'The operation was aborted due to timeout', name);
  type Row = { err: unknown; phase: 'connect' | 'headers' | 'body'; timeoutMs?: number; timedOut?: boolean; kind: string; cause: string; next: RegExp; hostOnly?: boolean };
  const rows: Row[] = [
    { err: sys('ENOTFOUND', 'getaddrinfo ENOTFOUND h.invalid'), phase: 'connect', kind: 'dns', cause: 'cannot resolve host h.invalid', next: /host name/, hostOnly: true },
    { err: new TypeError('fetch failed', { cause: sys('ECONNREFUSED') }), phase: 'connect', kind: 'refused', cause: 'connection refused by h.invalid:80', next: /^start the server/, hostOnly: true },
    { err: sys('EHOSTUNREACH'), phase: 'connect', kind: 'unreachable', cause: 'host h.invalid:80 is unreachable (EHOSTUNREACH)', next: /network route/, hostOnly: true },
    { err: sys('CERT_HAS_EXPIRED', 'certificate has expired'), phase: 'connect', kind: 'tls', cause: 'TLS problem with h.invalid:80: certificate has expired', next: /certificate/, hostOnly: true },
    // undici's connect timeout: its own phrase, never folded into a generic timeout.
    { err: new undiciErrors.ConnectTimeoutError(), phase: 'connect', kind: 'connect-timeout', cause: 'connect timeout to h.invalid:80', next: /host is reachable .* or raise timeout=…$/ },
    { err: new TypeError('fetch failed', { cause: new undiciErrors.ConnectTimeoutError() }), phase: 'connect', kind: 'connect-timeout', cause: 'connect timeout to h.invalid:80', next: /raise timeout=…$/ },
    { err: sys('ETIMEDOUT'), phase: 'connect', kind: 'connect-timeout', cause: 'connect timeout to h.invalid:80', next: /raise timeout=…$/ },
    // undici's headers/body timeouts and our own deadline say the same per phase.
    { err: new undiciErrors.HeadersTimeoutError(), phase: 'headers', timeoutMs: 10_000, kind: 'headers-timeout', cause: 'no response headers from h.invalid:80 within 10 s', next: /did not answer in time/ },
    { err: abort('TimeoutError'), phase: 'headers', timeoutMs: 10_000, timedOut: true, kind: 'headers-timeout', cause: 'no response headers from h.invalid:80 within 10 s', next: /did not answer in time/ },
    { err: new undiciErrors.BodyTimeoutError(), phase: 'body', timeoutMs: 10_000, kind: 'body-timeout', cause: 'response body from h.invalid:80 not complete within 10 s', next: /stopped sending mid-response/ },
    { err: abort('TimeoutError'), phase: 'body', timeoutMs: 10_000, timedOut: true, kind: 'body-timeout', cause: 'response body from h.invalid:80 not complete within 10 s', next: /stopped sending mid-response/ },
    { err: abort('TimeoutError'), phase: 'connect', timeoutMs: 300, timedOut: true, kind: 'connect-timeout', cause: 'connect timeout to h.invalid:80 after 300 ms', next: /raise timeout=…$/ },
    // The check's timeout (a plain Error as the abort reason) is a timeout too, never "cancelled".
    { err: new Error('timed out after 300 ms'), phase: 'headers', timeoutMs: 300, timedOut: true, kind: 'headers-timeout', cause: 'no response headers from h.invalid:80 within 300 ms', next: /did not answer in time/ },
    // Reset or closed by the server.
    { err: sys('ECONNRESET', 'read ECONNRESET'), phase: 'body', kind: 'reset', cause: 'connection to h.invalid:80 reset while reading the response body', next: /dropped the connection/ },
    { err: new undiciErrors.SocketError('other side closed'), phase: 'headers', kind: 'reset', cause: 'connection to h.invalid:80 reset before the response headers arrived', next: /dropped the connection/ },
    { err: new TypeError('terminated', { cause: new undiciErrors.SocketError('other side closed') }), phase: 'body', kind: 'reset', cause: 'connection to h.invalid:80 reset while reading the response body', next: /dropped the connection/ },
    // Aborted by the user, not by a deadline.
    { err: abort('AbortError'), phase: 'headers', kind: 'cancelled', cause: 'request to h.invalid:80 cancelled', next: /run the check again/ },
    { err: new undiciErrors.RequestAbortedError(), phase: 'body', kind: 'cancelled', cause: 'request to h.invalid:80 cancelled', next: /run the check again/ },
    // Unknown codes.
    { err: sys('EWEIRD', 'something odd'), phase: 'headers', kind: 'other', cause: 'request to h.invalid:80 failed: something odd', next: /server is reachable/ },
  ];
  for (const row of rows) {
    const target = { host: 'h.invalid', hostPort: 'h.invalid:80', phase: row.phase, ...(row.timeoutMs ? { timeoutMs: row.timeoutMs } : {}), ...(row.timedOut ? { timedOut: true } : {}) };
    const d = describeNetworkError(row.err, target);
    const label = `${row.kind} (${String((row.err as Error).name)})`;
    assert.equal(d.kind, row.kind, label);
    assert.equal(d.cause, row.cause, label);
    assert.match(d.next, row.next, label);
    const e = new EngramiaNetworkError('GET', '/v1/metrics', 'h.invalid:80', row.err, { phase: row.phase, ...(row.timeoutMs ? { timeoutMs: row.timeoutMs } : {}), ...(row.timedOut ? { timedOut: true } : {}) });
    assert.equal(e.kind, row.kind, label);
    assert.equal(e.describe(), row.hostOnly ? row.cause : `GET /v1/metrics: ${row.cause}`, label);
    assert.equal(e.message, e.describe(), label);
    assert.equal(e.next(), d.next, label);
  }
  // The http kind names its connectTimeout attribute when that is what to raise.
  assert.match(describeNetworkError(new undiciErrors.ConnectTimeoutError(), { host: 'h', hostPort: 'h:80', phase: 'connect', connectTimeoutMs: 5000, connectTimeoutAttribute: 'connectTimeout' }).next, /raise connectTimeout=…$/);
});

test('request template: method, headers, body, comments', () => {
  const r = parseRequestTemplate('# comment\nPOST {{baseUrl}}/v1/learn HTTP/1.1\nContent-Type: application/json\n// note\n\n{"task": "x"}\n');
  assert.equal(r.method, 'POST');
  assert.equal(r.target, '{{baseUrl}}/v1/learn');
  assert.deepEqual(r.headers, [['Content-Type', 'application/json']]);
  assert.equal(r.body, '{"task": "x"}');
  assert.equal(parseRequestTemplate('https://x/y').method, 'GET');
});

test('buildRequest substitutes, encodes the query, escapes JSON, refuses header injection', () => {
  const r = buildRequest('GET {{baseUrl}}/v1/x?task={{task}}&n=1', { baseUrl: 'http://h:1', task: 'a b/ü' });
  assert.equal(r.url.toString(), 'http://h:1/v1/x?task=a%20b%2F%C3%BC&n=1');
  const j = buildRequest('POST {{baseUrl}}/v1/recall\n\n{"task": "{{task}}"}', { baseUrl: 'http://h', task: 'say "x"' });
  assert.deepEqual(JSON.parse(j.body!), { task: 'say "x"' });
  assert.throws(() => buildRequest('GET {{baseUrl}}/x', {}), MissingInputError);
  assert.throws(() => buildRequest('GET http://h/x\nX-A: {{v}}', { v: 'a\r\nX-Evil: 1' }), /line break/);
  assert.throws(() => buildRequest('GET ftp://h/x', {}), /unsupported URL scheme/);
});

test('credential headers: values and tokens are secrets; display keeps the scheme', () => {
  assert.deepEqual(headerSecrets([['Authorization', 'Bearer abc123'], ['Accept', 'json'], ['X-API-Key', 'k-999']]), ['Bearer abc123', 'abc123', 'k-999']);
  assert.equal(maskHeaderValue('authorization', 'Bearer abc', '•'), 'Bearer •');
  assert.equal(maskHeaderValue('X-Api-Key', 'abc', '•'), '•');
  assert.equal(maskHeaderValue('Accept', 'json', '•'), 'json');
});

test('redirects name their target', () => {
  const d = describeHttpError(301, { Location: 'https://api.example.com/v1/health' }, '');
  assert.equal(d.cause, '301 Moved Permanently: redirects to https://api.example.com/v1/health');
  assert.match(d.next, /redirects are not followed/);
});
