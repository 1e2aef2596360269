/**
 * `runbook run` inside GitHub Actions (GITHUB_ACTIONS=true): the job summary file and the
 * ::error / ::warning annotation lines, pointing at the runbook line of each failing check, with
 * a fleet check's per-host table (real sshd hosts on 127.0.0.1) and one host record per host in
 * the evidence log.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fleetUnavailable, startFleet, type TestFleet } from '../servers/sshd/fleet';
import { runCli } from '../support/cli';
import { tempDir } from '../support/tempDir';

const unavailable = fleetUnavailable();

describe('runbook run in GitHub Actions', { skip: unavailable }, () => {
  let fleet: TestFleet;
  let dir: string;
  before(async () => {
    fleet = await startFleet([{ name: 'web-01' }, { name: 'web-02', down: true }]);
    dir = tempDir('gha');
  });
  after(async () => {
    await fleet?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('job summary with sections, verdicts, reasons and the per-host table; annotations at the failing items\' lines; host evidence', async () => {
    const runbook = [
      '---',
      'title: CI fleet runbook',
      'targets:',
      '  web:',
      '    hosts: [web-01, web-02]',
      `    sshConfigFile: ${fleet.sshConfig}`,
      '    timeout: 20',
      '---',
      '',
      '# CI fleet runbook',
      '',
      '## Hosts',
      '',
      '- [ ] Every web host answers',
      '  ```shell {id=hosts.answer on=web}',
      '  echo "up: $(id -un)"',
      '  ```',
      '',
      '## Local',
      '',
      '- [ ] A local check that warns',
      '  ```shell {id=local.warn}',
      '  echo "RESULT: disk at 91%, comma, colon: here"',
      '  exit 2',
      '  ```',
      '- [ ] A local check that passes',
      '  ```shell {id=local.ok}',
      '  echo fine',
      '  ```',
      '',
    ].join('\n');
    const file = join(dir, 'fleet.runbook.md');
    writeFileSync(file, runbook);
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const r = await runCli(['run', file, '--continue', '--cwd', dir], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = runbook.split('\n');
    const itemLine = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    assert.equal(annotations.length, 2, r.stdout);
    const head = `::error file=fleet.runbook.md,line=${itemLine('Every web host answers')},title=hosts.answer — Every web host answers::1/2 hosts failed: web-02%0ANext: web-02: unreachable: `;
    assert.ok(annotations[0]!.startsWith(head), `${annotations[0]}\n  does not start with\n${head}`);
    assert.doesNotMatch(annotations[0]!, /\n/);
    assert.match(annotations[0]!, /web-02: fail — unreachable: /);
    // Property values escape ',' and ':' ; data escapes '%' and newlines.
    assert.equal(annotations[1], `::warning file=fleet.runbook.md,line=${itemLine('A local check that warns')},title=local.warn — A local check that warns::disk at 91%25, comma, colon: here`);

    const md = readFileSync(summary, 'utf8');
    assert.ok(md.startsWith('# earlier step\n## ❌ CI fleet runbook\n'), md.slice(0, 120));
    assert.match(md, /`fleet\.runbook\.md`: 1 passed, 1 warned, 1 failed, 0 skipped/);
    assert.match(md, /### CI fleet runbook › Hosts\n\n\| \| check \| reason \|\n\|---\|---\|---\|\n\| ❌ \| `hosts\.answer` Every web host answers \| 1\/2 hosts failed: web-02 → web-02: unreachable: /);
    assert.match(md, /\| ⚠️ \| `local\.warn` A local check that warns \| disk at 91%, comma, colon: here \|/);
    assert.match(md, /#### `hosts\.answer` on web\n\n\| \| host \| reason \|\n\|---\|---\|---\|\n\| ✅ \| web-01 \| up: \S+ \|\n\| ❌ \| web-02 \| unreachable: /);

    const evidence = readFileSync(join(dir, 'fleet.runbook.evidence.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const hostRecords = evidence.filter((e) => e.event === 'host');
    assert.deepEqual(hostRecords.map((e) => [e.checkId, e.targetHost, e.verdict]), [['hosts.answer', 'web-01', 'pass'], ['hosts.answer', 'web-02', 'fail']]);
  });

  test('action.yml: its run step passes every input as one argument and records the exit code', async () => {
    const { parse } = await import('yaml');
    const { execFileSync, spawnSync } = await import('node:child_process');
    const { existsSync } = await import('node:fs');
    const root = join(__dirname, '..', '..');
    if (!existsSync(join(root, 'dist', 'cli.js'))) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'ignore' });
    const action = parse(readFileSync(join(root, 'action.yml'), 'utf8'));
    assert.equal(action.runs.using, 'composite');
    const step = action.runs.steps.find((s: { id?: string }) => s.id === 'run');
    const file = join(dir, 'action.runbook.md');
    writeFileSync(file, '---\ninputs:\n  - name: note\n    default: none\n---\n# Action\n\n## Only\n\n- [ ] echoes\n  ```shell {id=a.echo}\n  echo "note=$NOTE"\n  ```\n- [ ] fails\n  ```shell {id=a.fail}\n  exit 1\n  ```\n');
    const output = join(dir, 'gh-output');
    writeFileSync(output, '');
    const r = spawnSync('bash', ['-c', step.run], {
      cwd: dir, encoding: 'utf8',
      env: {
        ...process.env, GITHUB_ACTION_PATH: root, GITHUB_OUTPUT: output, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir,
        RUNBOOK_FILE: file, RUNBOOK_SECTION: 'Only', RUNBOOK_ONLY: '', RUNBOOK_INPUTS: 'note=a b $(touch pwned) "q"\n', RUNBOOK_CONTINUE: 'true', RUNBOOK_JUNIT: join(dir, 'junit.xml'), RUNBOOK_REPORT: '', RUNBOOK_CWD: dir,
      },
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /a\.echo — note=a b \$\(touch pwned\) "q"/);
    assert.match(r.stdout, /^::error file=action\.runbook\.md,line=14,title=a\.fail — fails::/m);
    assert.equal(readFileSync(output, 'utf8'), 'exit-code=1\n');
    assert.ok(existsSync(join(dir, 'junit.xml')));
    assert.ok(!existsSync(join(dir, 'pwned')));
  });

  test('outside GitHub Actions nothing of this is written', async () => {
    const file = join(dir, 'plain.runbook.md');
    writeFileSync(file, '# Plain\n\n- [ ] fails\n  ```shell {id=p.fail}\n  exit 1\n  ```\n');
    const summary = join(dir, 'untouched.md');
    writeFileSync(summary, '');
    const r = await runCli(['run', file, '--cwd', dir], { env: { GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: summary } });
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout, /^::/m);
    assert.equal(readFileSync(summary, 'utf8'), '');
  });
});
