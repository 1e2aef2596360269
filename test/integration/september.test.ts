/**
 * Process cells and the September Engine rollback runbook in a REAL VS Code. The runbook is
 * created from its template; the deployment is the unit tests' one without Docker: the fake
 * `docker` (test/fixtures/bin/docker) first on the extension host's PATH, a brain volume folder
 * with real SQLite files made by the real sqlite3, and the Engine /health stand-in
 * (test/servers/engine) over real HTTP. Decide, Prepare and Verify run through the notebook
 * controller; shell and python output streams into the cells while the check runs.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Verdict } from '../../src/core/checks/types';
import { startEngineServer, type EngineServer } from '../servers/engine/server';
import { engineLogs, makeBrain } from '../unit/september/fixture';
import { fakeDockerBin } from '../support/fakeDocker';
import { api, closeAll, repoRoot, scriptedUi, workspaceDir } from './helpers';
import { cellOfCheck, newFromTemplate, outputText, rememberAll, runCells, streamText, verdictLine, type Api, type Derived } from './support/runbooks';
import { assertNoSecret } from '../support/secrets';
import { tempDir } from '../support/tempDir';

const TEMPLATE = 'september-engine-rollback.runbook.md';
const ENGINE_KEY = 'sek_it_0123456789abcdefXYZ';

let engine: EngineServer;
let root: string;
let stateDir: string;
let dataDir: string;
const saved: Record<string, string | undefined> = {};

function setFile(name: string, content: string): void {
  fs.writeFileSync(path.join(stateDir, name), content);
}
function calls(): string[] {
  const f = path.join(stateDir, 'calls.log');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
}

/** Check cells of one "## n. Title" section, in document order. */
function sectionChecks(derived: Derived, title: string): { index: number; id: string; excluded: boolean }[] {
  const out: { index: number; id: string; excluded: boolean }[] = [];
  derived.cells.forEach((c, index) => {
    if (c.check && c.check.headingPath.some((h) => h === title)) {
      const ex = c.check.attributes['excludeFromRunAll'];
      out.push({ index, id: c.check.id, excluded: ex !== undefined && ex !== 'false' });
    }
  });
  assert.ok(out.length > 0, `section "${title}" has checks (heading paths: ${[...new Set(derived.cells.flatMap((c) => c.check ? [c.check.headingPath.join(' > ')] : []))].join(' | ')})`);
  return out;
}

async function runSection(a: Api, nb: vscode.NotebookDocument, title: string, expected: Record<string, Verdict>): Promise<Map<string, import('../../src/core/checks/types').CheckRun>> {
  const derived = a.statusBar.derived(nb);
  const checks = sectionChecks(derived, title);
  const runs = await runCells(a, nb, checks.map((c) => c.index), true);
  const table: string[] = [];
  for (const c of checks) {
    const run = runs.get(c.id);
    if (c.excluded) { assert.equal(run, undefined, `${c.id} is excluded from run-all`); table.push(`${c.id}: excluded`); continue; }
    assert.ok(run, `${c.id} ran`);
    table.push(`${c.id}: ${run.verdict}`);
    const want = expected[c.id] ?? 'pass';
    assert.equal(run.verdict, want, `${c.id}: ${run.verdict} — ${run.reason}`);
    const after = a.statusBar.derived(nb);
    const task = after.cells[c.index]!.check!.taskCell;
    if (task !== null && task !== undefined && want === 'pass') assert.equal(after.cells[task]!.task!.checked, true, `${c.id}: box ticked`);
    if (task !== null && task !== undefined && want === 'fail') assert.equal(after.cells[task]!.task!.checked, false, `${c.id}: box unticked`);
  }
  console.log(`    ${title}: ${table.join(', ')}`);
  return runs;
}

