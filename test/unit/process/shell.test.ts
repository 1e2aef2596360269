import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { inputEnvNamesOf, shellKind, pythonKind, reasonFromOutput, verdictForExit } from '../../../src/core/process';
import { pidAlive, run, scriptedUi } from './harness';
import { withTempDir } from '../../support/tempDir';
import { waitFor } from '../../support/waitFor';
import { assertNoSecret } from '../../support/secrets';

test('exit 0 passes, 1 fails, 2 warns, other codes fail and are named', async () => {
  assert.equal((await run('shell', 'echo fine\nexit 0')).run.verdict, 'pass');
  const fail = await run('shell', 'echo "disk is full"\nexit 1');
  assert.equal(fail.run.verdict, 'fail');
  assert.equal(fail.run.reason, 'disk is full');
  const warn = await run('bash', 'echo "almost full"\nexit 2');
  assert.equal(warn.run.verdict, 'warn');
  assert.equal(warn.run.reason, 'almost full');
  const odd = await run('sh', 'nosuchcommand-xyz');
  assert.equal(odd.run.verdict, 'fail');
  assert.match(odd.run.reason, /^exit code 127/);
  assert.equal(odd.run.data?.exitCode, 127);
});

test('RESULT: and NEXT: lines set the reason and the next step', async () => {
  const r = await run('shell', 'echo "RESULT: 3 of 4 replicas ready"\necho "NEXT: wait for the rollout"\necho trailing noise\nexit 1');
  assert.equal(r.run.verdict, 'fail');
  assert.equal(r.run.reason, '3 of 4 replicas ready');
  assert.equal(r.run.next, 'wait for the rollout');
  assert.deepEqual(reasonFromOutput('a\nRESULT: x\nb\n'), { result: 'x', next: undefined, last: 'b' });
  assert.equal(verdictForExit(3), 'fail');
});

test('output streams in order as it arrives, stdout and stderr apart', async () => {
  const r = await run('shell', 'echo one\nsleep 0.3\necho two >&2\nsleep 0.3\necho three');
  const seq = r.chunks.filter((c) => c.stream !== 'info').map((c) => `${c.stream}:${c.text.trim()}`);
  assert.deepEqual(seq, ['stdout:one', 'stderr:two', 'stdout:three']);
});

/**
 * A script that prints a line, then waits (at most ~10 s) for the test to answer through a file
 * that the test writes only when it has seen that line in the stream: exit 0 proves the line was
 * delivered while the process was still running. No timing assertion.
 */
async function streamsLive(kind: string, body: (go: string) => string): Promise<void> {
  await withTempDir(async (dir) => {
    const go = path.join(dir, 'go');
    const r = await run(kind, body(go), { onChunk: (c) => { if (c.stream === 'stdout' && c.text.includes('first')) writeFileSync(go, ''); } });
    assert.equal(r.run.verdict, 'pass', `${kind}: ${r.run.reason} (the first line was not streamed before the process ended)`);
    assert.match(r.output, /first[\s\S]*second/);
  });
}

test('stdout reaches the stream while the process runs (shell)', async () => {
  await streamsLive('shell', (go) => `echo first\ni=0\nwhile [ ! -f '${go}' ]; do i=$((i+1)); [ $i -gt 200 ] && exit 1; sleep 0.05; done\necho second`);
});

test('stdout reaches the stream while the process runs (python, plain print without flush)', async () => {
  await streamsLive('python', (go) => [
    'import os, sys, time',
    'print("first")',
    'for _ in range(200):',
    `    if os.path.exists(${JSON.stringify(go)}): break`,
    '    time.sleep(0.05)',
    'else:',
    '    sys.exit(1)',
    'print("second")',
  ].join('\n'));
});

test('a partial line without newline is still streamed', async () => {
  const r = await run('shell', 'printf "no newline"; sleep 0.5; printf " done"');
  assert.equal(r.run.verdict, 'pass');
  assert.equal(r.output.replace(/\n/g, ''), 'no newline done');
});

test('?? conditions decide: stdout, json path, exit, duration', async () => {
  const ok = await run('shell', 'echo \'{"status":"ok","n":3}\'\n?? json status == ok\n?? json n >= 2\n?? duration < 60000');
  assert.equal(ok.run.verdict, 'pass', ok.run.reason);
  assert.equal(ok.run.conditions?.length, 3);
  const bad = await run('shell', 'echo \'{"status":"degraded"}\'\n?? json status == ok -- restart the engine');
  assert.equal(bad.run.verdict, 'fail');
  assert.match(bad.run.reason, /degraded/);
  assert.equal(bad.run.next, 'restart the engine');
  const inc = await run('shell', 'echo "all ok here"\n?? stdout includes ok');
  assert.equal(inc.run.verdict, 'pass');
  const re = await run('shell', 'echo "version 2.3.1"\n?? stdout matches version 2\\.3\\.\\d+');
  assert.equal(re.run.verdict, 'pass', re.run.reason);
  const notJson = await run('shell', 'echo hello\n?? json status == ok');
  assert.equal(notJson.run.verdict, 'fail');
  assert.match(notJson.run.reason, /not JSON/);
  const warn = await run('shell', 'echo 96\n??warn json < 95 -- quota nearly used');
  assert.equal(warn.run.verdict, 'warn');
});

