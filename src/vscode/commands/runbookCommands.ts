/**
 * Commands on runbooks: open as runbook / as text, new from a bundled template, tick a box by
 * hand, edit inputs, store secrets. Registered by the composition root.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseRunbook, plural, setTaskChecked } from '../../core/runbook';
import type { RunbookInput } from '../../core/runbook/model';
import type { InputStore } from '../inputs/inputStore';
import { placeholders } from '../../core/checks/template';
import { NETWORK_KINDS, originOf, planNetworkSend } from '../../core/secrets/approvals';
import { secretProblem } from '../inputs/inputUi';
import { applyCellText } from '../notebook/controller';
import type { RunState } from '../notebook/runState';
import type { DerivedRunbooks } from '../notebook/derivedRunbooks';
import { RUNBOOK_MARKDOWN_NOTEBOOK, RUNBOOK_NOTEBOOK } from '../notebook/types';
import { findNotebook } from '../notebook/notebookDoc';

export interface CommandDeps {
  readonly extensionUri: vscode.Uri;
  readonly inputs: InputStore;
  readonly state: RunState;
  readonly runbooks: DerivedRunbooks;
  readonly log: vscode.LogOutputChannel;
  readonly onHandTick?: (notebook: vscode.NotebookDocument, cellIndex: number, checked: boolean, checkId: string | undefined) => void;
}

export function registerRunbookCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('runbook.openAsRunbook', (uri?: vscode.Uri) => openAsRunbook(uri)),
    vscode.commands.registerCommand('runbook.openAsText', (uri?: vscode.Uri) => openAsText(uri)),
    vscode.commands.registerCommand('runbook.newFromTemplate', (templateName?: string, targetFolder?: vscode.Uri) => newFromTemplate(deps, templateName, targetFolder)),
    vscode.commands.registerCommand('runbook.toggleTask', (uri?: vscode.Uri | vscode.NotebookCell, cellIndex?: number) => toggleTask(deps, uri, cellIndex)),
    // The cell toolbar passes the cell itself.
    vscode.commands.registerCommand('runbook.tickTask', (cell?: vscode.NotebookCell) => toggleTask(deps, cell, undefined, true)),
    vscode.commands.registerCommand('runbook.untickTask', (cell?: vscode.NotebookCell) => toggleTask(deps, cell, undefined, false)),
    vscode.commands.registerCommand('runbook.editInputs', (uri?: vscode.Uri) => editInputs(deps, uri)),
    vscode.commands.registerCommand('runbook.setSecret', (uri?: vscode.Uri, name?: string, value?: string, origins?: string | readonly string[]) => setSecret(deps, uri, name, value, origins)),
    vscode.commands.registerCommand('runbook.clearSecrets', () => clearSecrets(deps)),
    // With origins (tests, other extensions): revoke those; without: pick from the approved ones.
    vscode.commands.registerCommand('runbook.revokeApprovedOrigins', async (origins?: readonly string[]) => {
      if (origins) { await deps.inputs.revoke(origins); return origins; }
      return deps.inputs.revokeInteractively();
    }),
    vscode.commands.registerCommand('runbook.showLog', () => deps.log.show()),
  ];
}

export function notebookTypeFor(uri: vscode.Uri): string {
  return uri.path.toLowerCase().endsWith('.runbook.md') ? RUNBOOK_NOTEBOOK : RUNBOOK_MARKDOWN_NOTEBOOK;
}

async function openAsRunbook(uri?: vscode.Uri): Promise<void> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showInformationMessage('Open a markdown file first, then run "Runbook: Open as Runbook".');
    return;
  }
  await vscode.commands.executeCommand('vscode.openWith', target, notebookTypeFor(target));
}

async function openAsText(uri?: vscode.Uri): Promise<void> {
  const target = uri ?? vscode.window.activeNotebookEditor?.notebook.uri;
  if (target) await vscode.commands.executeCommand('vscode.openWith', target, 'default');
}

interface Template { readonly file: vscode.Uri; readonly title: string; readonly description: string }

export async function bundledTemplates(extensionUri: vscode.Uri): Promise<Template[]> {
  const folder = vscode.Uri.joinPath(extensionUri, 'runbooks');
  const entries = await vscode.workspace.fs.readDirectory(folder);
  const out: Template[] = [];
  for (const [name, type] of entries) {
    if (type !== vscode.FileType.File || !name.endsWith('.runbook.md')) continue;
    const file = vscode.Uri.joinPath(folder, name);
    const doc = parseRunbook(await vscode.workspace.fs.readFile(file));
    const firstProse = doc.cells.find((c) => c.role === 'section')?.value.split('\n').slice(1).find((l) => l.trim() && !l.startsWith('#'))?.trim() ?? '';
    out.push({ file, title: doc.frontMatter?.title ?? name, description: firstProse.slice(0, 120) });
  }
  return out.sort((a, b) => a.title.localeCompare(b.title));
}

/** Copies a bundled runbook into the workspace under a dated name and opens it. */
async function newFromTemplate(deps: CommandDeps, templateName?: string, targetFolder?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const templates = await bundledTemplates(deps.extensionUri);
  let chosen = templateName ? templates.find((t) => path.basename(t.file.path) === templateName || t.title === templateName) : undefined;
  if (!chosen) {
    const pick = await vscode.window.showQuickPick(templates.map((t) => ({ label: t.title, detail: t.description, template: t })), {
      title: 'New runbook from template', placeHolder: 'Choose a bundled runbook',
    });
    chosen = pick?.template;
  }
  if (!chosen) return undefined;
  const folder = targetFolder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) {
    void vscode.window.showErrorMessage('Open a folder first: the runbook is copied into the workspace.');
    return undefined;
  }
  const base = path.basename(chosen.file.path).replace(/\.runbook\.md$/, '');
  const date = new Date().toISOString().slice(0, 10);
  let target = vscode.Uri.joinPath(folder, `${base}-${date}.runbook.md`);
  for (let n = 2; await exists(target); n++) target = vscode.Uri.joinPath(folder, `${base}-${date}-${n}.runbook.md`);
  await vscode.workspace.fs.copy(chosen.file, target);
  await vscode.commands.executeCommand('vscode.openWith', target, RUNBOOK_NOTEBOOK);
  deps.log.info(`new runbook ${target.fsPath} from ${chosen.title}`);
  return target;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try { await vscode.workspace.fs.stat(uri); return true; } catch { return false; }
}

