/**
 * The notebook controller: runs check cells through the core's engine, shows the verdict with a
 * one-line reason, and ticks (or unticks) the checklist box the check belongs to. A run of several
 * cells (VS Code's own Run All, Run Above/Below, a selection) is the same plan as "Run All Checks":
 * core `planRun` leaves out checks excluded from run-all and destructive ones, and core
 * `executePlan` runs the rest with this controller as its cell runner (stop at the first failure
 * unless `runbook.run.stopOnFirstFailure` is off, cancel, not-run bookkeeping).
 * Every finished check fires `onDidRunCheck`; every multi-cell run VS Code started fires
 * `onDidRunPlan` when it ends.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { plainText, plural, setTaskChecked, type DerivedRunbook } from '../../core/runbook';
import { runCheck, type EngineEnvironment } from '../../core/checks/engine';
import { inputEnvNamesOf } from '../../core/process';
import { parseTargets } from '../../core/fleet/targets';
import { inputsUsedBy, isDestructiveCheck } from '../../core/kinds';
import { approvalQuestion, decideSend, isSensitive, NETWORK_KINDS, notSentResult, planNetworkSend } from '../../core/secrets/approvals';
import type { RunbookInput } from '../../core/runbook/model';
import { executePlan, planRun, type ExecuteResult, type PlannedCheck, type PlanRun, type RunPlan } from '../../core/plan';
import type { CheckRegistry } from '../../core/checks/registry';
import type { CheckRun, CheckServices, OperatorUi } from '../../core/checks/types';
import type { InputStore, ResolvedInputs } from '../inputs/inputStore';
import type { MaskingLogger } from '../log';
import { renderRunMarkdown } from './outputs';
import type { RunState } from './runState';
import type { DerivedRunbooks } from './derivedRunbooks';
import { documentOf } from './notebookDoc';
import { toVsCodeLanguage } from './languages';
import { EXTENSION_ID, NOTEBOOK_TYPES } from './types';

export interface ControllerDeps {
  readonly registry: CheckRegistry;
  readonly runbooks: DerivedRunbooks;
  readonly inputs: InputStore;
  readonly state: RunState;
  readonly log: MaskingLogger;
  readonly ui: OperatorUi;
  readonly services: CheckServices;
}

export interface RunMeta {
  readonly label?: string;
  readonly sectionPath: readonly string[];
  readonly inputs: Readonly<Record<string, string>>;
  readonly secretInputs: readonly string[];
}

/** A check finished (the evidence log records it). */
export interface CheckRunEvent {
  readonly notebook: vscode.NotebookDocument;
  readonly run: CheckRun;
  readonly meta: RunMeta;
}

/** A run of several cells that VS Code started (its Run All, Run Above/Below) ended. */
export interface PlanRunEvent {
  readonly notebook: vscode.NotebookDocument;
  readonly plan: RunPlan;
  readonly result: ExecuteResult;
}

export interface RunOptions {
  /** Stop at the first failure (default: the setting). */
  readonly stopOnFirstFailure?: boolean;
  /** Called before each cell runs (progress). */
  readonly onProgress?: (done: number, total: number, label: string) => void;
  readonly token?: vscode.CancellationToken;
  /** Cells excluded from run-all are skipped (true for Run All / Run Section). */
  readonly honourExclusions?: boolean;
}

export interface PlanRunOptions {
  /** Stop at the first failure (default: the setting). */
  readonly stopOnFirstFailure?: boolean;
  readonly token?: vscode.CancellationToken;
  /** Called when a check starts. */
  readonly onStart?: (check: PlannedCheck) => void;
  /** Called once per plan entry, in document order, not-run entries included. */
  readonly onResult?: (run: PlanRun, check: PlannedCheck) => void;
}

/** The setting `runbook.run.stopOnFirstFailure` (default on). */
export function stopOnFirstFailureSetting(): boolean {
  return vscode.workspace.getConfiguration('runbook').get<boolean>('run.stopOnFirstFailure', true);
}

export class RunbookController implements vscode.Disposable {
  private readonly controllers: vscode.NotebookController[];
  private readonly selected = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly ranCheck = new vscode.EventEmitter<CheckRunEvent>();
  private readonly ranPlan = new vscode.EventEmitter<PlanRunEvent>();
  /** Fires after every finished check (not for cells that are not checks). */
  readonly onDidRunCheck = this.ranCheck.event;
  /** Fires when a run of several cells started by VS Code (its Run All button, Run Above/Below) ends. */
  readonly onDidRunPlan = this.ranPlan.event;
  private order = 0;

