/**
 * Streamed output (what a cell shows while a check runs) never shows a secret, even when a real
 * process writes it in pieces — split across writes with pauses longer than the partial-line flush,
 * byte by byte, in several encodings — and an undeclared environment secret (`*_TOKEN`) the check finds
 * out of band is masked too. Goes through the real engine (runCheck) and real processes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../unit/process/harness';
import { removeTempDir, tempDir } from '../support/tempDir';
import { assertNoSecret, holdsNoSecret } from '../support/secrets';
import { count } from './tally';

const SECRET = 'sk_stream_Q7w+/e=R9 t&y<u>';
const ENV_TOKEN = 'ghp_envTokenNeverDeclared_987654321';

describe('streamed chunks hold no secret', { skip: process.platform === 'win32' }, () => {
  test('a shell check writes the secret in pieces (pauses longer than the flush), byte by byte, and encoded', async () => {
    const body = [
      'v="$STREAM_KEY"',
      'printf "start %s" "${v:0:6}"; sleep 0.4; printf "%s end\\n" "${v:6}"',
      'for i in $(seq 0 $((${#v}-1))); do printf "%s" "${v:$i:1}"; sleep 0.02; done; echo',
      'printf "%s" "$v" | base64 -w0 | fold -w 5 | while read -r part; do printf "%s" "$part"; sleep 0.05; done; echo',
      'printf "x%s" "$v" | base64 -w0; echo',
      'printf "%s" "$v" | od -An -tx1 | tr -d " \\n"; echo',
      'printf "%s" "${v:0:10}" >&2; sleep 0.3; printf "%s\\n" "${v:10}" >&2',
      'printf "%s" "$v"',
    ].join('\n');
    const ran = await run('shell', body, { inputs: { streamKey: SECRET }, secrets: [SECRET] });
    assert.equal(ran.run.verdict, 'pass', ran.run.reason);
    assert.ok(ran.chunks.length > 3, 'output was streamed in several chunks');
    for (const c of ran.chunks) {
      count(holdsNoSecret(c.text, SECRET));
      assertNoSecret(c.text, SECRET, `chunk ${JSON.stringify(c.text.slice(0, 30))}`);
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      const joined = ran.chunks.filter((c) => c.stream === stream).map((c) => c.text).join('');
      count(holdsNoSecret(joined, SECRET));
      assertNoSecret(joined, SECRET, `joined ${stream}`);
      assert.match(joined, /••••••/, `${stream} was masked, not dropped`);
    }
    const all = ran.output;
    assert.match(all, /start •••••• end/);
    for (const t of [ran.run.reason, ran.run.details ?? '', JSON.stringify(ran.run)]) {
      count(holdsNoSecret(t, SECRET));
      assertNoSecret(t, SECRET, 'the result');
    }
  });

  test('a python check finds an undeclared *_TOKEN of the environment out of band (a file): masked in chunks and result', async () => {
    // The check does not get the variable (allow-list); it reads the value from a file, as it could
    // from a config file or /proc. The engine masks every *_TOKEN of its environment anyway.
    process.env.SECURITY_TEST_SERVICE_TOKEN = ENV_TOKEN;
    const dir = tempDir('stream-token');
    const cleanup = () => removeTempDir(dir);
    writeFileSync(join(dir, 'token.txt'), ENV_TOKEN);
    try {
      const body = [
        'import os, sys, time, base64',
        'assert "SECURITY_TEST_SERVICE_TOKEN" not in os.environ, "the variable was inherited"',
        'v = open("token.txt").read()',
        'sys.stdout.write("got " + v[:7]); sys.stdout.flush(); time.sleep(0.4); print(v[7:])',
        'print(base64.b64encode(b"::" + v.encode()).decode())',
        'print("RESULT: " + v)',
      ].join('\n');
      const ran = await run('python', body, { cwd: dir });
      assert.equal(ran.run.verdict, 'pass', ran.run.reason + ran.output);
      for (const t of [...ran.chunks.map((c) => c.text), ran.output, JSON.stringify(ran.run)]) {
        count(holdsNoSecret(t, ENV_TOKEN));
        assertNoSecret(t, ENV_TOKEN, 'python output');
      }
      assert.equal(ran.run.reason, '••••••');
    } finally {
      delete process.env.SECURITY_TEST_SERVICE_TOKEN;
      cleanup();
    }
  });
});