/** Ticks or unticks a checklist box by hand: exactly one character of the cell changes. */
async function toggleTask(deps: CommandDeps, target?: vscode.Uri | vscode.NotebookCell, cellIndex?: number, want?: boolean): Promise<boolean> {
  let uri: vscode.Uri | undefined;
  if (target && 'notebook' in target) {
    uri = target.notebook.uri;
    cellIndex = target.index;
  } else uri = target;
  const notebook = findNotebook(uri);
  if (!notebook) return false;
  const index = cellIndex ?? vscode.window.activeNotebookEditor?.selection.start;
  if (index === undefined) return false;
  const cell = notebook.cellAt(index);
  const derived = deps.runbooks.of(notebook);
  const task = derived.cells[index]?.task;
  if (!task) {
    void vscode.window.showInformationMessage('This cell is not a checklist item.');
    return false;
  }
  if (want !== undefined && want === task.checked) return true;
  const text = cell.document.getText();
  const next = setTaskChecked(text, !task.checked);
  if (next === undefined) return false;
  const ok = await applyCellText(cell, text, next);
  const checkId = derived.cells.find((c) => c.check?.taskCell === index)?.check?.id;
  deps.state.tick(notebook.uri, checkId ?? `cell:${index}`, { by: 'hand', at: Date.now(), checked: !task.checked });
  deps.onHandTick?.(notebook, index, !task.checked, checkId);
  return ok;
}

function inputsOf(notebook: vscode.NotebookDocument, runbooks: DerivedRunbooks): readonly RunbookInput[] {
  return runbooks.of(notebook).frontMatter?.inputs ?? [];
}

async function editInputs(deps: CommandDeps, uri?: vscode.Uri): Promise<void> {
  const notebook = findNotebook(uri);
  if (!notebook) {
    void vscode.window.showInformationMessage('Open a runbook first.');
    return;
  }
  for (;;) {
    const inputs = inputsOf(notebook, deps.runbooks);
    if (!inputs.length) {
      void vscode.window.showInformationMessage('This runbook declares no inputs (front matter `inputs:`).');
      return;
    }
    const stored = deps.inputs.stored(notebook.uri);
    const items = await Promise.all(inputs.map(async (i) => ({
      label: i.name,
      description: i.secret ? await secretDescription(deps, i, notebook.uri) : stored[i.name] ?? (i.default !== undefined ? `${i.default} (default)` : 'not set'),
      detail: i.description,
      input: i,
    })));
    const pick = await vscode.window.showQuickPick(items, { title: 'Runbook inputs', placeHolder: 'Pick an input to change (Esc when done)' });
    if (!pick) return;
    if (pick.input.secret) {
      await setSecret(deps, notebook.uri, pick.input.name);
      continue;
    }
    const value = await deps.inputs.ask(pick.input, stored[pick.input.name]);
    if (value === undefined) continue;
    await deps.inputs.remember(notebook.uri, pick.input.name, value);
  }
}

