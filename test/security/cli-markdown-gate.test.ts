/**
 * `runbook run` runs code blocks only from runbooks: `*.runbook.md`, or markdown whose front
 * matter says `runbook: true`. A README (or any other markdown) is refused with one line and exit
 * 2 before anything runs — no marker file is written — unless `--any-markdown` is given. A secret
 * shorter than 8 characters is refused the same way.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { count } from './tally';
import { assertNoSecret, holdsNoSecret } from '../support/secrets';
import { tempDir } from '../support/tempDir';

function markdown(name: string, frontMatter: string | undefined): { file: string; marker: string; dir: string } {
  const dir = tempDir('md-gate');
  const marker = join(dir, 'ran');
  const fm = frontMatter === undefined ? '' : `---\n${frontMatter}\n---\n\n`;
  const file = join(dir, name);
  writeFileSync(file, `${fm}# Try it\n\nRun the demo:\n\n\`\`\`bash\ntouch ${JSON.stringify(marker)}\n\`\`\`\n\n- [ ] step\n  \`\`\`sh {id=step.one}\n  touch ${JSON.stringify(marker)}\n  \`\`\`\n`);
  return { file, marker, dir };
}

describe('runbook run: only runbooks run (markdown gate)', { skip: process.platform === 'win32' }, () => {
  const refused: [string, string, string | undefined][] = [
    ['a README', 'README.md', undefined],
    ['docs with front matter but no marker', 'guide.md', 'title: Guide'],
    ['a string "true" is no marker', 'notes.md', 'runbook: "true"'],
    ['runbook: yes-ish values are no marker', 'notes.md', 'runbook: 1'],
    ['a name that only contains .runbook.', 'x.runbook.md.md', undefined],
    ['a .markdown file', 'ops.runbook.markdown', undefined],
  ];
  for (const [what, name, fm] of refused) {
    test(`refused: ${what} → exit 2, one line, nothing runs`, async () => {
      const m = markdown(name, fm);
      const r = await runCli(['run', m.file, '--no-evidence']);
      count(r.code === 2 && !existsSync(m.marker));
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^runbook run: \\S*/${name.replace(/\./g, '\\.')} is not a runbook \\(name it \\*\\.runbook\\.md or put "runbook: true" in its front matter\\); --any-markdown runs its code blocks anyway\\n$`));
      assert.equal(r.stdout, '');
      assert.ok(!existsSync(m.marker), 'a code block ran');
    });
  }

  const accepted: [string, string, string | undefined, string[]][] = [
    ['*.runbook.md', 'deploy.runbook.md', undefined, []],
    ['*.RUNBOOK.MD (case-insensitive)', 'DEPLOY.RUNBOOK.MD', undefined, []],
    ['front matter runbook: true', 'deploy.md', 'title: Deploy\nrunbook: true', []],
    ['a README with --any-markdown', 'README.md', undefined, ['--any-markdown']],
  ];
  for (const [what, name, fm, flags] of accepted) {
    test(`runs: ${what}`, async () => {
      const m = markdown(name, fm);
      const r = await runCli(['run', m.file, '--no-evidence', ...flags]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(existsSync(m.marker), 'the check ran');
    });
  }

  test('a secret shorter than 8 characters is refused with one line naming the input and its variable; nothing runs', async () => {
    const dir = tempDir('md-gate');
    const marker = join(dir, 'ran');
    const file = join(dir, 'short.runbook.md');
    writeFileSync(file, `---\ninputs:\n  - name: apiKey\n    secret: true\n    env: SHORT_API_KEY\n---\n\n- [ ] step\n  \`\`\`sh {id=step.one}\n  touch ${JSON.stringify(marker)}\n  \`\`\`\n`);
    const r = await runCli(['run', file, '--no-evidence'], { env: { SHORT_API_KEY: 'abc1234' } });
    count(r.code === 2 && !existsSync(marker) && holdsNoSecret(r.stderr, 'abc1234'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /apiKey \(SHORT_API_KEY\): the value is 7 characters long; secrets must have at least 8 characters/);
    assertNoSecret(r.stderr, 'abc1234', 'the refusal (the refused value is not printed)');
    assert.ok(!existsSync(marker));
    const ok = await runCli(['run', file, '--no-evidence'], { env: { SHORT_API_KEY: 'abcd1234' } });
    assert.equal(ok.code, 0, ok.stderr);
  });
});
