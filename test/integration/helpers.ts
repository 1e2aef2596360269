/** Shared helpers for suites that run inside the real VS Code extension host. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunbookExtensionApi } from '../../src/vscode/extension';
import type { OperatorUi } from '../../src/core/checks/types';
import { waitFor } from '../support/waitFor';

export const EXTENSION_ID = 'runbook-notebooks.runbook-notebooks';

export async function api(): Promise<RunbookExtensionApi> {
  const ext = vscode.extensions.getExtension<RunbookExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need a workspace folder');
  return folder.uri.fsPath;
}

export function repoRoot(): string {
  return process.env.RUNBOOK_REPO_ROOT ?? path.resolve(__dirname, '..', '..');
}

export async function openRunbook(file: string): Promise<vscode.NotebookEditor> {
  const uri = vscode.Uri.file(file);
  const type = file.endsWith('.runbook.md') ? 'runbook' : 'runbook-markdown';
  await vscode.commands.executeCommand('vscode.openWith', uri, type);
  return waitFor(() => vscode.window.visibleNotebookEditors.find((e) => e.notebook.uri.fsPath === uri.fsPath), { what: `notebook editor for ${file}` });
}

/** Byte positions where two buffers differ (lengths must match). */
export function diffPositions(a: Uint8Array, b: Uint8Array): number[] {
  assert.equal(a.length, b.length, 'file length changed');
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

export function read(file: string): Buffer {
  return fs.readFileSync(file);
}

/** An operator that answers every prompt the same way and remembers what it was asked. */
export function scriptedUi(answer: 'yes' | 'no' | 'skip', typed?: string): OperatorUi & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async confirm(q) { asked.push(q); return answer; },
    async typedConfirmation(preview, expected) { asked.push(preview); return typed === expected; },
    async confirmEdit(file) { asked.push(file); return answer === 'yes'; },
  };
}

/**
 * Closes every editor after reverting every edited file: a test's unsaved edits never reach the
 * next test (closing an edited editor would ask to save, and nobody answers).
 */
export async function closeAll(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file')) {
    await vscode.window.showTextDocument(doc).then(() => vscode.commands.executeCommand('workbench.action.files.revert'), () => undefined);
  }
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor').then(undefined, () => undefined);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
