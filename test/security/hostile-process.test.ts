/**
 * Hostile process output cannot hang or exhaust a check: output without newlines is emitted in
 * bounded pieces (linear time, bounded memory), whitespace built to backtrack is trimmed
 * linearly, and a catastrophic `matches` on stdout finishes within the check's own timeout.
 * Real processes only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PENDING_CHARS } from '../../src/core/process/tree';
import { run } from '../unit/process/harness';

const notBlamedOnTimeout = (r: { reason: string; next?: string }) => {
  assert.doesNotMatch(r.reason, /timed out/i);
  assert.doesNotMatch(r.next ?? '', /raise the timeout/i);
};

test('20 MB of output without a newline: streamed in bounded pieces, all of it, within the timeout', async () => {
  const total = 20 * 1000 * 1000;
  const { run: r, chunks } = await run('sh', `head -c ${total} /dev/zero | tr '\\0' a\necho\necho RESULT: done`, { attributes: { timeout: '60s' } });
  assert.equal(r.verdict, 'pass', r.reason);
  assert.equal(r.reason, 'done');
  const out = chunks.filter((c) => c.stream === 'stdout');
  const longest = Math.max(...out.map((c) => c.text.length));
  // A pending partial line is flushed once it passes MAX_PENDING_CHARS (plus at most one pipe read).
  assert.ok(longest <= MAX_PENDING_CHARS + 256 * 1024, `a chunk of ${longest} characters`);
  assert.ok(out.length > total / (MAX_PENDING_CHARS + 256 * 1024), `only ${out.length} chunks`);
  assert.equal(out.reduce((n, c) => n + c.text.length, 0), total + '\nRESULT: done\n'.length);
});

test('300 000 spaces then a character on a failing check: the output tail is read linearly', async () => {
  const { run: r } = await run('sh', `head -c 300000 /dev/zero | tr '\\0' ' '\nprintf x\nexit 1`, { attributes: { timeout: '30s' } });
  assert.equal(r.verdict, 'fail');
  notBlamedOnTimeout(r);
  assert.ok(r.details && r.details.length < 400_000);
});

test('catastrophic ?? stdout matches on 200 000 characters: answered by RE2, reported as fail', async () => {
  const { run: r } = await run('sh', `head -c 200000 /dev/zero | tr '\\0' a\nprintf '!'\n?? stdout matches (a+)+$\n?? stdout matches ^(a|a)*$`, { attributes: { timeout: '20s' } });
  assert.equal(r.verdict, 'fail');
  assert.match(r.reason, /expected to match/);
  notBlamedOnTimeout(r);
});

test('stdout JSON nested a million levels deep: "stdout JSON nested too deeply"', async () => {
  const { run: r } = await run('sh', `head -c 100000 /dev/zero | tr '\\0' '['\nhead -c 100000 /dev/zero | tr '\\0' ']'\n?? json length == 1`, { attributes: { timeout: '20s' } });
  assert.equal(r.verdict, 'fail');
  assert.match(r.reason, /nested too deeply/);
  notBlamedOnTimeout(r);
});
