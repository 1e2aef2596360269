/** Entry of the agent-code analysis bundle (dist/analysis.js), loaded by extension.ts on first use. */
import type * as vscode from 'vscode';
import { MaskingLogger } from '../log';
import { pythonInterpreterService } from '../python';
import { registerAgentAnalysis } from './index';

export function startAnalysis(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): vscode.Disposable[] {
  const python = pythonInterpreterService(new MaskingLogger(channel));
  return registerAgentAnalysis(context, { log: channel, extensionUri: context.extensionUri, pythonPath: async () => (await python())?.path });
}
