/**
 * Live checks against Engramia in a REAL VS Code: the bundled Engramia runbook, created from its
 * template, runs every http/engramia check through the notebook controller against the contract
 * server (test/servers/engramia, real HTTP on 127.0.0.1) for 0.6.6 and main. Verdicts mirror
 * test/unit/engramia/runbook.test.ts; passes tick their box, failures leave it unticked with a
 * one-line reason in the cell. The leak test then reads the saved runbook, the evidence log,
 * every cell output and the extension's log: the key appears nowhere (raw, percent- or base64-encoded),
 * although a proxy echoed it back in an error body and the URL carried it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckRun, Verdict } from '../../src/core/checks/types';
import { inlineMarkdown } from '../../src/core/runbook/plainText';
import type { EngramiaServer, EngramiaVersion } from '../servers/engramia/server';
import { closeContractServers, startContractServer } from '../support/contractServer';
import { api, closeAll, openRunbook, scriptedUi, workspaceDir } from './helpers';
import { waitFor } from '../support/waitFor';
import { startEchoServer } from './support/echoServer';
import { scriptedInputUi } from './support/inputUi';
import {
  allOutputs, cellOfCheck, checkCells, newFromTemplate, outputText, rememberAll, runbookLogFiles, runCells, verdictLine, type Api,
} from './support/runbooks';
import { assertNoSecret } from '../support/secrets';

const TEMPLATE = 'engramia-verification-and-rollback.runbook.md';
const LIVE_KINDS = ['http', 'engramia'];

const start = (version: EngramiaVersion): Promise<EngramiaServer> => startContractServer({ version });

/** The unit test's healthy inputs (test/unit/engramia/runbook.test.ts). */
const healthyInputs = (s: EngramiaServer) => ({
  baseUrl: s.url, expectedPatterns: '5', importedPairs: '6', projectId: s.projectId, quotaFactor: '0.8',
  sampleTask: 'Build a CSV parser', liveTask: 'Hello, are you there?',
});

/** What smoke 1 leaves behind when the agent's hooks write to this server (as in the unit test). */
async function emulateSmoke1(server: EngramiaServer, prompt: string): Promise<void> {
  const res = await fetch(server.url + '/v1/learn', {
    method: 'POST',
    headers: { authorization: `Bearer ${server.keys.editor}`, 'content-type': 'application/json' },
    body: JSON.stringify({ task: prompt, code: 'agent answer', eval_score: 7, source: 'api' }),
  });
  assert.ok(res.ok, `smoke 1 emulation: HTTP ${res.status}`);
}

interface Prepared { nb: vscode.NotebookDocument; runs: Map<string, CheckRun>; live: { index: number; id: string }[] }

/** New runbook from the template, inputs and key set, every live check run in document order. */
async function runTemplate(a: Api, server: EngramiaServer, key: string): Promise<Prepared> {
  const nb = await newFromTemplate(TEMPLATE);
  await rememberAll(a, nb, healthyInputs(server));
  await vscode.commands.executeCommand('runbook.setSecret', nb.uri, 'apiKey', key);
  await emulateSmoke1(server, 'Build a CSV parser');
  const live = checkCells(a.statusBar.derived(nb), LIVE_KINDS);
  assert.ok(live.length >= 12, `live checks found: ${live.length}`);
  const runs = await runCells(a, nb, live.map((c) => c.index));
  assert.deepEqual([...runs.keys()].sort(), live.map((c) => c.id).sort(), 'every live check ran once');
  return { nb, runs, live };
}