suite('September Engine rollback', () => {
  let nb: vscode.NotebookDocument;

  suiteSetup(async function () {
    this.timeout(60_000);
    root = tempDir('september');
    stateDir = path.join(root, '.docker-state');
    dataDir = path.join(root, 'volume-data');
    fs.mkdirSync(stateDir);
    fs.mkdirSync(dataDir);
    // The compose project lives in the workspace folder, the checks' working directory.
    fs.writeFileSync(path.join(workspaceDir(), 'docker-compose.yml'), 'services:\n  engine:\n    image: engine:2.4.0\n    ports:\n      - "127.0.0.1:8000:8000"\n    volumes:\n      - engine-data:/data\nvolumes:\n  engine-data: {}\n');
    setFile('state', 'running\n');
    setFile('image', 'engine:2.4.0\n');
    setFile('images', 'engine:2.4.0\nengine:2.3.1\n');
    setFile('logs', '');
    makeBrain(path.join(dataDir, 'brain.sqlite'), 260);
    makeBrain(path.join(dataDir, `brain-${Math.floor(Date.now() / 1000 - 2 * 3600)}.db`), 240);

    const bin = path.join(repoRoot(), 'test', 'fixtures', 'bin');
    fs.chmodSync(path.join(bin, 'docker'), 0o755);
    for (const k of ['PATH', 'FAKE_DOCKER_STATE', 'FAKE_DOCKER_DATA']) saved[k] = process.env[k];
    // Checks spawn from this process (the extension host): its environment is theirs.
    // Checks inherit PATH but not FAKE_DOCKER_*: a wrapper first on PATH tells the fake its state.
    process.env.PATH = `${fakeDockerBin(bin, root, stateDir, dataDir)}${path.delimiter}${process.env.PATH}`;
    process.env.FAKE_DOCKER_STATE = stateDir;
    process.env.FAKE_DOCKER_DATA = dataDir;
    engine = await startEngineServer({ state: 'ok', engineKey: ENGINE_KEY });

    const a = await api();
    a.setOperatorUi(scriptedUi('yes'));
    nb = await newFromTemplate(TEMPLATE);
    await rememberAll(a, nb, {
      engineUrl: engine.url, currentTag: '2.4.0', previousTag: '2.3.1', p99Baseline: '800',
      symptom: 'error rate 12 % after the 2.4.0 upgrade', healthPolls: '3', healthIntervalSeconds: '0.5', startDeadlineSeconds: '5',
      postmortemUrl: 'https://wiki.example/pm/42',
    });
    await vscode.commands.executeCommand('runbook.setSecret', nb.uri, 'engineKey', ENGINE_KEY);
  });

  suiteTeardown(async () => {
    const a = await api();
    a.setOperatorUi(undefined);
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
    if (nb?.isDirty) await nb.save();
    await closeAll();
    await engine?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('Decide, healthy Engine: every trigger check passes and ticks its box; python output streams into the cell while it runs', async () => {
    const a = await api();
    setFile('logs', engineLogs({ requests: 100, errors: 2, durationsMs: Array.from({ length: 100 }, () => 300) }));
    const poll = cellOfCheck(a.statusBar.derived(nb), 'decide.health-poll');
    // Streaming: an output change shows the first poll before the check has printed its result.
    const seen: string[] = [];
    const sub = vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.notebook !== nb) return;
      for (const c of e.cellChanges) if (c.cell.index === poll && c.outputs) seen.push(outputText(c.cell));
    });
    let runs;
    try {
      runs = await runSection(a, nb, '1. Decide', {});
    } finally {
      sub.dispose();
    }
    assert.match(runs.get('decide.health-poll')!.reason, /ok on all 3 polls/);
    const out = streamText(nb.cellAt(poll));
    assert.match(out, /\[\s*0\.\d s\] poll 1\/3: ok/);
    assert.match(out, /poll 3\/3: ok/);
    assert.ok(seen.some((t) => /poll 1\/3: ok/.test(t) && !/RESULT:/.test(t)), `a partial output was shown while the check ran (${seen.length} output changes)`);
    const stream = nb.cellAt(poll).outputs.find((o) => o.items.some((i) => i.mime === 'application/vnd.code.notebook.stdout'));
    assert.ok(stream, `the process output is a stdout stream output (outputs: ${JSON.stringify(nb.cellAt(poll).outputs.map((o) => o.items.map((i) => i.mime)))})`);
    assert.ok(calls().some((c) => /compose -f docker-compose\.yml logs --no-color --no-log-prefix --since 5m engine/.test(c)), 'error-rate read the compose logs through the fake docker');
  });

  test('Prepare: running tag, previous image, fresh and sound snapshot, forensic export (key masked) all pass', async () => {
    const a = await api();
    const runs = await runSection(a, nb, '2. Prepare', {});
    assert.equal(runs.get('prepare.running-tag')!.reason, 'running engine:2.4.0 (recorded)');
    assert.match(runs.get('prepare.snapshot-recent')!.reason, /^brain-\d+\.db is 2\.0 h old \(limit 24 h\)$/);
    assert.match(runs.get('prepare.snapshot-integrity')!.reason, /^integrity_check of brain-\d+\.db: ok$/);
    assert.ok(calls().some((c) => c.includes('image inspect engine:2.3.1')), calls().join('\n'));
    const files = fs.readdirSync(path.join(workspaceDir(), 'rollback-forensics'));
    assert.equal(files.length, 1, 'one forensic bundle in the workspace');
    assert.equal(engine.requests.at(-1)?.key, ENGINE_KEY, 'the export sent the key');
    const derived = a.statusBar.derived(nb);
    for (const id of ['prepare.running-tag', 'prepare.forensic-export']) {
      const out = outputText(nb.cellAt(cellOfCheck(derived, id)));
      assert.ok(out.length > 0, `${id} has output`);
      assertNoSecret(out, ENGINE_KEY, `${id} output`);
    }
  });

  test('Verify: health stays ok, error rate recovered, operator steps confirmed, postmortem linked', async () => {
    const a = await api();
    setFile('logs', engineLogs({ requests: 100, errors: 1, durationsMs: Array.from({ length: 100 }, () => 280) }));
    await runSection(a, nb, '5. Verify and communicate', {});
  });

  test('a degraded Engine fails the health watch (rollback trigger) and unticks its box; MIGRATION_REQUIRED fails the image-rollback check with that reason', async () => {
    const a = await api();
    const derived = a.statusBar.derived(nb);
    const poll = cellOfCheck(derived, 'decide.health-poll');
    const mig = cellOfCheck(derived, 'rollback.no-migration-required');
    const pollTask = derived.cells[poll]!.check!.taskCell!;
    const migTask = derived.cells[mig]!.check!.taskCell!;

    // Clean logs first: the check passes and ticks.
    setFile('logs', engineLogs({ requests: 3, errors: 0 }));
    const clean = (await runCells(a, nb, [mig])).get('rollback.no-migration-required')!;
    assert.equal(clean.verdict, 'pass', clean.reason);
    assert.equal(a.statusBar.derived(nb).cells[migTask]!.task!.checked, true);

    engine.setState('degraded');
    setFile('logs', engineLogs({ requests: 3, errors: 0, migrationRequired: true }));
    try {
      const runs = await runCells(a, nb, [poll, mig]);
      const h = runs.get('decide.health-poll')!;
      assert.equal(h.verdict, 'fail');
      assert.match(h.reason, /not ok on all 3 polls.*rollback trigger/);
      assert.match(outputText(nb.cellAt(poll)), /"llm": "unreachable"/, 'the subsystems are shown as the Engine sent them');
      assert.equal(a.statusBar.derived(nb).cells[pollTask]!.task!.checked, false, 'the failed health watch unticked its box');

      const m = runs.get('rollback.no-migration-required')!;
      assert.equal(m.verdict, 'fail');
      assert.match(m.reason, /^MIGRATION_REQUIRED in the Engine logs \(1 line\)/);
      assert.match(m.next ?? '', /restore the brain/);
      // the verdict line is markdown: the reason is escaped so that it renders exactly as written
      assert.match(verdictLine(nb.cellAt(mig)), /^\*\*✘ failed\*\* — MIGRATION\\_REQUIRED in the Engine logs \(1 line\)/);
      assert.match(streamText(nb.cellAt(mig)), /RESULT: MIGRATION_REQUIRED/, 'the shell output streamed into the cell');
      assert.equal(a.statusBar.derived(nb).cells[migTask]!.task!.checked, false, 'the failure unticked the box the check had ticked');
    } finally {
      engine.setState('ok');
      setFile('logs', '');
    }
  });
});
