/**
 * The checks of open runbooks in VS Code's Test Explorer: a runbook is a test item, its sections
 * (by heading path) are nested suites, each check is a test whose location is its cell. Running
 * from the Test Explorer runs the cells through the notebook controller — the same engine, the
 * same boxes ticked, the same evidence — and a check run in the notebook shows its result here too.
 * Only adapts: the tree comes from the core's derived runbook, the runs from the controller.
 */
import * as vscode from 'vscode';
import type { CheckRun } from '../../core/checks/types';
import { plainText, type DerivedRunbook } from '../../core/runbook';
import { planRun } from '../../core/plan';
import { documentOf } from '../notebook/notebookDoc';
import type { RunbookController } from '../notebook/controller';
import type { DerivedRunbooks } from '../notebook/derivedRunbooks';
import type { RunState } from '../notebook/runState';
import { NOTEBOOK_TYPES } from '../notebook/types';

export interface RunbookTestsDeps {
  readonly controller: Pick<RunbookController, 'runPlan'>;
  readonly runbooks: DerivedRunbooks;
  readonly state: RunState;
}

/** What a test item stands for. */
type ItemData = { readonly kind: 'runbook' | 'section'; readonly notebook: vscode.NotebookDocument } | { readonly kind: 'check'; readonly notebook: vscode.NotebookDocument; readonly checkId: string };

export const TEST_CONTROLLER_ID = 'runbook.checks';

function isRunbook(nb: vscode.NotebookDocument): boolean {
  return (NOTEBOOK_TYPES as readonly string[]).includes(nb.notebookType);
}

function label(nb: vscode.NotebookDocument, derived: DerivedRunbook): string {
  const title = derived.frontMatter?.title ?? derived.sections[0]?.title;
  return title !== undefined ? plainText(title) : nb.uri.path.split('/').pop() ?? nb.uri.toString();
}

export class RunbookTests implements vscode.Disposable {
  readonly ctrl = vscode.tests.createTestController(TEST_CONTROLLER_ID, 'Runbook checks');
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Runs started from the Test Explorer report themselves; the notebook sync leaves them alone. */
  private readonly ownRuns = new Set<string>();
  /** The last notebook run each item was synced from. */
  /** The last run reported per test item id (items are rebuilt when the notebook changes; their ids stay). */
  private readonly seen = new Map<string, CheckRun>();
  /** The last state reported per test item id ("passed", "failed" …): what the Test Explorer shows. */
  readonly reported = new Map<string, 'passed' | 'failed' | 'errored' | 'skipped'>();
  /** Ids of the test items reported as notebook runs (runs not started here), oldest first. */
  readonly notebookRunReports: string[] = [];

