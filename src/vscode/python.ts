/**
 * The Python interpreter for python checks: the one selected in the Python extension when it is
 * installed (@vscode/python-extension), else undefined (the core then looks for python3/python).
 */
import * as vscode from 'vscode';
import type { Logger } from '../core/checks/types';

export function pythonInterpreterService(log: Logger): () => Promise<{ path: string; source: string } | undefined> {
  return async () => {
    if (!vscode.extensions.getExtension('ms-python.python')) return undefined;
    try {
      const { PythonExtension } = await import('@vscode/python-extension');
      const api = await PythonExtension.api();
      const resource = vscode.window.activeNotebookEditor?.notebook.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
      const active = api.environments.getActiveEnvironmentPath(resource);
      const env = await api.environments.resolveEnvironment(active);
      const exe = env?.executable.uri?.fsPath;
      return exe ? { path: exe, source: 'selected in the Python extension' } : undefined;
    } catch (err) {
      log.warn(`Python extension API unavailable: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };
}
