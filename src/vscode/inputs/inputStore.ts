/**
 * Runbook inputs: asked once, remembered per workspace (workspaceState), editable with
 * "Runbook: Edit Inputs". Secret inputs live only in SecretStorage (or come from the
 * environment, e.g. ENGRAMIA_API_KEY) and are never written to the runbook, outputs or logs.
 *
 * A non-secret input's value comes from, in order: the value set with Edit Inputs, the
 * `runbook.inputs` setting (workspace settings, shared by a team), the environment variable the
 * input declares with `env:`, its default; else the user is asked. The same rules as the CLI.
 */
import * as vscode from 'vscode';
import type { RunbookInput } from '../../core/runbook/model';
import { inputEnvName } from '../../core/ops';

const STATE_KEY = 'runbook.inputs';
const SECRET_PREFIX = 'runbook.secret.';

export interface ResolvedInputs {
  readonly values: Record<string, string>;
  readonly secrets: string[];
  /** Names that are still missing (the user dismissed a prompt). */
  readonly missing: string[];
}

/** Values from the `runbook.inputs` setting. */
function settingValues(): Record<string, string> {
  const raw = vscode.workspace.getConfiguration('runbook').get<Record<string, unknown>>('inputs') ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== null && v !== undefined && typeof v !== 'object') out[k] = String(v);
  return out;
}

export class InputStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly secretStorage: vscode.SecretStorage,
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
  ) {}

  private all(): Record<string, Record<string, string>> {
    return this.state.get<Record<string, Record<string, string>>>(STATE_KEY) ?? {};
  }

  /** Remembered values of one runbook (keyed by its workspace-relative path). */
  stored(runbook: vscode.Uri): Record<string, string> {
    return { ...(this.all()[key(runbook)] ?? {}) };
  }

  async remember(runbook: vscode.Uri, name: string, value: string | undefined): Promise<void> {
    const all = this.all();
    const mine = { ...(all[key(runbook)] ?? {}) };
    if (value === undefined) delete mine[name];
    else mine[name] = value;
    await this.state.update(STATE_KEY, { ...all, [key(runbook)]: mine });
    this.changed.fire();
  }

  secretKey(input: RunbookInput): string {
    return SECRET_PREFIX + inputEnvName(input);
  }

  async getSecret(input: RunbookInput): Promise<string | undefined> {
    return (await this.secretStorage.get(this.secretKey(input))) ?? this.env[inputEnvName(input)] ?? undefined;
  }

  async setSecret(input: RunbookInput, value: string | undefined): Promise<void> {
    if (value === undefined || value === '') await this.secretStorage.delete(this.secretKey(input));
    else await this.secretStorage.store(this.secretKey(input), value);
    this.changed.fire();
  }

  /**
   * Values for the given inputs: remembered, else the environment, else the default, else asked
   * (when `ask` is true). Secrets are asked with a password box and kept in SecretStorage.
   */
  async resolve(runbook: vscode.Uri, inputs: readonly RunbookInput[], needed: ReadonlySet<string> | 'all', ask: boolean): Promise<ResolvedInputs> {
    const remembered = this.stored(runbook);
    const fromSettings = settingValues();
    const values: Record<string, string> = {};
    const secrets: string[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const want = needed === 'all' || needed.has(input.name);
      if (input.secret) {
        let v = await this.getSecret(input);
        if (v === undefined && want && ask) {
          v = await promptFor(input, undefined);
          if (v !== undefined) await this.setSecret(input, v);
        }
        if (v !== undefined) { values[input.name] = v; secrets.push(v); }
        else if (want) missing.push(input.name);
        continue;
      }
      let v: string | undefined = remembered[input.name] ?? fromSettings[input.name] ?? (input.env ? this.env[input.env] : undefined) ?? (input.default !== undefined ? String(input.default) : undefined);
      if (v === undefined && want && ask) {
        v = await promptFor(input, undefined);
        if (v !== undefined) await this.remember(runbook, input.name, v);
      }
      if (v !== undefined) values[input.name] = v;
      else if (want) missing.push(input.name);
    }
    return { values, secrets, missing };
  }
}

function key(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, false);
}

export async function promptFor(input: RunbookInput, current: string | undefined): Promise<string | undefined> {
  const title = `Runbook input: ${input.name}`;
  if (input.type === 'enum' && input.options?.length) {
    const pick = await vscode.window.showQuickPick([...input.options], { title, placeHolder: input.description, ignoreFocusOut: true });
    return pick;
  }
  if (input.type === 'boolean') {
    const pick = await vscode.window.showQuickPick(['true', 'false'], { title, placeHolder: input.description, ignoreFocusOut: true });
    return pick;
  }
  return vscode.window.showInputBox({
    title,
    prompt: input.description ?? input.name,
    value: input.secret ? '' : current ?? (input.default !== undefined ? String(input.default) : ''),
    password: input.secret,
    ignoreFocusOut: true,
    validateInput: (v) => {
      if (input.type === 'number' && v.trim() !== '' && Number.isNaN(Number(v))) return 'Enter a number';
      if (input.type === 'url' && v.trim() !== '' && !/^https?:\/\//.test(v.trim())) return 'Enter an http(s) URL';
      return undefined;
    },
  });
}
