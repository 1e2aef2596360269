/**
 * The evidence commands: Export Evidence Report (the cutover report beside the runbook, opened
 * rendered) and Open Evidence Log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileSafely } from '../../core/evidence/safeFile';
import type { OpsContext } from './context';

export function registerEvidenceCommands(ctx: OpsContext): vscode.Disposable[] {
  const exportReport = async (uri?: vscode.Uri | string, open = true): Promise<vscode.Uri | undefined> => {
    const notebook = ctx.need(uri);
    if (!notebook) return undefined;
    if (notebook.uri.scheme !== 'file') {
      void ctx.notify('error', 'Save the runbook to a file first: the report is written beside it.');
      return undefined;
    }
    const text = await ctx.recorder.report(notebook);
    const target = vscode.Uri.file(reportPathFor(notebook.uri.fsPath));
    try {
      // the core's safe writer: a symbolic link, FIFO or folder planted at the report path is refused
      writeFileSafely(target.fsPath, text, { root: path.dirname(notebook.uri.fsPath) });
    } catch (err) {
      void ctx.notify('error', `Cannot write the cutover report: ${(err as Error).message}`);
      return undefined;
    }
    if (open) {
      // The report is for people: show it rendered (the built-in markdown preview), else as text.
      try {
        await vscode.commands.executeCommand('markdown.showPreviewToSide', target);
      } catch {
        const doc = await vscode.workspace.openTextDocument(target);
        await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
      }
    }
    void ctx.notify('info', `Cutover report written to ${vscode.workspace.asRelativePath(target)}.`);
    return target;
  };

  return [
    vscode.commands.registerCommand('runbook.exportReport', exportReport),
    vscode.commands.registerCommand('runbook.openEvidenceLog', async (uri?: vscode.Uri | string) => {
      const nb = ctx.need(uri);
      if (!nb) return undefined;
      const file = ctx.recorder.evidenceFile(nb);
      if (!fs.existsSync(file)) {
        void ctx.notify('info', 'No evidence yet: run a check or tick an item first.');
        return undefined;
      }
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
      return vscode.Uri.file(file);
    }),
  ];
}

/** `ops/cutover.runbook.md` → `ops/cutover.report.md` (beside the runbook). */
export function reportPathFor(runbookPath: string): string {
  return runbookPath.replace(/(\.runbook)?\.md$/i, '') + '.report.md';
}
