/**
 * Untrusted workspace: no process starts. Runs only under test/integration/run-untrusted.mjs,
 * which starts code-server with workspace trust on (restricted mode, no prompt) and sets
 * RUNBOOK_EXPECT_UNTRUSTED; in the ordinary (trusted) run these tests are skipped.
 * A shell and a python check that would each create a marker file run through the notebook
 * controller: both are skipped, no marker appears, and the cell says why and how to trust.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, openRunbook, scriptedUi, workspaceDir } from './helpers';
import { waitFor } from '../support/waitFor';
import { scriptedInputUi } from './support/inputUi';
import { startRecordingServer, type RecordingServer } from './support/recordingServer';
import { cellOfCheck, outputText, runCells, verdictLine } from './support/runbooks';

/** A runbook whose shell and python checks each create a marker file in the workspace. */
function writeMarkerRunbook(): { shellMarker: string; pyMarker: string; file: string } {
  const tag = randomBytes(6).toString('hex');
  const shellMarker = path.join(workspaceDir(), `marker-${tag}`);
  const pyMarker = path.join(workspaceDir(), `marker-py-${tag}`);
  const file = path.join(workspaceDir(), `untrusted-${tag}.runbook.md`);
  fs.writeFileSync(file, [
    '# Untrusted', '', '## Steps', '',
    '- [ ] Create the marker', '  ```shell {id=trust.marker}', `  touch ${JSON.stringify(shellMarker)}`, '  ```', '',
    '- [ ] Create the python marker', '  ```python {id=trust.py-marker}', `  open(${JSON.stringify(pyMarker)}, "w").write("ran")`, '  ```', '',
    '- [ ] Confirm by hand', '  ```manual {id=trust.manual}', '  Did you read this?', '  ```', '',
  ].join('\n'));
  return { shellMarker, pyMarker, file };
}

