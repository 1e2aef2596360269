/**
 * What the operations' command groups share: the dependencies, the clock, the evidence recorder,
 * the window status bar items, and how a message is shown (and recorded for the tests).
 */
import * as vscode from 'vscode';
import type { CheckRegistry } from '../../core/checks/registry';
import { isDestructiveCheck } from '../../core/kinds';
import type { InputStore } from '../inputs/inputStore';
import type { RunbookController } from '../notebook/controller';
import type { DerivedRunbooks } from '../notebook/derivedRunbooks';
import type { RunState } from '../notebook/runState';
import { findNotebook } from '../notebook/notebookDoc';
import type { SwitchableClock } from './clock';
import type { EvidenceRecorder } from './recorder';
import type { OpsStatusItems } from './statusItems';

export interface OperationsDeps {
  readonly registry: CheckRegistry;
  readonly runbooks: DerivedRunbooks;
  readonly state: RunState;
  readonly inputs: InputStore;
  readonly controller: RunbookController;
  readonly log: { warn(msg: string): void; info(msg: string): void };
}

export interface Notice {
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
  readonly at: number;
}

export type NoticeLevel = Notice['level'];

export interface OpsContext {
  readonly deps: OperationsDeps;
  readonly clock: SwitchableClock;
  readonly recorder: EvidenceRecorder;
  readonly items: OpsStatusItems;
  /** Every message shown, oldest first (the last 200). */
  readonly notices: Notice[];
  /** Shows a notification (and records it); returns the button picked. */
  notify(level: NoticeLevel, message: string, ...buttons: string[]): Thenable<string | undefined>;
  /** Shows a message in the window status bar for a while (and records it): nothing covers the editor. */
  status(level: NoticeLevel, message: string): void;
  /** The runbook a command is about (the given one, else the active one); says so when there is none. */
  need(uri?: vscode.Uri | string): vscode.NotebookDocument | undefined;
  /** Destructive checks stay out of run all / run section, as in the CLI. */
  isDestructive(check: { kind: string; attributes: Readonly<Record<string, string>>; body: string }): boolean;
}

const STATUS_MESSAGE_MS = 30_000;

/** The message part of the context: notices, notifications, the status bar message. */
export function messages(): Pick<OpsContext, 'notices' | 'notify' | 'status'> & vscode.Disposable {
  const notices: Notice[] = [];
  let shown: vscode.Disposable | undefined;
  const record = (level: NoticeLevel, message: string) => {
    notices.push({ level, message, at: Date.now() });
    if (notices.length > 200) notices.splice(0, notices.length - 200);
  };
  return {
    notices,
    notify: (level, message, ...buttons) => {
      record(level, message);
      const show = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      return show(message, ...buttons);
    },
    status: (level, message) => {
      record(level, message);
      shown?.dispose();
      const icon = level === 'info' ? '$(info)' : level === 'warning' ? '$(warning)' : '$(error)';
      shown = vscode.window.setStatusBarMessage(`${icon} ${message}`, STATUS_MESSAGE_MS);
    },
    dispose: () => shown?.dispose(),
  };
}

export function needNotebook(notify: OpsContext['notify']): OpsContext['need'] {
  return (uri) => {
    const nb = findNotebook(uri);
    if (!nb) void notify('info', 'Open a runbook first.');
    return nb;
  };
}

export function destructiveIn(registry: CheckRegistry): OpsContext['isDestructive'] {
  return (c) => isDestructiveCheck(registry, c);
}