/** "•••••• (stored securely, for https://a)" / "from $ENGRAMIA_API_KEY" / "not set". */
async function secretDescription(deps: CommandDeps, input: RunbookInput, runbook: vscode.Uri): Promise<string> {
  const origins = await deps.inputs.secretOrigins(input, runbook);
  const value = await deps.inputs.getSecret(input, runbook);
  if (!value) return 'not set';
  if (!(await deps.inputs.isStored(input, runbook))) return 'from the environment';
  return `•••••• (stored securely${origins.length ? `, for ${origins.join(', ')}` : ', not bound to a server yet'})`;
}

const DEFAULT_SECRET: RunbookInput = { name: 'apiKey', description: 'Engramia API key', type: 'string', secret: true, required: true, env: 'ENGRAMIA_API_KEY' } as RunbookInput;

/**
 * The origins the runbook's network checks that use this secret point at now (from the inputs
 * as they are set; nothing is asked): the suggestion for where a new secret may be sent.
 */
async function suggestedOrigins(deps: CommandDeps, notebook: vscode.NotebookDocument, input: RunbookInput, value: string | undefined): Promise<string[]> {
  const derived = deps.runbooks.of(notebook);
  const declared = derived.frontMatter?.inputs ?? [];
  const resolved = await deps.inputs.resolve(notebook.uri, declared, 'all', { ask: false, restricted: !vscode.workspace.isTrusted });
  const values = { ...resolved.values, [input.name]: value ?? 'secret-placeholder' };
  const origins = new Set<string>();
  derived.cells.forEach((c, index) => {
    if (!c.check || !NETWORK_KINDS.has(c.check.kind)) return;
    const body = notebook.cellAt(index).document.getText();
    // Inputs not set yet stand as placeholders: only the origin matters here.
    const filled = { ...Object.fromEntries(placeholders(body).map((n) => [n, 'placeholder'])), ...values };
    const plan = planNetworkSend(c.check.kind, body, c.check.attributes, filled);
    if (plan && !('error' in plan) && plan.sent.includes(input.name)) origins.add(plan.origin);
  });
  return [...origins];
}

/**
 * "Runbook: Set API Key / Secret…": the value (at least 8 characters), then the origin(s) it may be
 * sent to (suggested: where the runbook's checks using it point now). Called with a value, the
 * origins default to that suggestion.
 */
async function setSecret(deps: CommandDeps, uri?: vscode.Uri, name?: string, value?: string, origins?: string | readonly string[]): Promise<boolean> {
  const notebook = findNotebook(uri);
  const secrets = notebook ? inputsOf(notebook, deps.runbooks).filter((i) => i.secret) : [];
  let input = name ? secrets.find((s) => s.name === name) ?? { ...DEFAULT_SECRET, name } : undefined;
  if (!input) {
    if (secrets.length > 1) {
      const pick = await vscode.window.showQuickPick(secrets.map((s) => ({ label: s.name, detail: s.description, input: s })), { title: 'Which secret?' });
      input = pick?.input;
    } else input = secrets[0] ?? DEFAULT_SECRET;
  }
  if (!input) return false;
  const interactive = value === undefined;
  const v = value ?? (await deps.inputs.ask(input));
  if (v === undefined || v === '') return false;
  const problem = secretProblem(v);
  if (problem) {
    void vscode.window.showErrorMessage(`${input.name} was not stored: ${problem}.`);
    return false;
  }
  const suggested = notebook ? await suggestedOrigins(deps, notebook, input, v) : [];
  let chosen: string[];
  if (origins !== undefined) chosen = (typeof origins === 'string' ? origins.split(/[\s,]+/) : [...origins]).filter(Boolean);
  else if (interactive) {
    const typed = await deps.inputs.askOrigins(input, suggested);
    if (typed === undefined) return false;
    chosen = typed.split(/[\s,]+/).filter(Boolean);
  } else chosen = suggested;
  const normalised = chosen.map((o) => originOf(o));
  if (normalised.some((o) => o === undefined)) {
    void vscode.window.showErrorMessage(`${input.name} was not stored: "${chosen[normalised.indexOf(undefined)]}" is not an http(s) origin.`);
    return false;
  }
  await deps.inputs.setSecret(input, v, notebook?.uri, normalised as string[]);
  if (interactive) {
    const where = normalised.length ? `It may be sent to ${normalised.join(', ')}; anywhere else asks first.` : 'It is not bound to a server yet: its first use asks where it may go.';
    void vscode.window.showInformationMessage(`Stored ${input.name} in VS Code's secret storage for this workspace. ${where} It is never written to the runbook, outputs, logs or evidence.`);
  }
  return true;
}

async function clearSecrets(deps: CommandDeps): Promise<void> {
  const notebook = findNotebook();
  const secrets = notebook ? inputsOf(notebook, deps.runbooks).filter((i) => i.secret) : [DEFAULT_SECRET];
  for (const s of secrets) await deps.inputs.setSecret(s, undefined, notebook?.uri);
  void vscode.window.showInformationMessage(`Forgot ${plural(secrets.length, 'stored secret')}.`);
}
