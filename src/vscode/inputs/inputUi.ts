/**
 * The questions the input layer asks the user: an input's value, whether inputs may be sent to an
 * origin (a modal), which approvals to revoke. Integration tests replace it (the extension API's
 * `setInputUi`) to answer and to record what was asked.
 */
import * as vscode from 'vscode';
import type { RunbookInput } from '../../core/runbook/model';
import { secretProblem } from '../../core/secrets/mask';

/** Why a value cannot be stored as a secret (one line), or undefined when it can: the core's rule (8 characters at least). */
export { secretProblem };

export interface SendQuestion {
  /** The origin the request goes to, e.g. https://api.engramia.dev. */
  readonly origin: string;
  /** The inputs that need the approval, with why. */
  readonly inputs: readonly { readonly name: string; readonly why: string }[];
  /** Modal message and detail, naming the origin and the inputs. */
  readonly message: string;
  readonly detail: string;
}

export interface AskOptions {
  /** Value to start from. */
  readonly current?: string;
  /** For a secret: the origin it is entered for (named in the prompt). */
  readonly origin?: string;
}

export interface InputUi {
  /** An input's value; undefined when dismissed. Secrets use a password box and must pass secretProblem. */
  askInput(input: RunbookInput, options?: AskOptions): Promise<string | undefined>;
  /** The modal: may these inputs be sent to this origin? */
  approveSend(question: SendQuestion): Promise<boolean>;
  /** Which of the approved origins to revoke (each with the inputs approved for it). */
  pickOriginsToRevoke(approved: readonly { readonly origin: string; readonly inputs: readonly string[] }[]): Promise<readonly string[] | undefined>;
  /** The origins a secret may be sent to, one or more separated by spaces or commas. */
  askOrigins(input: RunbookInput, suggested: readonly string[]): Promise<string | undefined>;
}

export class VsCodeInputUi implements InputUi {
  async askInput(input: RunbookInput, options: AskOptions = {}): Promise<string | undefined> {
    const title = `Runbook input: ${input.name}${input.secret && options.origin ? ` (sent to ${options.origin})` : ''}`;
    if (input.type === 'enum' && input.options?.length) {
      return vscode.window.showQuickPick([...input.options], { title, placeHolder: input.description, ignoreFocusOut: true });
    }
    if (input.type === 'boolean') {
      return vscode.window.showQuickPick(['true', 'false'], { title, placeHolder: input.description, ignoreFocusOut: true });
    }
    return vscode.window.showInputBox({
      title,
      prompt: input.description ?? input.name,
      value: input.secret ? '' : options.current ?? (input.default !== undefined ? String(input.default) : ''),
      password: input.secret,
      ignoreFocusOut: true,
      validateInput: (v) => {
        if (input.secret && v !== '') return secretProblem(v);
        if (input.type === 'number' && v.trim() !== '' && Number.isNaN(Number(v))) return 'Enter a number';
        if (input.type === 'url' && v.trim() !== '' && !/^https?:\/\//.test(v.trim())) return 'Enter an http(s) URL';
        return undefined;
      },
    });
  }

  async approveSend(question: SendQuestion): Promise<boolean> {
    const pick = await vscode.window.showWarningMessage(question.message, { modal: true, detail: question.detail }, 'Allow');
    return pick === 'Allow';
  }

  async pickOriginsToRevoke(approved: readonly { origin: string; inputs: readonly string[] }[]): Promise<readonly string[] | undefined> {
    const picks = await vscode.window.showQuickPick(
      approved.map((a) => ({ label: a.origin, description: a.inputs.join(', '), picked: false })),
      { title: 'Revoke approved origins (this workspace)', placeHolder: 'Pick the servers that may no longer receive your secrets', canPickMany: true },
    );
    return picks?.map((p) => p.label);
  }

  async askOrigins(input: RunbookInput, suggested: readonly string[]): Promise<string | undefined> {
    return vscode.window.showInputBox({
      title: `Where may ${input.name} be sent?`,
      prompt: 'The server(s) this secret is for, e.g. https://api.engramia.dev (several: separate with spaces). Sending it anywhere else asks first.',
      value: suggested.join(' '),
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' || v.split(/[\s,]+/).filter(Boolean).every((o) => /^https?:\/\/[^/\s]+\/?$/i.test(o)) ? undefined : 'Enter origins like https://api.example.dev'),
    });
  }
}

/** Delegates to the VS Code UI unless a replacement is set (integration tests answer the questions). */
export class SwitchableInputUi implements InputUi {
  private override: InputUi | undefined;
  constructor(private readonly base: InputUi) {}
  set(ui: InputUi | undefined): void { this.override = ui; }
  private get ui(): InputUi { return this.override ?? this.base; }
  askInput(input: RunbookInput, options?: AskOptions) { return this.ui.askInput(input, options); }
  approveSend(question: SendQuestion) { return this.ui.approveSend(question); }
  pickOriginsToRevoke(approved: readonly { origin: string; inputs: readonly string[] }[]) { return this.ui.pickOriginsToRevoke(approved); }
  askOrigins(input: RunbookInput, suggested: readonly string[]) { return this.ui.askOrigins(input, suggested); }
}
