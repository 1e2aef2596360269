/**
 * Cutover operations in a REAL VS Code: Run All Checks (stop on first failure, continue), Run
 * Section, excluded cells, the progress status bar item, the evidence log, the report export
 * (no secret), the rollout smoke window and the drill timer driven by an injected clock.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Clock } from '../../src/core/cutover';
import type { EvidenceRecord } from '../../src/core/evidence';
import type { RunAllResult } from '../../src/vscode/ops';
import { api, closeAll, openRunbook, repoRoot, scriptedUi, workspaceDir } from './helpers';
import { waitFor } from '../support/waitFor';
import { assertNoSecret } from '../support/secrets';

const SECRET = 'tok-5ecret-9f8e7d6c';

/** A clock the test moves by hand; timers fire when their time is reached. */
class FakeClock implements Clock {
  private offset = 0;
  private timers: { id: number; due: number; fn: () => void }[] = [];
  private next = 1;
  constructor(private readonly base = Date.now()) {}
  now(): number { return this.base + this.offset; }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ id, due: this.now() + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void { this.timers = this.timers.filter((t) => t.id !== handle); }
  advance(ms: number): void {
    this.offset += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.due <= this.now()).sort((a, b) => a.due - b.due)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
  }
}

let copies = 0;
/** A fresh copy of a fixture runbook (its own evidence log), opened as a notebook. */
async function fresh(fixture: string): Promise<{ file: string; nb: vscode.NotebookDocument }> {
  const dir = workspaceDir();
  const file = path.join(dir, `${fixture.replace('.runbook.md', '')}-${process.pid}-${++copies}.runbook.md`);
  fs.copyFileSync(path.join(dir, fixture), file);
  const editor = await openRunbook(file);
  return { file, nb: editor.notebook };
}

function evidenceOf(file: string): EvidenceRecord[] {
  const log = file.replace(/\.md$/, '.evidence.jsonl');
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as EvidenceRecord);
}

function cellOfCheck(nb: vscode.NotebookDocument, id: string, derived: ReturnType<Awaited<ReturnType<typeof api>>['statusBar']['derived']>): number {
  const i = derived.cells.findIndex((c) => c.check?.id === id);
  assert.ok(i >= 0, `check ${id} in ${path.basename(nb.uri.fsPath)}`);
  return i;
}