  constructor(private readonly deps: RunbookTestsDeps) {
    this.ctrl.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.runTests(request, token), true);
    this.ctrl.refreshHandler = async () => {
      for (const nb of vscode.workspace.notebookDocuments) if (isRunbook(nb)) this.refresh(nb);
    };
    for (const nb of vscode.workspace.notebookDocuments) if (isRunbook(nb)) this.refresh(nb);
    this.disposables.push(
      this.ctrl,
      vscode.workspace.onDidOpenNotebookDocument((nb) => isRunbook(nb) && this.refresh(nb)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.ctrl.items.delete(nb.uri.toString())),
      vscode.workspace.onDidChangeNotebookDocument((e) => isRunbook(e.notebook) && this.refreshSoon(e.notebook)),
      deps.state.onDidChange((uri) => this.syncFromNotebook(uri)),
    );
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }

  private refreshSoon(nb: vscode.NotebookDocument): void {
    const key = nb.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key);
      if (!nb.isClosed) this.refresh(nb);
    }, 300));
  }

  /** Rebuilds one runbook's items: sections as nested suites in document order, checks as tests. */
  refresh(nb: vscode.NotebookDocument): void {
    const derived = this.deps.runbooks.of(nb);
    const root = this.ctrl.createTestItem(nb.uri.toString(), label(nb, derived), nb.uri);
    this.data.set(root, { kind: 'runbook', notebook: nb });
    const suites = new Map<string, vscode.TestItem>();
    const suiteFor = (path: readonly string[]): vscode.TestItem => {
      let parent = root;
      for (let depth = 1; depth <= path.length; depth++) {
        const key = path.slice(0, depth).map(encodeURIComponent).join('/');
        let item = suites.get(key);
        if (!item) {
          item = this.ctrl.createTestItem(`${nb.uri.toString()}#${key}`, path[depth - 1]!, nb.uri);
          item.sortText = String(suites.size).padStart(6, '0');
          this.data.set(item, { kind: 'section', notebook: nb });
          suites.set(key, item);
          parent.children.add(item);
        }
        parent = item;
      }
      return parent;
    };
    let order = 0;
    derived.cells.forEach((c, i) => {
      if (!c.check) return;
      const cell = nb.cellAt(i);
      const taskLabel = c.check.taskCell !== null ? derived.cells[c.check.taskCell]?.task?.label : undefined;
      const item = this.ctrl.createTestItem(`${nb.uri.toString()}::${c.check.id}`, taskLabel ? `${c.check.id} — ${plainText(taskLabel)}` : c.check.id, cell.document.uri);
      item.range = new vscode.Range(0, 0, 0, 0);
      item.description = c.check.kind;
      item.sortText = String(order++).padStart(6, '0');
      this.data.set(item, { kind: 'check', notebook: nb, checkId: c.check.id });
      suiteFor(c.headingPath).children.add(item);
    });
    this.ctrl.items.add(root);
  }

  /** The check items under `item` (itself included), in document order. */
  private checksUnder(item: vscode.TestItem, out: vscode.TestItem[] = []): vscode.TestItem[] {
    const d = this.data.get(item);
    if (d?.kind === 'check') out.push(item);
    const children: vscode.TestItem[] = [];
    item.children.forEach((c) => children.push(c));
    children.sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
    for (const c of children) this.checksUnder(c, out);
    return out;
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, result: CheckRun): void {
    const message = () => {
      const m = new vscode.TestMessage(`${plainText(result.reason)}${result.next ? `\nNext: ${plainText(result.next)}` : ''}`);
      m.location = item.uri ? new vscode.Location(item.uri, new vscode.Position(0, 0)) : undefined;
      return m;
    };
    this.reported.set(item.id, result.verdict === 'pass' || result.verdict === 'warn' ? 'passed' : result.verdict === 'skipped' ? 'skipped' : result.verdict === 'error' ? 'errored' : 'failed');
    switch (result.verdict) {
      case 'pass':
      case 'warn':
        run.passed(item, result.durationMs);
        if (result.verdict === 'warn') run.appendOutput(`⚠ ${result.checkId}: ${plainText(result.reason)}\r\n`, undefined, item);
        break;
      case 'skipped':
        run.skipped(item);
        break;
      case 'error':
        run.errored(item, message(), result.durationMs);
        break;
      default:
        run.failed(item, message(), result.durationMs);
    }
  }

  /** Runs checks as the Test Explorer's Run does (the run profile's handler). */
  async runTests(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const roots: vscode.TestItem[] = [];
    if (request.include) roots.push(...request.include);
    else this.ctrl.items.forEach((i) => roots.push(i));
    const excluded = new Set(request.exclude ?? []);
    const byNotebook = new Map<vscode.NotebookDocument, vscode.TestItem[]>();
    for (const r of roots) {
      for (const item of this.checksUnder(r)) {
        if (excluded.has(item)) continue;
        const d = this.data.get(item)!;
        const list = byNotebook.get(d.notebook) ?? [];
        if (!list.includes(item)) list.push(item);
        byNotebook.set(d.notebook, list);
      }
    }
    const run = this.ctrl.createTestRun(request);
    try {
      for (const [nb, items] of byNotebook) {
        if (token.isCancellationRequested) break;
        const derived = this.deps.runbooks.of(nb);
        const cellOf = new Map<string, number>();
        derived.cells.forEach((c, i) => c.check && cellOf.set(c.check.id, i));
        const entries = items.map((item) => ({ item, id: (this.data.get(item) as { checkId: string }).checkId })).filter((e) => cellOf.has(e.id));
        for (const e of entries) run.enqueued(e.item);
        const itemOf = new Map(entries.map((e) => [e.id, e.item]));
        const key = (id: string) => `${nb.uri.toString()}::${id}`;
        // The chosen checks as a plan (every one runs, excluded or not, none stops the others);
        // the controller runs them one at a time, so each shows as running while it runs.
        const plan = planRun(documentOf(nb, derived), { only: entries.map((e) => e.id) });
        try {
          await this.deps.controller.runPlan(nb, plan, {
            stopOnFirstFailure: false,
            token,
            onStart: (check) => {
              run.started(itemOf.get(check.id)!);
              this.ownRuns.add(key(check.id));
            },
            onResult: (result, check) => {
              const item = itemOf.get(check.id)!;
              this.ownRuns.delete(key(check.id));
              if (result.notRun) { run.skipped(item); return; }
              this.report(run, item, result);
              // Reported here: the next check's notebook change must not report it again as a notebook run.
              const last = this.deps.state.lastRun(nb.uri, check.id);
              if (last) this.seen.set(item.id, last);
            },
          });
        } finally {
          for (const e of entries) this.ownRuns.delete(key(e.id));
        }
      }
    } finally {
      run.end();
    }
  }

  /** A check run in the notebook: its result appears in the Test Explorer too. */
  private syncFromNotebook(uri: vscode.Uri): void {
    const root = this.ctrl.items.get(uri.toString());
    if (!root) return;
    const changed: [vscode.TestItem, CheckRun][] = [];
    for (const item of this.checksUnder(root)) {
      const d = this.data.get(item) as { checkId: string };
      if (this.ownRuns.has(`${uri.toString()}::${d.checkId}`)) continue;
      const last = this.deps.state.lastRun(uri, d.checkId);
      if (last && this.seen.get(item.id) !== last) changed.push([item, last]);
    }
    if (!changed.length) return;
    const run = this.ctrl.createTestRun(new vscode.TestRunRequest(changed.map(([i]) => i)), 'notebook run', false);
    for (const [item, result] of changed) {
      this.seen.set(item.id, result);
      this.notebookRunReports.push(item.id);
      this.report(run, item, result);
    }
    run.end();
  }

}