/** Verdict per check id; boxes ticked for passes, unticked otherwise (the runbook starts unticked). */
function assertVerdicts(a: Api, p: Prepared, expected: Record<string, Verdict>): void {
  const derived = a.statusBar.derived(p.nb);
  const table: string[] = [];
  for (const { index, id } of p.live) {
    const want = expected[id] ?? 'pass';
    const run = p.runs.get(id)!;
    table.push(`${id}: ${run.verdict}`);
    assert.equal(run.verdict, want, `${id}: ${run.verdict} — ${run.reason}`);
    const taskCell = derived.cells[index]!.check!.taskCell;
    assert.notEqual(taskCell, null, `${id} belongs to a task`);
    const checked = derived.cells[taskCell!]!.task!.checked;
    assert.equal(checked, want === 'pass', `${id} (${want}): box ${checked ? 'ticked' : 'unticked'}`);
    const line = verdictLine(p.nb.cellAt(index));
    assert.ok(line.length > 0, `${id}: the cell shows its verdict`);
    if (want === 'fail') {
      assert.match(line, /^\*\*✘ failed\*\* — \S/, `${id}: one-line reason`);
      assert.ok(!run.reason.includes('\n'), `${id}: the reason is one line`);
      assert.ok(line.includes(inlineMarkdown(run.reason)), `${id}: the cell shows the reason as written`);
    }
  }
  console.log(`    verdicts: ${table.join(', ')}`);
}