test('a non-zero exit fails despite passing conditions, unless a condition addresses exit', async () => {
  const r = await run('shell', 'echo ok\nexit 3\n?? stdout includes ok');
  assert.equal(r.run.verdict, 'fail');
  assert.match(r.run.reason, /exit code 3/);
  const allowed = await run('shell', 'echo ok\nexit 3\n?? exit == 3\n?? stdout includes ok');
  assert.equal(allowed.run.verdict, 'pass', allowed.run.reason);
});

test('invalid conditions and {{input}} placeholders are refused before anything runs', async () => {
  await withTempDir(async (dir) => {
    const marker = path.join(dir, 'ran');
    const bad = await run('shell', `touch "${marker}"\n?? stdout => ok`);
    assert.equal(bad.run.verdict, 'error');
    assert.match(bad.run.reason, /invalid condition/);
    const ph = await run('shell', `touch "${marker}"\necho {{baseUrl}}`, { inputs: { baseUrl: 'x' } });
    assert.equal(ph.run.verdict, 'error');
    assert.match(ph.run.reason, /\$BASE_URL/);
    const py = await run('python', `open(${JSON.stringify(marker)}, "w")\nprint("{{apiKey}}")`, { inputs: { apiKey: 'x' } });
    assert.equal(py.run.verdict, 'error');
    assert.match(py.run.reason, /os\.environ\["API_KEY"\]/);
    assert.equal(existsSync(marker), false);
    // Go templates ({{.Config.Image}}) are not input placeholders.
    assert.equal(shellKind.validate!('docker inspect --format "{{.Config.Image}}" x', {}), undefined);
    assert.equal(pythonKind.validate!('print(1)', {}), undefined);
  });
});

test('inputs arrive as environment variables only; $(…) in a value never executes', async () => {
  await withTempDir(async (dir) => {
    const r = await run('shell', 'echo "url=$BASE_URL"\necho "tag=$PREV_TAG"\necho "x=$CUSTOM_NAME"', {
      cwd: dir,
      inputs: { baseUrl: 'http://127.0.0.1:1/$(touch pwned)`touch pwned2`', previousTag: '2.3.1', prevTag: 'v; touch pwned3', custom: 'c' },
      services: { inputEnvNames: { custom: 'CUSTOM_NAME' } },
    });
    assert.equal(r.run.verdict, 'pass', r.run.reason);
    assert.match(r.output, /url=http:\/\/127\.0\.0\.1:1\/\$\(touch pwned\)`touch pwned2`/);
    assert.match(r.output, /x=c/);
    for (const f of ['pwned', 'pwned2', 'pwned3']) assert.equal(existsSync(path.join(dir, f)), false, f);
    const py = await run('python', 'import os\nprint(os.environ["PREVIOUS_TAG"])\n?? stdout includes 2.3.1', { cwd: dir, inputs: { previousTag: '2.3.1' } });
    assert.equal(py.run.verdict, 'pass', py.run.reason);
  });
});

test('an input named like PATH does not overwrite PATH', async () => {
  const r = await run('shell', 'command -v ls >/dev/null && echo found', { inputs: { path: '/nonexistent' } });
  assert.equal(r.run.verdict, 'pass', r.run.reason);
  assert.match(r.output, /not passed as environment variables: path/);
});

test('runs in ctx.cwd', async () => {
  await withTempDir(async (dir) => {
    const r = await run('shell', 'pwd', { cwd: dir });
    assert.equal(r.run.reason, realpathSync(dir));
  });
});

test('a secret printed by the script is masked in the stream and in the result', async () => {
  const secret = 'sk-live-0123456789abcdef';
  const r = await run('shell', 'echo "key is $ENGINE_KEY"\necho "RESULT: used $ENGINE_KEY"\nexit 1', { inputs: { engineKey: secret }, secrets: [secret] });
  assertNoSecret(r.output, secret, 'the stream');
  assert.match(r.output, /key is ••••••/);
  assertNoSecret(JSON.stringify(r.run), secret, 'the result');
  assert.match(r.run.reason, /used ••••••/);
});

