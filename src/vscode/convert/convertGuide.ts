/**
 * Converts the active guide (a markdown file, a saved HTML page, or plain text such as an untitled
 * editor) into `<name>.runbook.md`: shows the guide and the runbook side by side in a diff editor
 * (what each block became) with a summary, asks before writing, never overwrites an existing file
 * without asking, then opens the runbook as a notebook.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { convertGuide, runbookNameFor, summarizeConversion, type GuideFormat } from '../../core/convert';
import { writeFileSafely } from '../../core/evidence/safeFile';
import { RUNBOOK_NOTEBOOK } from '../notebook/types';

const PREVIEW_SCHEME = 'runbook-convert-preview';
const previews = new Map<string, string>();
let provider: vscode.Disposable | undefined;

function previewProvider(): void {
  provider ??= vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, {
    provideTextDocumentContent: (uri) => previews.get(uri.path) ?? '',
  });
}

/** Options a caller (tests, other commands) may pass; never used to overwrite a file unasked. */
interface ConvertArgs {
  /** Write without the "write the runbook?" question (an existing file is still never overwritten unasked). */
  readonly yes?: boolean;
  /** The conversion time recorded in the front matter (ISO). */
  readonly now?: string;
}

function argsOf(options: unknown): ConvertArgs {
  if (!options || typeof options !== 'object') return {};
  const o = options as Record<string, unknown>;
  return { yes: o.yes === true, ...(typeof o.now === 'string' && !Number.isNaN(Date.parse(o.now)) ? { now: o.now } : {}) };
}

function formatOf(doc: vscode.TextDocument): GuideFormat | undefined {
  if (doc.languageId === 'html') return 'html';
  if (doc.languageId === 'markdown') return 'markdown';
  if (doc.languageId === 'plaintext') return doc.uri.scheme === 'untitled' ? undefined : 'text';
  return undefined;
}

export async function convertGuideCommand(uri: vscode.Uri | undefined, options: unknown): Promise<vscode.Uri | undefined> {
  const args = argsOf(options);
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!doc) {
    void vscode.window.showInformationMessage('Open a guide first (markdown, a saved HTML page, or pasted text), then run "Runbook: Convert Guide to Runbook…".');
    return undefined;
  }
  const untitled = doc.uri.scheme === 'untitled';
  let target: vscode.Uri | undefined;
  if (untitled) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    target = await vscode.window.showSaveDialog({
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'guide.runbook.md') } : {}),
      filters: { Runbook: ['md'] },
      title: 'Where should the runbook be written?',
    });
    if (!target) return undefined;
  } else {
    target = vscode.Uri.joinPath(doc.uri, '..', runbookNameFor(doc.uri.path));
  }
  const source = untitled ? doc.uri.path : path.posix.relative(path.posix.dirname(target.path), doc.uri.path) || path.posix.basename(doc.uri.path);
  const now = new Date(args.now ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  let result;
  try {
    result = convertGuide(doc.getText(), { source, convertedAt: now, fileName: doc.uri.path, ...(formatOf(doc) ? { format: formatOf(doc)! } : {}) });
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot convert ${path.posix.basename(doc.uri.path)}: ${(err as Error).message}`);
    return undefined;
  }
  if (result.unchanged) {
    const open = await vscode.window.showInformationMessage(`${path.posix.basename(doc.uri.path)} is already a runbook: nothing to convert.`, 'Open as Runbook');
    if (open) await vscode.commands.executeCommand('runbook.openAsRunbook', doc.uri);
    return undefined;
  }

  // Preview: the guide and the runbook side by side.
  previewProvider();
  const previewUri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${path.posix.basename(target.path)}`, query: String(Date.now()) });
  previews.set(previewUri.path, result.text);
  await vscode.commands.executeCommand('vscode.diff', doc.uri, previewUri, `${path.posix.basename(doc.uri.path)} ↔ ${path.posix.basename(target.path)} (preview)`, { preview: true });

  const lines = summarizeConversion(result);
  const exists = await vscode.workspace.fs.stat(target).then(() => true, () => false);
  if (!args.yes || exists) {
    const write = exists ? 'Overwrite' : 'Write Runbook';
    const answer = await vscode.window.showInformationMessage(
      exists ? `${path.posix.basename(target.path)} exists. Overwrite it with the converted runbook?` : `Write ${path.posix.basename(target.path)}? ${lines[0]}`,
      { modal: true, detail: lines.slice(1).join('\n') },
      write,
    );
    if (answer !== write) return undefined;
  }
  try {
    // A file on disk goes through the core's safe writer: a symbolic link, FIFO or folder planted
    // at the target is refused rather than written through.
    if (target.scheme === 'file') writeFileSafely(target.fsPath, result.text);
    else await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.text));
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot write ${path.posix.basename(target.path)}: ${(err as Error).message}`);
    return undefined;
  }
  await vscode.commands.executeCommand('vscode.openWith', target, RUNBOOK_NOTEBOOK);
  return target;
}

export function disposePreviewProvider(): void {
  provider?.dispose();
  provider = undefined;
  previews.clear();
}