suite('Engramia live checks', () => {
  suiteSetup(async () => {
    (await api()).setOperatorUi(scriptedUi('yes'));
  });
  suiteTeardown(async () => {
    (await api()).setOperatorUi(undefined);
    await closeContractServers();
  });
  teardown(async () => {
    for (const nb of vscode.workspace.notebookDocuments) if (nb.isDirty) await nb.save();
    await closeAll();
  });

  test('0.6.6, admin key: every http/engramia check passes and ticks its box; the delete is not sent without the typed id', async () => {
    const a = await api();
    const s = await start('0.6.6');
    const p = await runTemplate(a, s, s.keys.admin);
    assertVerdicts(a, p, { 'rollback.3-delete-project': 'skipped' });
    assert.match(p.runs.get('code.server-version')!.reason, /^server 0\.6\.6: every learn inserts/);
    assert.equal(s.hitCount('DELETE', `/v1/governance/projects/${s.projectId}`), 0, 'the project delete did not reach the server');
    assert.equal(s.hitCount('DELETE'), 1, 'the only DELETE is smoke 3 removing the pattern it learned');
  });

  test('main, admin key: all pass except the version (runs from source → warn, box stays unticked)', async () => {
    const a = await api();
    const s = await start('main');
    const p = await runTemplate(a, s, s.keys.admin);
    assertVerdicts(a, p, { 'code.server-version': 'warn', 'rollback.3-delete-project': 'skipped' });
    assert.match(p.runs.get('code.server-version')!.reason, /^version unknown \(server runs from source/);
    assert.match(p.runs.get('smoke.3-learn-writeback')!.reason, /pattern_count \d+ → \d+: the learn with a unique task was stored/);
    assert.equal(s.hitCount('DELETE', `/v1/governance/projects/${s.projectId}`), 0, 'the project delete did not reach the server');
    assert.equal(s.hitCount('DELETE'), 1, 'the only DELETE is smoke 3 removing the pattern it learned');
  });

  test('main, the guide\'s editor key: scope warns, the retention dry run and the delete fail with a one-line reason and its box is unticked', async () => {
    const a = await api();
    const s = await start('main');
    const p = await runTemplate(a, s, s.keys.editor);
    assertVerdicts(a, p, {
      'code.server-version': 'warn', 'scope.project': 'warn', 'rollback.3-retention-dry-run': 'fail', 'rollback.3-delete-project': 'fail',
    });
    // The delete refuses up front for a role that cannot delete: no prompt, no request.
    assert.match(p.runs.get('rollback.3-delete-project')!.reason, /role editor cannot delete a project; nothing was sent/);
    const dry = cellOfCheck(a.statusBar.derived(p.nb), 'rollback.3-retention-dry-run');
    assert.match(verdictLine(p.nb.cellAt(dry)), /role editor lacks permission governance:admin/);
    await waitFor(() => p.nb.cellAt(dry).executionSummary?.success === false, { what: 'the failed cell to end red' });
    assert.match(p.runs.get('scope.project')!.reason, /ENGRAMIA_TENANT_ID and ENGRAMIA_PROJECT_ID have no effect/);
    assert.equal(s.hitCount('DELETE', `/v1/governance/projects/${s.projectId}`), 0);
    assert.equal(s.hitCount('DELETE'), 1, 'the only DELETE is smoke 3 removing the pattern it learned (an editor may delete its own)');
  });

  test('leak test: after a run in which a proxy echoed the key, no file, output or log holds it', async () => {
    const a = await api();
    const s = await start('main');
    const key = s.keys.admin;
    const p = await runTemplate(a, s, key);
    assert.ok(await p.nb.save(), 'the runbook is saved');

    // A second runbook sends the same key (same secret) to a server that echoes it in its error body.
    const echo = await startEchoServer();
    try {
      const fixture = path.join(workspaceDir(), 'it-engramia', 'echo-leak.runbook.md');
      const file = path.join(workspaceDir(), 'it-engramia', `echo-leak-${process.pid}.runbook.md`);
      fs.copyFileSync(fixture, file);
      const nb = (await openRunbook(file)).notebook;
      await a.inputs.remember(nb.uri, 'echoUrl', echo.url);
      const cell = cellOfCheck(a.statusBar.derived(nb), 'leak.echo');
      // The key was stored for the contract server: sending it to the echo server asks first.
      const ui = scriptedInputUi({ approve: true });
      a.setInputUi(ui);
      const runs = await runCells(a, nb, [cell]);
      a.setInputUi(undefined);
      assert.deepEqual(ui.questions.map((q) => [q.origin, q.inputs.map((i) => i.name)]), [[echo.url, ['apiKey']]], 'the key\'s new origin was approved first');
      const run = runs.get('leak.echo')!;
      assert.equal(echo.hits, 1, 'the echo server was called');
      assert.equal(run.verdict, 'fail', `${run.verdict} — ${run.reason}`);
      const out = outputText(nb.cellAt(cell));
      assert.match(out, /received_authorization/, 'the echoed body is shown in the details');
      assert.match(out, /Bearer ••••••/, 'the echoed header is shown masked');
      assert.match(out, /token_base64/);
      assert.ok(await nb.save() || !nb.isDirty, 'the fixture is saved');
      assertNoSecret(out, key, 'the echo cell output');
      assertNoSecret(fs.readFileSync(file, 'utf8'), key, 'the echo runbook file');
      const echoEvidence = file.replace(/\.md$/, '.evidence.jsonl');
      assert.ok(fs.existsSync(echoEvidence), 'the echo run was recorded');
      assertNoSecret(fs.readFileSync(echoEvidence, 'utf8'), key, 'the echo evidence log');
    } finally {
      await echo.close();
    }

    // The bundled runbook: file, evidence, outputs.
    assertNoSecret(fs.readFileSync(p.nb.uri.fsPath, 'utf8'), key, 'the saved runbook');
    const evidence = p.nb.uri.fsPath.replace(/\.md$/, '.evidence.jsonl');
    assert.ok(fs.existsSync(evidence), `the evidence log ${path.basename(evidence)} exists`);
    const ev = fs.readFileSync(evidence, 'utf8');
    assert.ok(ev.split('\n').filter((l) => l.trim()).length >= p.live.length, 'one evidence line per check');
    assertNoSecret(ev, key, 'the evidence log');
    assertNoSecret(allOutputs(p.nb), key, 'the cell outputs');
    // No file in the workspace holds it either (sidecars, reports).
    for (const f of walkFiles(workspaceDir())) assertNoSecret(fs.readFileSync(f, 'latin1'), key, path.relative(workspaceDir(), f));

    // The extension's log ("Runbook" output channel) on disk.
    const { files, roots } = runbookLogFiles();
    assert.ok(files.length > 0, `the Runbook log file was found under ${roots.join(', ') || '(no logs root known)'}`);
    const log = await waitFor(() => {
      const text = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
      return text.includes('leak.echo: fail') ? text : undefined;
    }, { timeout: 15_000, what: 'the log to be flushed' });
    assert.match(log, /run data\.backfill \(engramia\)/);
    assertNoSecret(log, key, 'the Runbook log');
    console.log(`    log files: ${files.join(', ')}`);
  });
});

function walkFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'node_modules' && e.name !== '.git') out.push(...walkFiles(p)); }
    else if (e.isFile() && fs.statSync(p).size < 5_000_000) out.push(p);
  }
  return out;
}