test('untrusted workspace: no process starts', async () => {
  await withTempDir(async (dir) => {
    const marker = path.join(dir, 'marker');
    const r = await run('shell', `touch "${marker}"`, { trusted: false });
    assert.equal(r.run.verdict, 'skipped');
    assert.match(r.run.reason, /not trusted/);
    const p = await run('python', `open(${JSON.stringify(marker)}, "w").write("x")`, { trusted: false });
    assert.equal(p.run.verdict, 'skipped');
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(existsSync(marker), false);
    assert.equal(shellKind.runsProcesses, true);
    assert.equal(pythonKind.runsProcesses, true);
  });
});

const TREE = (pidFile: string) => `sleep 1000 &\necho $! > "${pidFile}"\nbash -c 'sleep 1000' &\necho $! >> "${pidFile}"\nwait`;

function pids(file: string): number[] {
  return readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).map(Number);
}

test('timeout kills the whole process tree', async () => {
  await withTempDir(async (dir) => {
    const pidFile = path.join(dir, 'pids');
    const r = await run('shell', TREE(pidFile), { attributes: { timeout: '1500ms' } });
    assert.equal(r.run.verdict, 'error');
    assert.match(r.run.reason, /timed out/);
    const started = pids(pidFile);
    assert.equal(started.length, 2);
    for (const pid of started) await waitFor(() => !pidAlive(pid), { timeout: 5000, what: `grandchild ${pid} to end` });
  });
});

test('cancel kills the whole process tree', async () => {
  await withTempDir(async (dir) => {
    const pidFile = path.join(dir, 'pids');
    const ac = new AbortController();
    const pending = run('shell', TREE(pidFile), { signal: ac.signal });
    await waitFor(() => existsSync(pidFile) && pids(pidFile).length === 2, { timeout: 10_000, what: 'both pids in the pid file' });
    const started = pids(pidFile);
    for (const pid of started) assert.equal(pidAlive(pid), true);
    ac.abort();
    const r = await pending;
    assert.equal(r.run.verdict, 'skipped');
    assert.equal(r.run.reason, 'cancelled');
    for (const pid of started) await waitFor(() => !pidAlive(pid), { timeout: 5000, what: `grandchild ${pid} to end` });
  });
});

test('a process that ignores SIGTERM is killed after the grace period', async () => {
  await withTempDir(async (dir) => {
    const pidFile = path.join(dir, 'pids');
    const r = await run('shell', `trap '' TERM\nsleep 1000 &\necho $! > "${pidFile}"\nwhile true; do sleep 0.1; done`, { attributes: { timeout: '1s' } });
    assert.match(r.run.reason, /timed out/);
    for (const pid of pids(pidFile)) await waitFor(() => !pidAlive(pid), { timeout: 8000, what: `process ${pid} to end` });
  });
});

test('background processes left by a finished script are ended with it', async () => {
  await withTempDir(async (dir) => {
    const pidFile = path.join(dir, 'pids');
    const r = await run('shell', `sleep 1000 >/dev/null 2>&1 &\necho $! > "${pidFile}"\necho done`);
    assert.equal(r.run.verdict, 'pass');
    for (const pid of pids(pidFile)) await waitFor(() => !pidAlive(pid), { timeout: 5000, what: `process ${pid} to end` });
  });
});

test('confirm attribute: typed confirmation before start; declined → nothing runs', async () => {
  await withTempDir(async (dir) => {
    const marker = path.join(dir, 'marker');
    const ui = scriptedUi({ typed: false });
    const r = await run('shell', `touch "${marker}"\necho "stopping $SERVICE"`, { ui, attributes: { confirm: 'stop' }, inputs: { service: 'engine', other: 'unused' } });
    assert.equal(r.run.verdict, 'fail');
    assert.match(r.run.reason, /not confirmed/);
    assert.equal(existsSync(marker), false);
    assert.equal(ui.asked[0]?.expected, 'stop');
    assert.match(ui.asked[0]!.text, /SERVICE=engine/);
    assert.doesNotMatch(ui.asked[0]!.text, /OTHER=/);
    const yes = await run('shell', `touch "${marker}"`, { ui: scriptedUi({ typed: true }), attributes: { confirm: 'stop' } });
    assert.equal(yes.run.verdict, 'pass');
    assert.equal(existsSync(marker), true);
  });
});

