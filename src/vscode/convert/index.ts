/**
 * "Runbook: Convert Guide to Runbook…": registered at activation; the converter and the preview
 * are loaded only when the command first runs.
 */
import * as vscode from 'vscode';

export const CONVERT_COMMAND = 'runbook.convertGuide';

export function registerConvertCommand(): vscode.Disposable {
  let loaded: typeof import('./convertGuide') | undefined;
  const command = vscode.commands.registerCommand(CONVERT_COMMAND, async (uri?: vscode.Uri, options?: unknown) => {
    loaded ??= await import('./convertGuide');
    return loaded.convertGuideCommand(uri instanceof vscode.Uri ? uri : undefined, options);
  });
  return vscode.Disposable.from(command, { dispose: () => loaded?.disposePreviewProvider() });
}
