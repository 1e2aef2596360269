/**
 * `runbook list` and `runbook run` print titles, section names, item labels and reasons as plain
 * text (no `*local*`, code spans keep their underscores) and count with the right plural form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { tempDir } from '../support/tempDir';

const RUNBOOK = [
  '---',
  'title: Key *rotation* drill',
  '---',
  '',
  '# Key *rotation* drill',
  '',
  '## Keys start with `engramia_sk_` (*local*)',
  '',
  '- [ ] The new key starts with `engramia_sk_` (*local*)',
  '  ```shell {id=keys.prefix}',
  '  echo engramia_sk_ok',
  '  ```',
  '',
].join('\n');

function oneCheckRunbook(): string {
  const dir = tempDir('plain');
  const file = join(dir, 'keys.runbook.md');
  writeFileSync(file, RUNBOOK);
  return file;
}

test('list: plain section names and labels, "1 check"', async () => {
  const r = await runCli(['list', oneCheckRunbook()]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Key rotation drill: 1 check$/m);
  assert.match(r.stdout, /^Key rotation drill › Keys start with engramia_sk_ \(local\)$/m);
  assert.match(r.stdout, /^ {2}keys\.prefix {2}shell {2}The new key starts with engramia_sk_ \(local\)$/m);
  assert.doesNotMatch(r.stdout, /[*`]/, 'no markdown markers left');
});

test('run: the header and the summary count "1 check", the title is plain', async () => {
  const r = await runCli(['run', oneCheckRunbook(), '--no-evidence']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^Key rotation drill: 1 check$/m);
  assert.match(r.stdout, /^✔ 1 passed, 0 warned, 0 failed, 0 skipped \(1 check, /m);
  assert.doesNotMatch(r.stdout, /\*rotation\*|checks\b/);
});