test('proposesEdit: the edit is shown, confirmed and applied by the kind, never by the script', async () => {
  await withTempDir(async (dir) => {
    const file = path.join(dir, 'docker-compose.yml');
    writeFileSync(file, 'services:\n  engine:\n    image: engine:2.4.0\n');
    const body = 'sed "s/engine:2.4.0/engine:2.3.1/" "$COMPOSE_FILE" > "$RUNBOOK_PROPOSED_EDIT"';
    const edit = { cwd: dir, inputs: { composeFile: 'docker-compose.yml' }, attributes: { proposesEdit: 'composeFile' } };
    const declined = await run('shell', body, { ...edit, ui: scriptedUi({ edit: false }) });
    assert.equal(declined.run.verdict, 'fail');
    assert.match(readFileSync(file, 'utf8'), /2\.4\.0/);
    const ui = scriptedUi({ edit: true });
    const ok = await run('shell', body, { ...edit, ui });
    assert.equal(ok.run.verdict, 'pass', ok.run.reason);
    assert.match(readFileSync(file, 'utf8'), /image: engine:2\.3\.1/);
    assert.match(ui.asked[0]!.after!, /2\.3\.1/);
    assert.match(ok.run.details!, /- {5}image: engine:2\.4\.0\n\+ {5}image: engine:2\.3\.1/);
    // Without confirmEdit in the UI, a typed confirmation of the diff is asked.
    writeFileSync(file, 'services:\n  engine:\n    image: engine:2.4.0\n');
    const typedUi = scriptedUi({ typed: true, noConfirmEdit: true });
    const typed = await run('shell', body, { ...edit, ui: typedUi });
    assert.equal(typed.run.verdict, 'pass');
    assert.equal(typedUi.asked[0]?.kind, 'typed');
    assert.equal(typedUi.asked[0]?.expected, 'apply');
    const again = await run('shell', body, edit);
    assert.equal(again.run.verdict, 'pass');
    assert.match(again.run.reason, /nothing to change/);
  });
});

test('an unanswered confirmation ends with the timeout, and nothing runs', async () => {
  await withTempDir(async (dir) => {
    const marker = path.join(dir, 'marker');
    const ui = { ...scriptedUi(), typedConfirmation: () => new Promise<boolean>(() => undefined) };
    const r = await run('shell', `touch "${marker}"`, { ui, attributes: { confirm: 'stop', timeout: '300ms' } });
    assert.equal(r.run.verdict, 'error');
    assert.match(r.run.reason, /timed out/);
    assert.equal(existsSync(marker), false);
  });
});

test('proposesEdit: a file changed during the review is not overwritten', async () => {
  await withTempDir(async (dir) => {
    const file = path.join(dir, 'compose.yml');
    writeFileSync(file, 'image: engine:2.4.0\n');
    const ui = scriptedUi();
    (ui as { confirmEdit?: unknown }).confirmEdit = async () => {
      writeFileSync(file, 'image: engine:2.4.0\n# edited by someone else\n');
      return true;
    };
    const r = await run('shell', 'sed "s/2.4.0/2.3.1/" "$COMPOSE_FILE" > "$RUNBOOK_PROPOSED_EDIT"', { cwd: dir, ui, inputs: { composeFile: 'compose.yml' }, attributes: { proposesEdit: 'composeFile' } });
    assert.equal(r.run.verdict, 'fail');
    assert.match(r.run.reason, /changed while the edit was being reviewed/);
    assert.match(readFileSync(file, 'utf8'), /edited by someone else/);
  });
});

test('inputEnvNamesOf: explicit env: names from the front matter reach the process under that name', async () => {
  const names = inputEnvNamesOf([{ name: 'apiKey', env: 'ENGRAMIA_API_KEY' }, { name: 'baseUrl' }]);
  assert.deepEqual(names, { apiKey: 'ENGRAMIA_API_KEY' });
  const r = await run('shell', 'echo "$ENGRAMIA_API_KEY|${API_KEY:-unset}|$BASE_URL"', { inputs: { apiKey: 'k-1234567', baseUrl: 'http://x' }, services: { inputEnvNames: names } });
  assert.equal(r.run.reason, 'k-1234567|unset|http://x');
});

test('{{input}} in a ?? line is substituted at run time (and not refused by validation); CRLF bodies run', async () => {
  assert.equal(shellKind.validate!('echo 5\n?? json >= {{expected}}', {}), undefined);
  const ok = await run('shell', 'echo 5\n?? json >= {{expected}}', { inputs: { expected: '3' } });
  assert.equal(ok.run.verdict, 'pass', ok.run.reason);
  const bad = await run('shell', 'echo 5\n?? json >= {{expected}}', { inputs: { expected: '9' } });
  assert.equal(bad.run.verdict, 'fail');
  const missing = await run('shell', 'echo 5\n?? json >= {{expected}}');
  assert.equal(missing.run.verdict, 'error');
  assert.match(missing.run.reason, /missing input: expected/);
  const crlf = await run('shell', 'x=1\r\nif [ "$x" = 1 ]; then echo "RESULT: crlf ok"; fi\r\n');
  assert.equal(crlf.run.verdict, 'pass');
  assert.equal(crlf.run.reason, 'crlf ok');
});

test('a missing working folder is a clear error, not "spawn bash ENOENT"', async () => {
  const r = await run('shell', 'echo hi', { cwd: '/nonexistent/workspace' });
  assert.equal(r.run.verdict, 'error');
  assert.match(r.run.reason, /working folder \/nonexistent\/workspace does not exist/);
});
