/** The core's OperatorUi, with VS Code's quick picks, input boxes and diff editor. */
import * as vscode from 'vscode';
import type { OperatorUi } from '../core/checks/types';
import { oneLine } from '../core/text';

export class VsCodeOperatorUi implements OperatorUi {
  async confirm(question: string, detail?: string): Promise<'yes' | 'no' | 'skip' | undefined> {
    const items: (vscode.QuickPickItem & { answer: 'yes' | 'no' | 'skip' })[] = [
      { label: '$(pass) Yes, done', answer: 'yes', detail },
      { label: '$(error) No', answer: 'no' },
      { label: '$(debug-step-over) Skip for now', answer: 'skip' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: question, placeHolder: detail === undefined ? undefined : oneLine(detail), ignoreFocusOut: true });
    return pick?.answer;
  }

  async typedConfirmation(preview: string, expected: string): Promise<boolean> {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: preview });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    const typed = await vscode.window.showInputBox({
      title: 'Destructive call: review the preview beside, then confirm',
      prompt: `Type "${expected}" to go ahead. This call is sent once and never retried.`,
      ignoreFocusOut: true,
      validateInput: (v) => (v === '' || v === expected ? undefined : `Type exactly "${expected}"`),
    });
    return typed === expected;
  }

  async confirmEdit(file: string, before: string, after: string): Promise<boolean> {
    const left = await vscode.workspace.openTextDocument({ content: before });
    const right = await vscode.workspace.openTextDocument({ content: after });
    await vscode.commands.executeCommand('vscode.diff', left.uri, right.uri, `Proposed change: ${file}`);
    const pick = await vscode.window.showWarningMessage(`Apply this change to ${file}?`, { modal: true }, 'Apply');
    return pick === 'Apply';
  }
}

/** Delegates to the VS Code UI unless a replacement is set (integration tests answer prompts). */
export class SwitchableOperatorUi implements OperatorUi {
  private override: OperatorUi | undefined;
  constructor(private readonly base: OperatorUi) {}
  set(ui: OperatorUi | undefined): void { this.override = ui; }
  private get ui(): OperatorUi { return this.override ?? this.base; }
  confirm(question: string, detail?: string) { return this.ui.confirm(question, detail); }
  typedConfirmation(preview: string, expected: string) { return this.ui.typedConfirmation(preview, expected); }
  confirmEdit(file: string, before: string, after: string) { return this.ui.confirmEdit ? this.ui.confirmEdit(file, before, after) : Promise.resolve(false); }
}
