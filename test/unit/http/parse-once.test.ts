/**
 * An http check body is parsed once (src/core/http/check.ts): validation and the run share the
 * parse, a run again of the same body parses nothing, an edited body is parsed afresh, and inputs
 * are applied per run to the shared parse. Counted with a spy parse function over a real server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpCheckCache, parseHttpCheck, type HttpKind } from '../../../src/core/http';
import { startFaultyServer, type FaultyServer } from '../../servers/faulty/server';
import { httpCheck, makeEnv, newKind } from './helpers';

let server: FaultyServer;
let kind: HttpKind;
const parsed: string[] = [];
const cache = new HttpCheckCache((body) => {
  parsed.push(body);
  return parseHttpCheck(body);
});

before(async () => {
  server = await startFaultyServer();
  kind = newKind({ checks: cache });
});
after(async () => {
  await kind.dispose();
  await server.close();
});

const env = (inputs: Record<string, string> = {}) => makeEnv(kind, { baseUrl: server.url, ...inputs });

test('validate and run share one parse; running the same check again parses nothing', async () => {
  const body = 'GET {{baseUrl}}/health\n\n?? status == 200';
  const before = parsed.length;
  const first = await httpCheck(env(), body);
  assert.equal(first.verdict, 'pass', first.reason);
  assert.equal(parsed.length - before, 1, 'one parse for validate + run');
  const second = await httpCheck(env(), body);
  assert.equal(second.verdict, 'pass');
  assert.equal(parsed.length - before, 1, 'the second run reuses it');
  assert.equal(server.hits('/health') >= 2, true, 'both runs really sent the request');
});

test('an edited check is parsed again, and the edit takes effect', async () => {
  const body = 'GET {{baseUrl}}/health\n\n?? status == 200';
  await httpCheck(env(), body);
  const before = parsed.length;
  const edited = await httpCheck(env(), `${body}\n?? json storage == "S3"`);
  assert.equal(parsed.length - before, 1);
  assert.equal(edited.verdict, 'fail');
  assert.match(edited.reason, /storage is "JSONStorage", expected == "S3"/);
});

test('inputs are applied per run to the shared parse (request and conditions)', async () => {
  const body = 'GET {{baseUrl}}/health?probe={{probe}}\n\n?? json pattern_count == {{expected}}';
  const before = parsed.length;
  const ok = await httpCheck(env({ probe: 'a', expected: '1204' }), body);
  const bad = await httpCheck(env({ probe: 'b', expected: '7' }), body);
  assert.equal(parsed.length - before, 1);
  assert.equal(ok.verdict, 'pass', ok.reason);
  assert.equal(bad.verdict, 'fail');
  assert.match(bad.reason, /pattern_count is 1204, expected == 7/);
  assert.ok(server.log.some((l) => l.includes('/health?probe=a')) && server.log.some((l) => l.includes('/health?probe=b')));
  const missing = await httpCheck(env({ probe: 'c' }), body);
  assert.equal(missing.verdict, 'error');
  assert.match(missing.reason, /expected/);
});

test('an invalid body fails validation from the same single parse', async () => {
  const before = parsed.length;
  const run = await httpCheck(env(), 'FETCH {{baseUrl}}/health');
  assert.equal(run.verdict, 'error');
  assert.match(run.reason, /unknown method "FETCH"/);
  assert.equal(parsed.length - before, 1);
});

test('the cache is bounded: least recently used bodies go first; a body over the character limit is not kept', () => {
  let n = 0;
  const small = new HttpCheckCache((b) => {
    n++;
    return parseHttpCheck(b);
  }, { entries: 2, chars: 100 });
  small.get('GET http://127.0.0.1/a');
  small.get('GET http://127.0.0.1/b');
  small.get('GET http://127.0.0.1/a'); // a is now the most recent
  small.get('GET http://127.0.0.1/c'); // b goes
  assert.equal(small.size, 2);
  assert.equal(n, 3);
  small.get('GET http://127.0.0.1/a');
  assert.equal(n, 3, 'a was kept');
  small.get('GET http://127.0.0.1/b');
  assert.equal(n, 4, 'b was dropped');
  const big = `GET http://127.0.0.1/x\n\n${'x'.repeat(200)}`;
  small.get(big);
  small.get(big);
  assert.equal(n, 6, 'too large to keep: parsed each time');
  assert.ok(small.size <= 2);
});
