/** Ctrl+C during `runbook run` (a real process: the one CLI test that spawns): the running shell check is killed, the rest is cancelled, exit 1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { copyRunbook, ROOT, spawnCli } from '../support/cli';

test('SIGINT cancels the running check and reports the rest as cancelled (exit 1)', { skip: process.platform === 'win32' }, async () => {
  const rb = copyRunbook(join(ROOT, 'test', 'fixtures', 'cli', 'slow.runbook.md'));
  let sent = false;
  const r = await spawnCli(['run', rb, '--no-evidence'], {
    onStdout: (out, child) => {
      if (!sent && out.includes('✔ quick')) {
        sent = true;
        // Give the slow check a moment to start its process, then interrupt.
        setTimeout(() => child.kill('SIGINT'), 500);
      }
    },
  });
  assert.ok(sent, r.stdout + r.stderr);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^– slow — cancelled$/m);
  assert.match(r.stdout, /^– after — cancelled$/m);
  assert.match(r.stdout, /^Cancelled\.$/m);
  assert.match(r.stderr, /cancelling/);
});