suite('Cutover operations', () => {
  suiteSetup(async () => {
    const a = await api();
    // The secret input of ops-demo: stored before any run, so that no prompt opens.
    const { nb } = await fresh('ops-demo.runbook.md');
    await vscode.commands.executeCommand('runbook.setSecret', nb.uri, 'token', SECRET);
    a.setOperatorUi(scriptedUi('yes'));
    await closeAll();
  });

  setup(async () => {
    (await api()).setOperatorUi(scriptedUi('yes'));
  });

  teardown(async () => {
    const a = await api();
    a.setOperatorUi(undefined);
    a.ops.setClock(undefined);
    for (const nb of vscode.workspace.notebookDocuments) if (nb.isDirty) await nb.save();
    await closeAll();
  });

  test('Run All stops at the first failure: later cells do not run, excluded cells are skipped, a warning says why', async () => {
    const a = await api();
    const { file, nb } = await fresh('ops-demo.runbook.md');
    const before = a.ops.notices.length;
    const result = await vscode.commands.executeCommand<RunAllResult>('runbook.runAll', nb.uri);
    assert.ok(result, 'a result');
    assert.deepEqual(result.ran.map((r) => r.checkId), ['prep.window', 'prep.ok', 'prep.secret', 'cut.switch']);
    assert.deepEqual(result.ran.map((r) => r.verdict), ['pass', 'pass', 'pass', 'fail']);
    assert.equal(result.stoppedAfter, 'cut.switch');
    assert.deepEqual([...result.notRun], ['cut.after', 'verify.health']);
    assert.deepEqual([...result.excluded], ['prep.excluded', 'cut.purge']);
    assert.equal(a.state.lastRun(nb.uri, 'cut.after'), undefined, 'the check after the failure did not run');
    assert.equal(a.state.lastRun(nb.uri, 'prep.excluded'), undefined, 'the excluded check did not run');
    assert.equal(fs.existsSync(path.join(workspaceDir(), 'excluded-ran.txt')), false, 'the excluded shell never ran');
    assert.equal(fs.existsSync(path.join(workspaceDir(), 'purged.txt')), false, 'the destructive shell never ran');
    const warning = a.ops.notices.slice(before).find((n) => n.level === 'warning');
    assert.ok(warning, 'a warning was shown');
    assert.match(warning.message, /stopped/);
    assert.match(warning.message, /Switch the traffic/);
    assert.match(warning.message, /switch refused by the router/);
    assert.match(warning.message, /2 checks not run/);

    // Boxes of passing checks are ticked; the failing one is not.
    const derived = a.statusBar.derived(nb);
    const taskOf = (id: string) => derived.cells[derived.cells[cellOfCheck(nb, id, derived)]!.check!.taskCell!]!.task!;
    assert.equal(taskOf('prep.ok').checked, true);
    assert.equal(taskOf('cut.switch').checked, false);
    assert.equal(taskOf('cut.after').checked, false);

    // The window status bar item: ticked/total and failing count; a click reveals the first failing item.
    const texts = a.ops.statusItems.texts();
    assert.equal(texts.progress, '$(checklist) 3/9 · $(error) 1 failing');
    const shown = await vscode.commands.executeCommand<number>('runbook.revealFirstFailing', nb.uri);
    const failingTask = derived.cells[cellOfCheck(nb, 'cut.switch', derived)]!.check!.taskCell!;
    assert.equal(shown, failingTask);
    const editor = await waitFor(() => vscode.window.visibleNotebookEditors.find((e) => e.notebook === nb), { what: 'the editor' });
    assert.equal(editor.selection.start, failingTask, 'the failing item is selected');

    // Evidence: one record per check that ran, none for the ones that did not.
    const ev = evidenceOf(file).filter((r) => (r.event ?? 'check') === 'check');
    assert.deepEqual(ev.map((r) => r.checkId), ['prep.window', 'prep.ok', 'prep.secret', 'cut.switch']);
  });

  test('Run All with continue runs every check after a failure (excluded and destructive still skipped)', async () => {
    const a = await api();
    const { nb } = await fresh('ops-demo.runbook.md');
    const result = await vscode.commands.executeCommand<RunAllResult>('runbook.runAll', nb.uri, { stopOnFirstFailure: false });
    assert.deepEqual(result.ran.map((r) => r.checkId), ['prep.window', 'prep.ok', 'prep.secret', 'cut.switch', 'cut.after', 'verify.health']);
    assert.equal(result.stoppedAfter, undefined);
    assert.deepEqual([...result.notRun], []);
    assert.deepEqual([...result.excluded], ['prep.excluded', 'cut.purge']);
    assert.deepEqual(result.skipped.map((s) => s.reason), ['excluded from run all', 'destructive: not part of a run-all (run it on its own)']);
    assert.equal(fs.existsSync(path.join(workspaceDir(), 'purged.txt')), false, 'the destructive shell never ran');
    assert.match(result.message, /1 excluded from run all\. 1 destructive check left out/);
    assert.equal(a.state.lastRun(nb.uri, 'verify.health')?.verdict, 'pass');
    assert.equal(a.state.lastRun(nb.uri, 'cut.switch')?.verdict, 'fail');
    assert.match(result.message, /5 passed, 1 failed \(cut\.switch\)/);
    assert.equal(a.ops.statusItems.texts().progress, '$(checklist) 5/9 · $(error) 1 failing');
  });

  test('Run Section runs only that section’s checks (the heading’s status bar item calls it)', async () => {
    const a = await api();
    const { nb } = await fresh('ops-demo.runbook.md');
    const derived = a.statusBar.derived(nb);
    const verify = derived.sections.find((s) => s.title === 'Verify');
    assert.ok(verify, 'the Verify section');
    const heading = a.statusBar.provideCellStatusBarItems(nb.cellAt(verify.cell)).find((i) => i.command && typeof i.command !== 'string' && i.command.command === 'runbook.runSection');
    assert.ok(heading, 'the heading offers runbook.runSection');
    const args = (heading.command as vscode.Command).arguments!;
    const result = await vscode.commands.executeCommand<RunAllResult>('runbook.runSection', ...args);
    assert.deepEqual(result.ran.map((r) => r.checkId), ['verify.health']);
    assert.equal(a.state.lastRun(nb.uri, 'prep.ok'), undefined, 'other sections did not run');
    assert.equal(a.ops.statusItems.texts().progress, '$(checklist) 1/9');

    // A section with an excluded check: it is skipped there too.
    const prep = derived.sections.find((s) => s.title === 'Prepare')!;
    const r2 = await vscode.commands.executeCommand<RunAllResult>('runbook.runSection', nb.uri, prep.id);
    assert.deepEqual(r2.ran.map((r) => r.checkId), ['prep.window', 'prep.ok', 'prep.secret']);
    assert.deepEqual([...r2.excluded], ['prep.excluded']);
  });

  test('Cancel stops the running check and leaves the rest not run (no evidence for the cut-short check)', async () => {
    const a = await api();
    const file = path.join(workspaceDir(), `ops-slow-${process.pid}.runbook.md`);
    fs.writeFileSync(file, [
      '# Slow', '', '## Steps', '',
      '- [ ] Slow step', '  ```shell {id=slow.wait timeout=60s}', '  echo started', '  sleep 30', '  ```',
      '- [ ] Next step', '  ```shell {id=slow.next}', '  echo next', '  ```', '',
    ].join('\n'));
    const nb = (await openRunbook(file)).notebook;
    const slow = cellOfCheck(nb, 'slow.wait', a.statusBar.derived(nb));
    const cts = new vscode.CancellationTokenSource();
    const before = a.ops.notices.length;
    const pending = vscode.commands.executeCommand<RunAllResult>('runbook.runAll', nb.uri, { token: cts.token });
    await waitFor(() => nb.cellAt(slow).outputs.length > 0, { what: 'the slow check to start' });
    cts.cancel();
    const result = await pending;
    assert.equal(result.cancelled, true);
    assert.equal(result.stoppedAfter, undefined, 'a cancel is not a failure');
    assert.deepEqual(result.ran.map((r) => `${r.checkId}:${r.verdict}`), ['slow.wait:skipped']);
    assert.deepEqual([...result.notRun], ['slow.next']);
    assert.equal(a.state.lastRun(nb.uri, 'slow.next'), undefined);
    assert.match(a.ops.notices.slice(before).find((n) => n.level === 'warning')?.message ?? '', /cancelled: 1 ran, 1 not run/);
    assert.deepEqual(evidenceOf(file).filter((r) => (r.event ?? 'check') === 'check'), [], 'no evidence for a cut-short run');
  });

  test('evidence lines and the exported report: sections, verdicts, hand ticks, inputs, and never the secret', async () => {
    const a = await api();
    const { file, nb } = await fresh('ops-demo.runbook.md');
    await vscode.commands.executeCommand('runbook.runAll', nb.uri, { stopOnFirstFailure: false });
    const secretCell = cellOfCheck(nb, 'prep.secret', a.statusBar.derived(nb));
    const secretOut = nb.cellAt(secretCell).outputs.flatMap((o) => o.items).map((i) => Buffer.from(i.data).toString()).join('\n');
    assert.match(secretOut, /token is/, 'the check echoed the token');
    assertNoSecret(secretOut, SECRET, 'the cell output');

    // Tick by hand the item without a check, and untick a ticked one.
    const derived = a.statusBar.derived(nb);
    const tellTeam = derived.cells.findIndex((c) => c.task?.label === 'Tell the team');
    assert.ok(tellTeam > 0);
    assert.equal(await vscode.commands.executeCommand('runbook.toggleTask', nb.uri, tellTeam), true);
    const okTask = derived.cells[cellOfCheck(nb, 'prep.ok', derived)]!.check!.taskCell!;
    assert.equal(await vscode.commands.executeCommand('runbook.toggleTask', nb.uri, okTask), true);
    await waitFor(() => evidenceOf(file).filter((r) => r.tickedBy === 'hand').length >= 2, { what: 'hand ticks in the evidence' });

    const raw = fs.readFileSync(file.replace(/\.md$/, '.evidence.jsonl'), 'utf8');
    assertNoSecret(raw, SECRET, 'the evidence log');
    const ev = evidenceOf(file);
    const checks = ev.filter((r) => (r.event ?? 'check') === 'check');
    assert.equal(checks.length, 6, 'one line per check that ran');
    for (const r of checks) {
      assert.ok(r.timestamp && !Number.isNaN(Date.parse(r.timestamp)), 'timestamp');
      assert.equal(typeof r.durationMs, 'number');
      assert.ok(r.reason && !r.reason.includes('\n'), 'a one-line cause');
      assert.equal(r.tickedBy, 'check');
    }
    const secretRec = checks.find((r) => r.checkId === 'prep.secret')!;
    assert.equal(secretRec.verdict, 'pass');
    assert.match(secretRec.reason, /token is ••••••/);
    assert.deepEqual(secretRec.inputs, { token: '(secret)', region: 'eu-test-1' });
    assert.deepEqual(secretRec.section, ['Ops demo', 'Prepare']);
    const failRec = checks.find((r) => r.checkId === 'cut.switch')!;
    assert.equal(failRec.verdict, 'fail');
    const tick = ev.find((r) => r.event === 'tick')!;
    assert.equal(tick.tickedBy, 'hand');
    assert.equal(tick.label, 'Tell the team');
    assert.ok(tick.user, 'who ticked');
    const untick = ev.find((r) => r.event === 'untick')!;
    assert.equal(untick.checkId, 'prep.ok');

    const reportUri = await vscode.commands.executeCommand<vscode.Uri>('runbook.exportReport', nb.uri);
    assert.ok(reportUri, 'a report was written');
    assert.equal(path.basename(reportUri.fsPath), path.basename(file).replace('.runbook.md', '.report.md'));
    assert.equal(path.dirname(reportUri.fsPath), path.dirname(file), 'beside the runbook');
    // Opened rendered (markdown preview tab "Preview <name>") or, without the preview, as text.
    const reportName = path.basename(reportUri.fsPath);
    await waitFor(() => vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath === reportUri.fsPath)
      || vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.label.includes(reportName)), { what: 'the report to open' });
    const report = fs.readFileSync(reportUri.fsPath, 'utf8');
    assertNoSecret(report, SECRET, 'the report');
    assert.match(report, /^# Cutover report: Ops demo/m);
    assert.match(report, /^## Ops demo › Prepare$/m);
    assert.match(report, /^## Ops demo › Cutover$/m);
    assert.match(report, /^## Ops demo › Verify$/m);
    assert.match(report, /Switch the traffic.*✘ fail.*switch refused by the router/);
    assert.match(report, /Health is fine.*✔ pass/);
    assert.match(report, /Tell the team.*✔ ticked/);
    assert.match(report, /The shell works.*☐ unticked/);
    assert.match(report, /A step left out of run all.*not run/);
    assert.match(report, /Purge the old side.*not run/);
    assert.match(report, /token=\(secret\)/);
  });

  test('Export Evidence Report never writes through a symbolic link planted at the report path', async () => {
    const a = await api();
    const { file, nb } = await fresh('ops-demo.runbook.md');
    const victim = path.join(path.dirname(file), `victim-${process.pid}.txt`);
    fs.writeFileSync(victim, 'keep me\n');
    const reportPath = file.replace(/\.runbook\.md$/, '.report.md');
    fs.symlinkSync(victim, reportPath);
    try {
      const before = a.ops.notices.length;
      const reportUri = await vscode.commands.executeCommand<vscode.Uri | undefined>('runbook.exportReport', nb.uri);
      assert.equal(reportUri, undefined, 'no report was written');
      assert.equal(fs.readFileSync(victim, 'utf8'), 'keep me\n', 'the link target is untouched');
      const error = a.ops.notices.slice(before).find((n) => n.level === 'error');
      assert.ok(error, 'an error was shown');
      assert.match(error.message, /^Cannot write the cutover report: .*symbolic link/);
    } finally {
      fs.rmSync(reportPath, { force: true });
      fs.rmSync(victim, { force: true });
    }
  });

  test('rollout window: the step opens a 30-minute window; past it with a smoke missing, a warning points to rollback', async () => {
    const a = await api();
    const clock = new FakeClock();
    a.ops.setClock(clock);
    const { file, nb } = await fresh('ops-rollout.runbook.md');
    const step = await vscode.commands.executeCommand('runbook.rolloutStep', nb.uri, 5);
    assert.equal(step, 5);
    const derived = a.statusBar.derived(nb);
    const flipTask = derived.cells[cellOfCheck(nb, 'rollout.5-percent', derived)]!.check!.taskCell!;
    assert.equal(a.statusBar.derived(nb).cells[flipTask]!.task!.checked, true, 'the rollout item is ticked');
    await waitFor(() => a.ops.recorder.windowStatus(nb)?.state === 'open', { what: 'the window to open' });
    assert.match(a.ops.statusItems.texts().window, /^\$\(watch\) Rollout 5%: 30:00 left · smokes 0\/2$/);

    const smokeOne = cellOfCheck(nb, 'smoke.one', derived);
    const [run] = await a.controller.run(nb, [nb.cellAt(smokeOne)]);
    assert.equal(run?.verdict, 'pass');
    clock.advance(10 * 60 * 1000);
    assert.match(a.ops.statusItems.texts().window, /Rollout 5%: 20:00 left · smokes 1\/2/);

    const before = a.ops.notices.length;
    clock.advance(21 * 60 * 1000);
    const status = a.ops.recorder.windowStatus(nb)!;
    assert.equal(status.state, 'closed-missing');
    assert.deepEqual(status.smokes, { 'smoke.one': 'pass', 'smoke.two': 'not run' });
    const warning = a.ops.notices.slice(before).find((n) => n.level === 'warning');
    assert.ok(warning, 'a warning when the window closes');
    assert.match(warning.message, /smoke\.two not run/);
    assert.match(warning.message, /Rollback/);
    assert.match(a.ops.statusItems.texts().window, /window closed · smokes 1\/2 — roll back/);
    assert.equal(a.ops.statusItems.window.command && (a.ops.statusItems.window.command as vscode.Command).command, 'runbook.revealRollback');

    const rollbackCell = await vscode.commands.executeCommand<number>('runbook.revealRollback', nb.uri);
    const rollback = a.statusBar.derived(nb).sections.find((s) => s.title === 'Rollback')!;
    assert.equal(rollbackCell, rollback.cell);
    const editor = await waitFor(() => vscode.window.visibleNotebookEditors.find((e) => e.notebook === nb), { what: 'the editor' });
    assert.equal(editor.selection.start, rollback.cell, 'the rollback heading is selected');

    const ev = evidenceOf(file);
    const rollout = ev.find((r) => r.event === 'rollout');
    assert.ok(rollout, 'the rollout step is in the evidence');
    assert.equal(rollout.data?.['step'], 5);
    assert.ok(ev.some((r) => r.event === 'tick' && r.checkId === 'rollout.5-percent'), 'the hand tick of the flip is in the evidence');
  });

  test('rollout window: all smokes green inside the window closes green', async () => {
    const a = await api();
    const clock = new FakeClock();
    a.ops.setClock(clock);
    const { file, nb } = await fresh('ops-rollout.runbook.md');
    await vscode.commands.executeCommand('runbook.rolloutStep', nb.uri, '25');
    await waitFor(() => a.ops.recorder.windowStatus(nb)?.step === 25, { what: 'the 25% window' });
    const smokes = a.statusBar.derived(nb).sections.find((s) => s.title === 'Smoke tests')!;
    const result = await vscode.commands.executeCommand<RunAllResult>('runbook.runSection', nb.uri, smokes.id);
    assert.deepEqual(result.ran.map((r) => `${r.checkId}:${r.verdict}`), ['smoke.one:pass', 'smoke.two:pass']);
    assert.match(a.ops.statusItems.texts().window, /smokes 2\/2/);
    const before = a.ops.notices.length;
    clock.advance(31 * 60 * 1000);
    assert.equal(a.ops.recorder.windowStatus(nb)?.state, 'closed-green');
    assert.ok(!a.ops.notices.slice(before).some((n) => n.level === 'warning'), 'no rollback warning');
    assert.ok(a.ops.notices.slice(before).some((n) => /all 2 smoke tests green/.test(n.message)));
    assert.match(a.ops.statusItems.texts().window, /Rollout 25%: smokes green/);

    const reportUri = await vscode.commands.executeCommand<vscode.Uri>('runbook.exportReport', nb.uri);
    const report = fs.readFileSync(reportUri.fsPath, 'utf8');
    assert.match(report, /## Rollout steps and smoke windows/);
    assert.match(report, /\| 25% \|.*✔ all smokes green/);
    assert.ok(evidenceOf(file).some((r) => r.event === 'rollout' && r.data?.['step'] === 25));
  });

  test('drill timer: start, per-section splits as sections finish, stop — in the evidence and the report', async () => {
    const a = await api();
    const clock = new FakeClock();
    a.ops.setClock(clock);
    const { file, nb } = await fresh('ops-demo.runbook.md');
    await vscode.commands.executeCommand('runbook.drillTimer', nb.uri, 'start');
    assert.equal(a.ops.recorder.drillRunning(nb), true);
    clock.advance(2 * 60 * 1000);
    assert.match(a.ops.statusItems.texts().drill, /^\$\(clock\) Drill 2 min 00 s$/);
    await vscode.commands.executeCommand('runbook.runAll', nb.uri, { stopOnFirstFailure: false });
    // A split by hand for a section, by id.
    const verify = a.statusBar.derived(nb).sections.find((s) => s.title === 'Verify')!;
    clock.advance(60 * 1000);
    await vscode.commands.executeCommand('runbook.drillTimer', nb.uri, 'split', verify.id);
    clock.advance(5 * 60 * 1000);
    await vscode.commands.executeCommand('runbook.drillTimer', nb.uri, 'stop');
    assert.equal(a.ops.recorder.drillRunning(nb), false);
    assert.equal(a.ops.statusItems.texts().drill, '');

    const ev = evidenceOf(file);
    const start = ev.find((r) => r.event === 'drill-start');
    const stop = ev.find((r) => r.event === 'drill-stop');
    assert.ok(start && stop, 'start and stop recorded');
    assert.equal(stop.durationMs, 8 * 60 * 1000, 'the total comes from the injected clock');
    const splits = ev.filter((r) => r.event === 'drill-split').map((r) => String(r.data?.['section']));
    assert.ok(splits.includes('Ops demo › Prepare'), `splits: ${splits.join(', ')}`);
    assert.ok(splits.includes('Ops demo › Cutover'), `splits: ${splits.join(', ')}`);
    assert.ok(splits.includes('Ops demo › Verify'), `splits: ${splits.join(', ')}`);

    const reportUri = await vscode.commands.executeCommand<vscode.Uri>('runbook.exportReport', nb.uri);
    const report = fs.readFileSync(reportUri.fsPath, 'utf8');
    assert.match(report, /^## Drill$/m);
    assert.match(report, /total \*\*8 min 00 s\*\*/);
    assert.match(report, /\| Ops demo › Prepare \| /);
    assert.match(report, /\| Ops demo › Cutover \| /);
  });

  test('bundled runbooks: the Engramia rollout items open the window over its five smokes; the September drill splits by section', async () => {
    const a = await api();
    const clock = new FakeClock();
    a.ops.setClock(clock);
    const copy = (name: string) => {
      const file = path.join(workspaceDir(), name.replace('.runbook.md', `-ops-${process.pid}-${++copies}.runbook.md`));
      fs.copyFileSync(path.join(repoRoot(), 'runbooks', name), file);
      return file;
    };
    const engramia = copy('engramia-verification-and-rollback.runbook.md');
    const nb = (await openRunbook(engramia)).notebook;
    assert.equal(await vscode.commands.executeCommand('runbook.rolloutStep', nb.uri, 50), 50);
    const derived = a.statusBar.derived(nb);
    const flip = derived.cells[cellOfCheck(nb, 'rollout.50-percent', derived)]!.check!.taskCell!;
    assert.equal(a.statusBar.derived(nb).cells[flip]!.task!.checked, true, 'the 50 % item is ticked');
    const status = a.ops.recorder.windowStatus(nb)!;
    assert.deepEqual(Object.keys(status.smokes), ['smoke.1-round-trip', 'smoke.2-recall', 'smoke.3-learn-writeback', 'smoke.4-live-traffic', 'smoke.5-quota']);
    assert.match(a.ops.statusItems.texts().window, /Rollout 50%: 30:00 left · smokes 0\/5/);
    const before = a.ops.notices.length;
    clock.advance(30 * 60 * 1000 + 1);
    const warning = a.ops.notices.slice(before).find((n) => n.level === 'warning');
    assert.ok(warning, 'the window closed with a warning');
    assert.match(warning.message, /smoke\.1-round-trip not run/);
    assert.match(warning.message, /"Rollback" section/);
    const rollbackCell = await vscode.commands.executeCommand<number>('runbook.revealRollback', nb.uri);
    assert.match(nb.cellAt(rollbackCell).document.getText(), /^## Rollback/);

    const september = copy('september-engine-rollback.runbook.md');
    const sep = (await openRunbook(september)).notebook;
    await vscode.commands.executeCommand('runbook.drillTimer', sep.uri, 'start');
    clock.advance(4 * 60 * 1000);
    await vscode.commands.executeCommand('runbook.drillTimer', sep.uri, 'split', '1. Decide');
    clock.advance(6 * 60 * 1000);
    await vscode.commands.executeCommand('runbook.drillTimer', sep.uri, 'split', '2. Prepare');
    await vscode.commands.executeCommand('runbook.drillTimer', sep.uri, 'stop');
    const splits = evidenceOf(september).filter((r) => r.event === 'drill-split');
    assert.deepEqual(splits.map((r) => [String(r.data?.['section']).split(' › ').pop(), r.durationMs]), [['1. Decide', 4 * 60 * 1000], ['2. Prepare', 6 * 60 * 1000]]);
    const report = fs.readFileSync((await vscode.commands.executeCommand<vscode.Uri>('runbook.exportReport', sep.uri)).fsPath, 'utf8');
    assert.match(report, /total \*\*10 min 00 s\*\*/);
    assert.match(report, /1\. Decide \| 4 min 00 s/);
    assert.match(report, /2\. Prepare \| 6 min 00 s/);
  });

  test('the notebook toolbar and the walkthrough are contributed', async () => {
    const pkg = vscode.extensions.getExtension('runbook-notebooks.runbook-notebooks')!.packageJSON as {
      contributes: { menus: Record<string, { command: string }[]>; walkthroughs: { steps: { id: string; media: { markdown?: string } }[] }[] };
    };
    const toolbar = pkg.contributes.menus['notebook/toolbar']!.map((m) => m.command);
    for (const c of ['runbook.runAll', 'runbook.runSection', 'runbook.exportReport', 'runbook.rolloutStep', 'runbook.drillTimer']) assert.ok(toolbar.includes(c), c);
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['runbook.runAll', 'runbook.runSection', 'runbook.exportReport', 'runbook.rolloutStep', 'runbook.drillTimer', 'runbook.revealFirstFailing', 'runbook.revealRollback']) assert.ok(commands.includes(c), `${c} registered`);
    const steps = pkg.contributes.walkthroughs[0]!.steps;
    assert.ok(steps.length >= 4);
    const root = vscode.extensions.getExtension('runbook-notebooks.runbook-notebooks')!.extensionPath;
    for (const s of steps) if (s.media.markdown) assert.ok(fs.existsSync(path.join(root, s.media.markdown)), s.media.markdown);
  });
});
