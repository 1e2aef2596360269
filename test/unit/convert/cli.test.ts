/** `runbook convert` through the CLI entry (in process): output file, summary, --json, refusals. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../support/cli';
import { tempDir } from '../../support/tempDir';
import { FIXTURES, NOW } from './helpers';

const cli = (args: string[], cwd: string) => runCli(args, { cwd });

function workDir(): string {
  const dir = tempDir('convert');
  copyFileSync(join(FIXTURES, 'github-guide.md'), join(dir, 'github-guide.md'));
  return dir;
}

describe('runbook convert', () => {
  it('writes <name>.runbook.md beside the guide and prints what each block became', async () => {
    const dir = workDir();
    const r = await cli(['convert', 'github-guide.md', '--now', NOW], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^converted github-guide\.md \(markdown\) → github-guide\.runbook\.md$/m);
    assert.match(r.stdout, /14 checks: 7 http, 3 shell, 1 python, 3 manual; 3 destructive/);
    assert.match(r.stdout, /L16 +manual The on-call engineer knows the upgrade window\. — a checklist item with no command to run/);
    assert.equal(readFileSync(join(dir, 'github-guide.runbook.md'), 'utf8'), readFileSync(join(FIXTURES, 'github-guide.runbook.md'), 'utf8'));
  });

  it('--force never writes through a symbolic link planted at the output path', async () => {
    const dir = workDir();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me\n');
    symlinkSync(victim, join(dir, 'github-guide.runbook.md'));
    const r = await cli(['convert', 'github-guide.md', '--force', '--now', NOW], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^runbook convert: .*github-guide\.runbook\.md is a symbolic link: refusing to write to it\n$/);
    assert.equal(readFileSync(victim, 'utf8'), 'keep me\n');
  });

  it('never overwrites without --force; converting the runbook again is a no-op', async () => {
    const dir = workDir();
    assert.equal((await cli(['convert', 'github-guide.md', '--now', NOW], dir)).code, 0);
    writeFileSync(join(dir, 'github-guide.runbook.md'), 'mine\n');
    const refused = await cli(['convert', 'github-guide.md'], dir);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /github-guide\.runbook\.md exists; use --force/);
    assert.equal(readFileSync(join(dir, 'github-guide.runbook.md'), 'utf8'), 'mine\n');
    assert.equal((await cli(['convert', 'github-guide.md', '--force', '--now', NOW], dir)).code, 0);
    const before = readFileSync(join(dir, 'github-guide.runbook.md'));
    const again = await cli(['convert', 'github-guide.runbook.md'], dir);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already a runbook: nothing to convert/);
    assert.deepEqual(readFileSync(join(dir, 'github-guide.runbook.md')), before);
  });

  it('--json and -o: a JSON summary with every check and input; -o - prints the runbook', async () => {
    const dir = workDir();
    const r = await cli(['convert', 'github-guide.md', '-o', 'out/../custom.runbook.md', '--json', '--now', NOW], dir);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.output, 'custom.runbook.md');
    assert.equal(j.checks.length, 14);
    assert.deepEqual(j.inputs.find((i: { name: string }) => i.name === 'ledgerApiToken'), { name: 'ledgerApiToken', type: 'string', secret: true, env: 'LEDGER_API_TOKEN', description: '$LEDGER_API_TOKEN in the guide' });
    const s = await cli(['convert', 'github-guide.md', '-o', '-', '--now', NOW], dir);
    assert.equal(s.stdout, readFileSync(join(FIXTURES, 'github-guide.runbook.md'), 'utf8'));
    assert.ok(!existsSync(join(dir, 'github-guide.runbook.md')));
  });

  it('bad usage and unreadable guides exit 2 with one line', async () => {
    const dir = workDir();
    assert.equal((await cli(['convert'], dir)).code, 2);
    assert.equal((await cli(['convert', 'a.md', 'b.md'], dir)).code, 2);
    assert.equal((await cli(['convert', 'github-guide.md', '--bogus'], dir)).code, 2);
    assert.equal((await cli(['convert', 'github-guide.md', '--now', 'yesterday'], dir)).code, 2);
    const missing = await cli(['convert', 'nope.md'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^runbook convert: cannot read nope\.md: no such file\n$/);
    writeFileSync(join(dir, 'bin.md'), Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    assert.match((await cli(['convert', 'bin.md'], dir)).stderr, /not UTF-8 text|NUL bytes/);
  });
});