  constructor(private readonly deps: ControllerDeps) {
    this.controllers = NOTEBOOK_TYPES.map((type) => {
      const c = vscode.notebooks.createNotebookController(`runbook-notebooks.checks.${type}`, type, 'Runbook Checks');
      c.supportedLanguages = [...new Set([...deps.registry.words().map(toVsCodeLanguage), 'yaml'])];
      c.supportsExecutionOrder = true;
      c.description = 'Runs checks and ticks their checklist boxes';
      c.executeHandler = async (cells, notebook, ctrl) => {
        if (cells.length <= 1) {
          for (const cell of cells) await this.executeCell(cell, notebook, ctrl, this.derive(notebook));
          return;
        }
        // VS Code's own Run All (and Run Above/Below): the plan "Run All Checks" runs, limited to these cells.
        const plan = this.planOf(notebook, cells, true);
        const result = await this.executePlanCells(notebook, ctrl, plan, {});
        this.ranPlan.fire({ notebook, plan, result });
      };
      this.disposables.push(c.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
        if (selected) this.selected.add(notebook.uri.toString());
        else this.selected.delete(notebook.uri.toString());
      }));
      return c;
    });
    // Prefer our controller for every runbook, so that VS Code picks it without asking.
    const prefer = (nb: vscode.NotebookDocument) => this.controllerFor(nb).updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
    for (const nb of vscode.workspace.notebookDocuments) if (NOTEBOOK_TYPES.includes(nb.notebookType as never)) prefer(nb);
    this.disposables.push(vscode.workspace.onDidOpenNotebookDocument((nb) => { if (NOTEBOOK_TYPES.includes(nb.notebookType as never)) prefer(nb); }));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const c of this.controllers) c.dispose();
    this.ranCheck.dispose();
    this.ranPlan.dispose();
  }

  /** Runs started by our own commands need the controller selected for the notebook first. */
  private async ensureSelected(notebook: vscode.NotebookDocument, ctrl: vscode.NotebookController): Promise<void> {
    if (this.selected.has(notebook.uri.toString())) return;
    let editor = vscode.window.visibleNotebookEditors.find((e) => e.notebook === notebook);
    if (!editor) editor = await vscode.window.showNotebookDocument(notebook, { preserveFocus: true });
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: ctrl.id, extension: EXTENSION_ID });
  }

  private controllerFor(notebook: vscode.NotebookDocument): vscode.NotebookController {
    return this.controllers.find((c) => (c as unknown as { notebookType: string }).notebookType === notebook.notebookType) ?? this.controllers[0]!;
  }

  /** Runs the given cells in order; returns the runs of the checks that ran. */
  async run(notebook: vscode.NotebookDocument, cells: readonly vscode.NotebookCell[], options: RunOptions = {}): Promise<CheckRun[]> {
    const ctrl = this.controllerFor(notebook);
    await this.ensureSelected(notebook, ctrl);
    const codeCells = cells.filter((c) => c.kind === vscode.NotebookCellKind.Code);
    if (codeCells.length === 1) {
      if (options.token?.isCancellationRequested) return [];
      const derived = this.derive(notebook);
      const info = derived.cells[codeCells[0]!.index];
      options.onProgress?.(0, 1, info?.check?.label ? plainText(info.check.label) : info?.check?.id ?? `cell ${codeCells[0]!.index + 1}`);
      const cancel = new AbortController();
      const sub = options.token?.onCancellationRequested(() => cancel.abort());
      try {
        const run = await this.executeCell(codeCells[0]!, notebook, ctrl, derived, cancel.signal);
        return run ? [run] : [];
      } finally {
        sub?.dispose();
      }
    }
    const plan = this.planOf(notebook, codeCells, !!options.honourExclusions);
    const total = plan.entries.filter((e) => e.skip === undefined).length;
    let done = 0;
    const result = await this.executePlanCells(notebook, ctrl, plan, {
      stopOnFirstFailure: options.stopOnFirstFailure,
      token: options.token,
      onStart: (check) => options.onProgress?.(done++, total, check.label ? plainText(check.label) : check.id),
    });
    return result.runs.filter((r) => !r.notRun);
  }

  /** Runs a plan (Run All Checks, Run Section) in this notebook: core executePlan, one cell at a time. */
  async runPlan(notebook: vscode.NotebookDocument, plan: RunPlan, options: PlanRunOptions = {}): Promise<ExecuteResult> {
    const ctrl = this.controllerFor(notebook);
    await this.ensureSelected(notebook, ctrl);
    return this.executePlanCells(notebook, ctrl, plan, options);
  }

  /** The run-all plan of the notebook, limited to the given cells (exclusions dropped unless `honourExclusions`). */
  private planOf(notebook: vscode.NotebookDocument, cells: readonly vscode.NotebookCell[], honourExclusions: boolean): RunPlan {
    const plan = planRun(documentOf(notebook, this.derive(notebook)), { isDestructive: (c) => isDestructiveCheck(this.deps.registry, c) });
    const wanted = new Set(cells.map((c) => c.index));
    return { entries: plan.entries.filter((e) => wanted.has(e.check.cell)).map((e) => (honourExclusions ? e : { check: e.check })) };
  }

  /**
   * The one multi-cell loop: core executePlan with this controller's cell execution as the runner
   * (one check at a time, so that each shows as running and asks for its inputs on its own).
   * Stopping the running cell in the notebook cancels the whole run.
   */
  private async executePlanCells(notebook: vscode.NotebookDocument, ctrl: vscode.NotebookController, plan: RunPlan, options: PlanRunOptions): Promise<ExecuteResult> {
    const cancel = new AbortController();
    const sub = options.token?.onCancellationRequested(() => cancel.abort());
    if (options.token?.isCancellationRequested) cancel.abort();
    try {
      return await executePlan(plan, { registry: this.deps.registry }, {
        stopOnFirstFailure: options.stopOnFirstFailure ?? stopOnFirstFailureSetting(),
        signal: cancel.signal,
        concurrency: 1,
        onStart: options.onStart,
        onResult: options.onResult,
        runner: async (check, io) => {
          const cell = check.cell < notebook.cellCount ? notebook.cellAt(check.cell) : undefined;
          const run = cell && await this.executeCell(cell, notebook, ctrl, this.derive(notebook), io.signal, () => cancel.abort());
          return run ?? {
            checkId: check.id, kind: check.kind, startedAt: new Date().toISOString(), durationMs: 0,
            ...(io.signal?.aborted ? { verdict: 'skipped', reason: 'cancelled' } : { verdict: 'error', reason: 'the cell could not run (see the Runbook log)' }),
          };
        },
      });
    } finally {
      sub?.dispose();
    }
  }

  private derive(notebook: vscode.NotebookDocument): DerivedRunbook {
    return this.deps.runbooks.of(notebook);
  }

  /**
   * Runs one cell as a cell execution. `outer` cancels it from outside (a plan run's cancel);
   * `onCancel` is told when the user stops the cell in the notebook.
   */
  private async executeCell(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument, ctrl: vscode.NotebookController, derived: DerivedRunbook, outer?: AbortSignal, onCancel?: () => void): Promise<CheckRun | undefined> {
    const exec = ctrl.createNotebookCellExecution(cell);
    exec.executionOrder = ++this.order;
    exec.start(Date.now());
    const info = derived.cells[cell.index];
    try {
      if (info?.role === 'frontMatter') {
        const fm = derived.frontMatter;
        const text = fm?.error
          ? `**✘ Front matter is invalid** — ${fm.error}\n\nThe runbook still opens; fix the YAML to use its inputs.`
          : `**✔ Front matter is valid** — ${plural(fm?.inputs.length ?? 0, 'input')}: ${(fm?.inputs ?? []).map((i) => `\`${i.name}\`${i.secret ? ' (secret)' : ''}`).join(', ') || 'none'}`;
        await exec.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(text, 'text/markdown')]));
        exec.end(!fm?.error, Date.now());
        return undefined;
      }
      const check = info?.check;
      if (!check) {
        await exec.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(
          `This block is not a check: \`${cell.document.languageId}\` is not a check kind. Check kinds: ${this.deps.registry.words().map((w) => `\`${w}\``).join(', ')}.`,
          'text/markdown')]));
        exec.end(undefined, Date.now());
        return undefined;
      }

      const body = cell.document.getText();
      const kind = this.deps.registry.resolve(check.kind);
      const inputsDecl = derived.frontMatter?.inputs ?? [];
      // Text kinds ask for the inputs their check uses. Process kinds get every input that has a
      // value as an environment variable and ask for none (the script says what it misses).
      const needed = new Set(inputsUsedBy(this.deps.registry, { kind: check.kind, attributes: check.attributes, body }));
      // In a restricted workspace the runbook supplies no input values (no defaults, no workspace
      // settings), and network checks send stored secrets and environment values only where the
      // user approved (core/secrets/approvals.ts).
      const restricted = !vscode.workspace.isTrusted;
      const network = kind && NETWORK_KINDS.has(kind.name) ? kind.name : undefined;
      const planWith = (values: Readonly<Record<string, string>>) => (network ? planNetworkSend(network, body, check.attributes, values) : undefined);
      const resolved = await this.deps.inputs.resolve(notebook.uri, inputsDecl, needed, {
        ask: true,
        restricted,
        originFor: (values) => { const p = planWith(values); return p && !('error' in p) ? p.origin : undefined; },
      });
      this.deps.log.addSecrets(resolved.secrets);
      let runInputs: Record<string, string> = resolved.values;
      let notSent: CheckRun | undefined;
      if (network && !resolved.missing.length && !check.error) {
        const gate = await this.gateSend(notebook.uri, inputsDecl, resolved, planWith(resolved.values), restricted, check.label ? plainText(check.label) : check.id);
        if ('skipped' in gate) notSent = { checkId: check.id, kind: check.kind, startedAt: new Date().toISOString(), durationMs: 0, ...gate.skipped };
        else runInputs = gate.values;
      }

      // Streamed output: the first chunk creates the output, later chunks are appended to it, in
      // order (each edit waits for the one before). `streamed` keeps every item for the final view.
      let stream: vscode.NotebookCellOutput | undefined;
      const streamed: vscode.NotebookCellOutputItem[] = [];
      let streaming: Promise<unknown> = Promise.resolve();
      const cancel = new AbortController();
      const stop = () => cancel.abort();
      const subs = [exec.token.onCancellationRequested(() => { cancel.abort(); onCancel?.(); })];
      outer?.addEventListener('abort', stop);
      if (outer?.aborted) cancel.abort();
      const env: EngineEnvironment = {
        registry: this.deps.registry,
        inputs: runInputs,
        secrets: resolved.secrets,
        cwd: workingFolder(notebook),
        trusted: vscode.workspace.isTrusted,
        ui: this.deps.ui,
        log: this.deps.log,
        services: { ...this.deps.services, inputEnvNames: inputEnvNamesOf(inputsDecl), fleet: parseTargets(derived.frontMatter?.data, path.dirname(notebook.uri.fsPath)) },
      };
      this.deps.log.info(`run ${check.id} (${check.kind})`);
      const run = resolved.missing.length
        ? missingInputsRun(check.id, check.kind, resolved.missing)
        : notSent ?? await runCheck({ id: check.id, kind: check.kind, attributes: check.attributes, body, label: check.label, error: check.error }, env, {
            signal: cancel.signal,
            emit: (chunk) => {
              const item = chunk.stream === 'stderr' ? vscode.NotebookCellOutputItem.stderr(chunk.text) : vscode.NotebookCellOutputItem.stdout(chunk.text);
              streamed.push(item);
              streaming = streaming.then(() => {
                if (!stream) {
                  stream = new vscode.NotebookCellOutput([item]);
                  return exec.replaceOutput([stream]);
                }
                return exec.appendOutputItems(item, stream);
              }).catch(() => undefined);
            },
          });
      for (const s of subs) s.dispose();
      outer?.removeEventListener('abort', stop);
      this.deps.log.info(`${check.id}: ${run.verdict} — ${run.reason}`);

      const result = new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(renderRunMarkdown(run, check.label), 'text/markdown')], { runbookVerdict: run.verdict });
      await streaming;
      await exec.replaceOutput(streamed.length ? [new vscode.NotebookCellOutput(streamed), result] : [result]);
      this.deps.state.record(notebook.uri, run);
      this.ranCheck.fire({ notebook, run, meta: {
        label: check.label,
        sectionPath: check.headingPath,
        inputs: resolved.values,
        secretInputs: inputsDecl.filter((i) => i.secret).map((i) => i.name),
      } });
      if (check.taskCell !== null && check.taskCell !== undefined) await this.updateBox(notebook, check.taskCell, check.id, run);
      exec.end(run.verdict === 'pass' || run.verdict === 'warn' ? true : run.verdict === 'skipped' ? undefined : false, Date.now());
      return run;
    } catch (err) {
      this.deps.log.error(`cell ${cell.index}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      await exec.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(err instanceof Error ? err : new Error(String(err)))]));
      exec.end(false, Date.now());
      return undefined;
    }
  }

  /**
   * Decides whether a network check may send what it would send (see core/secrets/approvals.ts),
   * asking the user when needed; records the answer. Returns the inputs the check may run with
   * (stored secrets and environment values it does not use are left out), or why it is skipped.
   */
  private async gateSend(
    runbook: vscode.Uri,
    declared: readonly RunbookInput[],
    resolved: ResolvedInputs,
    plan: ReturnType<typeof planNetworkSend>,
    restricted: boolean,
    label: string,
  ): Promise<{ values: Record<string, string> } | { skipped: { verdict: 'skipped'; reason: string; next: string } }> {
    const sensitive = (name: string) => { const s = resolved.sources[name]; return !!s && isSensitive(s); };
    const keep = (used: ReadonlySet<string>) => Object.fromEntries(Object.entries(resolved.values).filter(([name]) => !sensitive(name) || used.has(name)));
    // The request cannot be built: the kind fails the same way before sending; it gets no secret.
    if (!plan || 'error' in plan) return { values: keep(new Set()) };
    const decision = decideSend({ trusted: !restricted, plan, inputs: Object.values(resolved.sources), approved: this.deps.inputs.approvedFor(plan.origin) });
    if (decision.verdict === 'refuse') return { skipped: notSentResult(decision) };
    if (decision.verdict === 'ask') {
      const question = approvalQuestion(decision, label);
      this.deps.log.info(`asking: ${question.message}`);
      const ok = await this.deps.inputs.approveSend({ origin: decision.origin, inputs: decision.inputs, ...question }).catch(() => false);
      if (!ok) {
        this.deps.log.info(`not approved: ${decision.origin} for ${decision.inputs.map((i) => i.name).join(', ')}`);
        return { skipped: notSentResult(decision) };
      }
      const names = decision.inputs.map((i) => i.name);
      if (restricted) await this.deps.inputs.approve(decision.origin, names.filter(sensitive));
      for (const name of names) {
        const input = declared.find((d) => d.name === name);
        if (input && resolved.sources[name]?.source === 'secret-storage') await this.deps.inputs.bindSecret(input, runbook, decision.origin);
      }
      this.deps.log.info(`approved: ${decision.origin} for ${names.join(', ')}`);
    }
    return { values: keep(new Set(plan.used)) };
  }

  /** A pass ticks the box; a failure unticks a box that a check ticked (a hand tick stays, flagged). */
  private async updateBox(notebook: vscode.NotebookDocument, taskIndex: number, checkId: string, run: CheckRun): Promise<void> {
    const taskCell = notebook.cellAt(taskIndex);
    const text = taskCell.document.getText();
    const last = this.deps.state.lastTick(notebook.uri, checkId);
    let want: boolean | undefined;
    if (run.verdict === 'pass') want = true;
    else if ((run.verdict === 'fail' || run.verdict === 'error') && last?.by !== 'hand') want = false;
    if (want === undefined) return;
    const next = setTaskChecked(text, want);
    if (next === undefined || next === text) {
      if (want) this.deps.state.tick(notebook.uri, checkId, { by: 'check', at: Date.now(), checked: true });
      return;
    }
    await applyCellText(taskCell, text, next);
    this.deps.state.tick(notebook.uri, checkId, { by: 'check', at: Date.now(), checked: want });
  }
}

/** Replaces only the characters that differ between `before` and `after` (a tick is one character). */
export async function applyCellText(cell: vscode.NotebookCell, before: string, after: string): Promise<boolean> {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endB = before.length, endA = after.length;
  while (endB > start && endA > start && before[endB - 1] === after[endA - 1]) { endB--; endA--; }
  const doc = cell.document;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(endB)), after.slice(start, endA));
  return vscode.workspace.applyEdit(edit);
}

function workingFolder(notebook: vscode.NotebookDocument): string {
  const folder = vscode.workspace.getWorkspaceFolder(notebook.uri);
  if (folder) return folder.uri.fsPath;
  return notebook.uri.scheme === 'file' ? path.dirname(notebook.uri.fsPath) : process.cwd();
}

function missingInputsRun(checkId: string, kind: string, missing: readonly string[]): CheckRun {
  return {
    checkId, kind, verdict: 'error', startedAt: new Date().toISOString(), durationMs: 0,
    reason: `missing input${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
    next: 'set them with "Runbook: Edit Inputs" (secrets with "Runbook: Set API Key / Secret…")',
  };
}