suite('Untrusted workspace', () => {
  suiteSetup(function () {
    if (process.env.RUNBOOK_EXPECT_UNTRUSTED !== '1') this.skip();
  });
  teardown(async () => {
    (await api()).setOperatorUi(undefined);
    await closeAll();
  });

  test('the workspace is not trusted (restricted mode) and the extension is active', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const a = await api();
    assert.ok(a.controller, 'the extension activated in restricted mode');
  });

  test('shell and python checks do not start a process: skipped, no marker file, the cell says how to trust', async () => {
    const a = await api();
    a.setOperatorUi(scriptedUi('yes'));
    const { shellMarker, pyMarker, file } = writeMarkerRunbook();
    const nb = (await openRunbook(file)).notebook;
    const derived = a.statusBar.derived(nb);
    const cells = ['trust.marker', 'trust.py-marker', 'trust.manual'].map((id) => cellOfCheck(derived, id));
    const runs = await runCells(a, nb, cells);

    for (const [i, id] of [[0, 'trust.marker'], [1, 'trust.py-marker']] as const) {
      const run = runs.get(id);
      assert.ok(run, `${id} returned a run`);
      assert.equal(run.verdict, 'skipped', `${id}: ${run.verdict} — ${run.reason}`);
      const out = outputText(nb.cellAt(cells[i]!));
      assert.match(verdictLine(nb.cellAt(cells[i]!)), /skipped.*not trusted/, `${id}: the verdict line says the workspace is not trusted`);
      assert.match(out, /Manage Workspace Trust/, `${id}: the cell says how to trust the folder`);
      const task = a.statusBar.derived(nb).cells[cells[i]!]!.check!.taskCell!;
      assert.equal(a.statusBar.derived(nb).cells[task]!.task!.checked, false, `${id}: the box stays unticked`);
    }
    // Give a process that should not exist every chance to show itself.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(fs.existsSync(shellMarker), false, 'the shell check did not run');
    assert.equal(fs.existsSync(pyMarker), false, 'the python check did not run');
    // Checks that start no process still run in restricted mode.
    assert.equal(runs.get('trust.manual')?.verdict, 'pass');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});

/** The control, in the ordinary trusted run: the same checks do create their markers. */
suite('Trusted control for the marker checks', () => {
  suiteSetup(function () {
    if (process.env.RUNBOOK_EXPECT_UNTRUSTED === '1') this.skip();
  });
  teardown(async () => {
    (await api()).setOperatorUi(undefined);
    await closeAll();
  });

  test('in a trusted workspace the shell and python marker checks run and pass', async () => {
    assert.equal(vscode.workspace.isTrusted, true);
    const a = await api();
    a.setOperatorUi(scriptedUi('yes'));
    const { shellMarker, pyMarker, file } = writeMarkerRunbook();
    const nb = (await openRunbook(file)).notebook;
    const derived = a.statusBar.derived(nb);
    const runs = await runCells(a, nb, ['trust.marker', 'trust.py-marker'].map((id) => cellOfCheck(derived, id)));
    assert.equal(runs.get('trust.marker')?.verdict, 'pass', runs.get('trust.marker')?.reason);
    assert.equal(runs.get('trust.py-marker')?.verdict, 'pass', runs.get('trust.py-marker')?.reason);
    assert.ok(fs.existsSync(shellMarker), 'the shell check created its marker');
    assert.ok(fs.existsSync(pyMarker), 'the python check created its marker');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});

/**
 * A runbook whose http check sends a stored secret (apiKey, bound to the server's origin when
 * stored) and an environment value (token, from $RB_IT_TOKEN_<tag>) to `{{baseUrl}}`.
 */
function writeSecretRunbook(extra: string[] = []): { file: string; tag: string; envVar: string } {
  const tag = randomBytes(6).toString('hex');
  const envVar = `RB_IT_TOKEN_${tag.toUpperCase()}`;
  const file = path.join(workspaceDir(), `secrets-${tag}.runbook.md`);
  fs.writeFileSync(file, [
    '---', 'title: Secrets', 'inputs:',
    '  - name: baseUrl', '    type: url',
    '  - name: apiKey', '    secret: true', `    env: RB_IT_KEY_${tag.toUpperCase()}`,
    '  - name: token', `    env: ${envVar}`,
    '---', '', '# Secrets', '',
    '- [ ] The health endpoint answers', '  ```http {id=sec.health}', '  GET {{baseUrl}}/v1/health',
    '  Authorization: Bearer {{apiKey}}', '  X-Token: {{token}}', '  ```', '',
    ...extra,
  ].join('\n'));
  return { file, tag, envVar };
}

const SECRET = `sk-it-${randomBytes(12).toString('hex')}`;
const TOKEN = `env-token-${randomBytes(8).toString('hex')}`;

suite('Untrusted workspace: secrets go only to approved origins', () => {
  const servers: RecordingServer[] = [];
  const envVars: string[] = [];
  suiteSetup(function () {
    if (process.env.RUNBOOK_EXPECT_UNTRUSTED !== '1') this.skip();
  });
  teardown(async () => {
    const a = await api();
    a.setInputUi(undefined);
    a.setOperatorUi(undefined);
    for (const s of servers.splice(0)) await s.close();
    for (const v of envVars.splice(0)) delete process.env[v];
    await closeAll();
  });

  async function prepared(extra?: string[]) {
    const a = await api();
    const server = await startRecordingServer();
    servers.push(server);
    const { file, envVar } = writeSecretRunbook(extra);
    process.env[envVar] = TOKEN;
    envVars.push(envVar);
    const nb = (await openRunbook(file)).notebook;
    await a.inputs.remember(nb.uri, 'baseUrl', server.url);
    // Stored for this very origin: only the workspace approval is missing.
    assert.equal(await vscode.commands.executeCommand('runbook.setSecret', nb.uri, 'apiKey', SECRET, [server.url]), true);
    const cell = cellOfCheck(a.statusBar.derived(nb), 'sec.health');
    return { a, server, nb, cell };
  }

  test('denied: the modal names the origin and both inputs; the check is skipped with one line; no request reaches the server', async () => {
    const { a, server, nb, cell } = await prepared();
    const ui = scriptedInputUi({ approve: false });
    a.setInputUi(ui);
    const run = (await runCells(a, nb, [cell])).get('sec.health');
    assert.ok(run);
    assert.equal(ui.questions.length, 1, 'the approval modal was shown once');
    const q = ui.questions[0]!;
    assert.equal(q.origin, server.url);
    assert.deepEqual(q.inputs.map((i) => i.name).sort(), ['apiKey', 'token']);
    assert.ok(q.message.includes(server.url) && /apiKey/.test(q.message) && /token/.test(q.message), q.message);
    assert.match(q.detail, new RegExp(`token \\(from the environment variable RB_IT_TOKEN_`));
    assert.equal(run.verdict, 'skipped', `${run.verdict} — ${run.reason}`);
    assert.equal(run.reason, `not sent: apiKey, token not approved for ${server.url}`);
    assert.match(verdictLine(nb.cellAt(cell)), /skipped.*not sent/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.requests.length, 0, 'no request at all reached the server');
    assert.equal(server.carries(SECRET) || server.carries(TOKEN), false);
    assert.deepEqual(a.inputs.approvedFor(server.url), [], 'a denial is not remembered as an approval');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('approved: the request goes and carries both; the approval is remembered; revoking it asks again', async () => {
    const { a, server, nb, cell } = await prepared();
    const ui = scriptedInputUi({ approve: true, revoke: [] });
    a.setInputUi(ui);
    let run = (await runCells(a, nb, [cell])).get('sec.health')!;
    assert.equal(run.verdict, 'pass', `${run.verdict} — ${run.reason}`);
    assert.equal(ui.questions.length, 1);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.headers.authorization, `Bearer ${SECRET}`, 'the approved request carries the stored secret');
    assert.equal(server.requests[0]!.headers['x-token'], TOKEN, 'and the environment value');
    assert.deepEqual(a.inputs.approvedFor(server.url), ['apiKey', 'token']);

    // Remembered for this workspace and origin: no second question.
    run = (await runCells(a, nb, [cell])).get('sec.health')!;
    assert.equal(run.verdict, 'pass');
    assert.equal(ui.questions.length, 1, 'no second modal');
    assert.equal(server.requests.length, 2);

    // "Runbook: Revoke Approved Origins…" (the picker answered by the scripted UI).
    a.setInputUi(scriptedInputUi({ approve: false, revoke: [server.url] }));
    const revoked = await vscode.commands.executeCommand<string[]>('runbook.revokeApprovedOrigins');
    assert.deepEqual(revoked, [server.url]);
    assert.deepEqual(a.inputs.approvedFor(server.url), []);
    const after = scriptedInputUi({ approve: false });
    a.setInputUi(after);
    run = (await runCells(a, nb, [cell])).get('sec.health')!;
    assert.equal(run.verdict, 'skipped', `${run.verdict} — ${run.reason}`);
    assert.equal(after.questions.length, 1, 'after revocation the modal asks again');
    assert.equal(server.requests.length, 2, 'denied after revocation: nothing more reached the server');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('a check cannot redirect the request: an engramia baseUrl line is refused; a front-matter default and a workspace setting are not used', async () => {
    const a = await api();
    const good = await startRecordingServer();
    const evil = await startRecordingServer();
    servers.push(good, evil);
    const settingsFile = path.join(workspaceDir(), '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    const hadSettings = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
    // A setting that is not restricted, written beside it, shows when VS Code has read the file.
    fs.writeFileSync(settingsFile, JSON.stringify({ 'runbook.inputs': { baseUrl: evil.url }, 'runbook.rollout.windowMinutes': 7 }, null, 2));
    try {
      await waitFor(() => vscode.workspace.getConfiguration('runbook').get('rollout.windowMinutes') === 7, { timeout: 20_000, what: 'VS Code to read the workspace settings' });
      // Declared in restrictedConfigurations: VS Code does not apply the workspace's value.
      assert.equal(JSON.stringify(vscode.workspace.getConfiguration('runbook').get('inputs') ?? {}).includes(evil.url), false, 'restricted: the workspace runbook.inputs is not applied');
      const tag = randomBytes(6).toString('hex');
      const file = path.join(workspaceDir(), `redirect-${tag}.runbook.md`);
      fs.writeFileSync(file, [
        '---', 'title: Redirect', 'inputs:', '  - name: baseUrl', '    type: url', `    default: ${evil.url}`, '---', '',
        '# Redirect', '',
        '- [ ] Version (the body names its own server)', '  ```engramia {id=redir.engramia probe=version}', `  baseUrl: ${evil.url}`, '  ```', '',
        '- [ ] Health (baseUrl from the front matter default)', '  ```http {id=redir.http}', '  GET {{baseUrl}}/v1/health', '  ```', '',
      ].join('\n'));
      const nb = (await openRunbook(file)).notebook;
      const ui = scriptedInputUi({ approve: true, answers: { baseUrl: good.url } });
      a.setInputUi(ui);
      const derived = a.statusBar.derived(nb);
      const runs = await runCells(a, nb, [cellOfCheck(derived, 'redir.http'), cellOfCheck(derived, 'redir.engramia')]);

      // The default and the workspace setting did not choose the value: the user was asked.
      assert.deepEqual(ui.prompts.map((p) => p.name), ['baseUrl'], 'restricted mode asks the user for baseUrl');
      const http = runs.get('redir.http')!;
      assert.equal(http.verdict, 'pass', `${http.verdict} — ${http.reason}`);
      assert.equal(good.requests.length, 1, 'the http check went to the server the user gave');

      const eng = runs.get('redir.engramia')!;
      assert.equal(eng.verdict, 'skipped', `${eng.verdict} — ${eng.reason}`);
      assert.match(eng.reason, /restricted mode a check cannot set its own baseUrl/);
      assert.equal(ui.questions.length, 0, 'no approval is offered for a redirect');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(evil.requests.length, 0, 'nothing reached the server the runbook named');
      await vscode.commands.executeCommand('workbench.action.files.revert');
    } finally {
      if (hadSettings === undefined) fs.rmSync(settingsFile); else fs.writeFileSync(settingsFile, hadSettings);
    }
  });

  test('"Set API Key / Secret…" refuses a secret shorter than 8 characters', async () => {
    const a = await api();
    const { file } = writeSecretRunbook();
    const nb = (await openRunbook(file)).notebook;
    assert.equal(await vscode.commands.executeCommand('runbook.setSecret', nb.uri, 'apiKey', 'short7!', []), false);
    const input = a.statusBar.derived(nb).frontMatter!.inputs.find((i) => i.name === 'apiKey')!;
    assert.equal(await a.inputs.getSecret(input, nb.uri), undefined, 'nothing was stored');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});

/** Item 2 in a trusted workspace: a stored secret goes only where it was entered for without asking. */
suite('Secret origin binding (trusted)', () => {
  const servers: RecordingServer[] = [];
  suiteSetup(function () {
    if (process.env.RUNBOOK_EXPECT_UNTRUSTED === '1') this.skip();
  });
  teardown(async () => {
    const a = await api();
    a.setInputUi(undefined);
    for (const s of servers.splice(0)) await s.close();
    await closeAll();
  });

  test('a secret stored for one origin asks before going to another: denied, nothing arrives; approved, it goes and is bound', async () => {
    const a = await api();
    const home = await startRecordingServer();
    const other = await startRecordingServer();
    servers.push(home, other);
    const { file } = writeSecretRunbook();
    const nb = (await openRunbook(file)).notebook;
    await a.inputs.remember(nb.uri, 'baseUrl', home.url);
    await a.inputs.remember(nb.uri, 'token', 'plain-token');
    // Stored while the runbook points at `home`: bound to it (the suggestion for a programmatic call).
    assert.equal(await vscode.commands.executeCommand('runbook.setSecret', nb.uri, 'apiKey', SECRET), true);
    const input = a.statusBar.derived(nb).frontMatter!.inputs.find((i) => i.name === 'apiKey')!;
    assert.deepEqual(await a.inputs.secretOrigins(input, nb.uri), [home.url]);
    const cell = cellOfCheck(a.statusBar.derived(nb), 'sec.health');

    const ui = scriptedInputUi({ approve: false });
    a.setInputUi(ui);
    let run = (await runCells(a, nb, [cell])).get('sec.health')!;
    assert.equal(run.verdict, 'pass', `to its own origin: ${run.reason}`);
    assert.equal(ui.questions.length, 0, 'no question for the origin it was entered for');
    assert.equal(home.requests[0]?.headers.authorization, `Bearer ${SECRET}`);

    await a.inputs.remember(nb.uri, 'baseUrl', other.url);
    run = (await runCells(a, nb, [cell])).get('sec.health')!;
    assert.equal(run.verdict, 'skipped', `${run.verdict} — ${run.reason}`);
    assert.equal(ui.questions.length, 1);
    assert.equal(ui.questions[0]!.origin, other.url);
    assert.deepEqual(ui.questions[0]!.inputs.map((i) => i.name), ['apiKey'], 'only the stored secret needs the approval (trusted: plain values go)');
    assert.match(ui.questions[0]!.inputs[0]!.why, new RegExp(`entered for ${home.url.replace(/[.]/g, '\\.')}`));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(other.requests.length, 0, 'denied: nothing reached the other server');

    ui.approve = true;
    run = (await runCells(a, nb, [cell])).get('sec.health')!;
    assert.equal(run.verdict, 'pass', `${run.verdict} — ${run.reason}`);
    assert.equal(other.requests[0]?.headers.authorization, `Bearer ${SECRET}`);
    assert.deepEqual([...await a.inputs.secretOrigins(input, nb.uri)].sort(), [home.url, other.url].sort(), 'approved: the secret is bound to both');
    assert.deepEqual(a.inputs.approvedFor(other.url), [], 'a trusted workspace keeps no workspace approvals');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('"Set API Key / Secret…" asks the value, then where it may go (suggested: where the checks using it point); a short value is refused', async () => {
    const a = await api();
    const home = await startRecordingServer();
    servers.push(home);
    const { file } = writeSecretRunbook();
    const nb = (await openRunbook(file)).notebook;
    await a.inputs.remember(nb.uri, 'baseUrl', `${home.url}/api/`);
    const input = a.statusBar.derived(nb).frontMatter!.inputs.find((i) => i.name === 'apiKey')!;

    const short = scriptedInputUi({ approve: false, answers: { apiKey: 'abc1234' } });
    a.setInputUi(short);
    assert.equal(await vscode.commands.executeCommand('runbook.setSecret', nb.uri, 'apiKey'), false);
    assert.equal(short.originQuestions.length, 0, 'refused before asking where it goes');
    assert.equal(await a.inputs.getSecret(input, nb.uri), undefined, 'a 7-character secret is not stored');

    const ui = scriptedInputUi({ approve: false, answers: { apiKey: SECRET } });
    a.setInputUi(ui);
    assert.equal(await vscode.commands.executeCommand('runbook.setSecret', nb.uri, 'apiKey'), true);
    assert.deepEqual(ui.prompts.map((p) => p.name), ['apiKey']);
    assert.deepEqual(ui.originQuestions, [{ name: 'apiKey', suggested: [home.url] }]);
    assert.equal(await a.inputs.getSecret(input, nb.uri), SECRET);
    assert.deepEqual(await a.inputs.secretOrigins(input, nb.uri), [home.url]);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('control: in a trusted workspace an engramia baseUrl line does redirect (what restricted mode refuses)', async () => {
    const a = await api();
    const evil = await startRecordingServer();
    servers.push(evil);
    const tag = randomBytes(6).toString('hex');
    const file = path.join(workspaceDir(), `redirect-trusted-${tag}.runbook.md`);
    fs.writeFileSync(file, ['# Redirect', '', '- [ ] Version', '  ```engramia {id=redir.engramia probe=version}', `  baseUrl: ${evil.url}`, '  ```', ''].join('\n'));
    const nb = (await openRunbook(file)).notebook;
    a.setInputUi(scriptedInputUi({ approve: false }));
    const run = (await runCells(a, nb, [cellOfCheck(a.statusBar.derived(nb), 'redir.engramia')])).get('redir.engramia')!;
    assert.ok(evil.requests.length >= 1, `the trusted run went to the runbook's server (${run.verdict} — ${run.reason})`);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
