/** Helpers shared by the live-check suites: template copies, inputs, running checks, reading outputs. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckRun } from '../../../src/core/checks/types';
import { api, workspaceDir } from '../helpers';
import { waitFor } from '../../support/waitFor';

export type Api = Awaited<ReturnType<typeof api>>;
export type Derived = ReturnType<Api['statusBar']['derived']>;

/** "Runbook: New from Template" into the workspace folder; resolves with the opened notebook. */
export async function newFromTemplate(template: string): Promise<vscode.NotebookDocument> {
  const uri = await vscode.commands.executeCommand<vscode.Uri>('runbook.newFromTemplate', template, vscode.Uri.file(workspaceDir()));
  assert.ok(uri, `a runbook was created from ${template}`);
  const editor = await waitFor(() => vscode.window.visibleNotebookEditors.find((e) => e.notebook.uri.fsPath === uri.fsPath), { what: `${path.basename(uri.fsPath)} to open` });
  return editor.notebook;
}

export async function rememberAll(a: Api, nb: vscode.NotebookDocument, inputs: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(inputs)) await a.inputs.remember(nb.uri, name, value);
}

/** Cell index of every check whose kind is one of `kinds`, in document order. */
export function checkCells(derived: Derived, kinds: readonly string[]): { index: number; id: string }[] {
  const out: { index: number; id: string }[] = [];
  derived.cells.forEach((c, index) => { if (c.check && kinds.includes(c.check.kind)) out.push({ index, id: c.check.id }); });
  return out;
}

export function cellOfCheck(derived: Derived, id: string): number {
  const i = derived.cells.findIndex((c) => c.check?.id === id);
  assert.ok(i >= 0, `check ${id} is in the runbook`);
  return i;
}

/** Runs the cells (in the order given) and keys the runs by check id. */
export async function runCells(a: Api, nb: vscode.NotebookDocument, indexes: readonly number[], honourExclusions = false): Promise<Map<string, CheckRun>> {
  const runs = await a.controller.run(nb, indexes.map((i) => nb.cellAt(i)), { stopOnFirstFailure: false, honourExclusions });
  return new Map(runs.map((r) => [r.checkId, r]));
}

/** All text of a cell's outputs (stream items and the verdict markdown). */
export function outputText(cell: vscode.NotebookCell): string {
  return cell.outputs.flatMap((o) => o.items).map((i) => Buffer.from(i.data).toString('utf8')).join('\n');
}

/** Only the streamed process output of a cell (stdout/stderr items), not the verdict markdown. */
export function streamText(cell: vscode.NotebookCell): string {
  return cell.outputs.flatMap((o) => o.items).filter((i) => /notebook\.(stdout|stderr)$/.test(i.mime)).map((i) => Buffer.from(i.data).toString('utf8')).join('');
}

export function allOutputs(nb: vscode.NotebookDocument): string {
  return nb.getCells().map(outputText).join('\n');
}

/** The first line of the verdict markdown: "**✘ failed** — <reason>". */
export function verdictLine(cell: vscode.NotebookCell): string {
  for (const o of cell.outputs) {
    if (o.metadata?.runbookVerdict === undefined) continue;
    const md = o.items.map((i) => Buffer.from(i.data).toString('utf8')).join('\n');
    return md.split('\n')[0] ?? '';
  }
  return '';
}

/** Files named `name` below `root` (depth-limited walk). */
export function findFiles(root: string, name: string, depth = 8): string[] {
  const out: string[] = [];
  const walk = (dir: string, d: number) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && d > 0) walk(p, d - 1);
      else if (e.isFile() && e.name === name) out.push(p);
    }
  };
  walk(root, depth);
  return out;
}

/**
 * The extension's "Runbook" log files. VS Code keeps extension logs under
 * <logs root>/<session>/windowN/exthost/<extension id>/Runbook.log; the logs root is found from
 * VSCODE_LOGS when set, else from the user data dir (the harness sets XDG_CONFIG_HOME to
 * <run>/xdg/config beside <run>/ud, code-server's --user-data-dir), else from --logsPath.
 */
export function runbookLogFiles(): { files: string[]; roots: string[] } {
  const roots = new Set<string>();
  if (process.env.VSCODE_LOGS) roots.add(process.env.VSCODE_LOGS);
  for (const a of process.argv) {
    const m = /^--(?:logsPath|user-data-dir)=(.+)$/.exec(a);
    if (m) roots.add(m[1]!);
  }
  if (process.env.XDG_CONFIG_HOME) roots.add(path.resolve(process.env.XDG_CONFIG_HOME, '..', '..', 'ud', 'logs'));
  if (process.env.VSCODE_AGENT_FOLDER) roots.add(path.join(process.env.VSCODE_AGENT_FOLDER, 'data', 'logs'));
  const files = new Set<string>();
  for (const r of roots) for (const f of findFiles(r, 'Runbook.log')) files.add(f);
  return { files: [...files], roots: [...roots] };
}
