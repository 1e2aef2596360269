/**
 * Runbook inputs: asked once, remembered per workspace (workspaceState), editable with
 * "Runbook: Edit Inputs". Secret inputs live only in SecretStorage (or come from the
 * environment, e.g. ENGRAMIA_API_KEY) and are never written to the runbook, outputs or logs.
 *
 * A non-secret input's value comes from, in order: the value set with Edit Inputs, the
 * `runbook.inputs` setting, the environment variable the input declares with `env:`, its default;
 * else the user is asked. In a restricted (untrusted) workspace the runbook and its repository
 * supply no values: workspace settings and front-matter defaults are not used (a default only
 * pre-fills the question).
 *
 * Secrets are kept per workspace folder, each with the origins it was entered for
 * (`runbook.secret.v2.<folder hash>.<ENV>` → `{ value, origins }`). The unscoped keys of earlier
 * versions (`runbook.secret.<ENV>`) are no longer read; storing or forgetting a secret deletes
 * the old key. Approvals of origins (which inputs may go where) are kept per workspace too.
 * See docs/security.md.
 */
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { RunbookInput } from '../../core/runbook/model';
import { inputEnvName } from '../../core/plan';
import { withApproval, withoutOrigins, type InputSource, type OriginApprovals, type SentInput } from '../../core/secrets/approvals';
import { secretProblem, type InputUi, type SendQuestion } from './inputUi';

const STATE_KEY = 'runbook.inputs';
const APPROVALS_KEY = 'runbook.approvedOrigins';
const LEGACY_SECRET_PREFIX = 'runbook.secret.';
const SECRET_PREFIX = 'runbook.secret.v2.';

interface SecretRecord {
  readonly value: string;
  readonly origins: readonly string[];
}

export interface ResolvedInputs {
  readonly values: Record<string, string>;
  readonly secrets: string[];
  /** Names that are still missing (the user dismissed a prompt). */
  readonly missing: string[];
  /** Where each value came from, for the send policy (core/secrets/approvals.ts). */
  readonly sources: Record<string, SentInput>;
}

export interface ResolveOptions {
  /** Ask for missing inputs the check needs. */
  readonly ask: boolean;
  /** Restricted mode: no workspace settings, no front-matter defaults. */
  readonly restricted?: boolean;
  /**
   * The origin a secret asked for now is entered for (it is bound to it), from the values known
   * so far; secrets not yet known stand as placeholders.
   */
  readonly originFor?: (values: Readonly<Record<string, string>>) => string | undefined;
}

/** Values of the `runbook.inputs` setting with where each came from; restricted: user settings only. */
function settingValues(restricted: boolean): Record<string, { value: string; source: InputSource }> {
  const info = vscode.workspace.getConfiguration('runbook').inspect<Record<string, unknown>>('inputs');
  const out: Record<string, { value: string; source: InputSource }> = {};
  const layers: [Record<string, unknown> | undefined, InputSource][] = restricted
    ? [[info?.globalValue, 'user']]
    : [[info?.globalValue, 'user'], [info?.workspaceValue, 'workspace-setting'], [info?.workspaceFolderValue, 'workspace-setting']];
  for (const [layer, source] of layers) {
    for (const [k, v] of Object.entries(layer ?? {})) if (v !== null && v !== undefined && typeof v !== 'object') out[k] = { value: String(v), source };
  }
  return out;
}

export class InputStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly secretStorage: vscode.SecretStorage,
    private readonly ui: InputUi,
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

  /** Asks for an input's value (through the replaceable UI). */
  ask(input: RunbookInput, current?: string, origin?: string): Promise<string | undefined> {
    return this.ui.askInput(input, { current, origin });
  }

  /** Asks where a secret may be sent (through the replaceable UI). */
  askOrigins(input: RunbookInput, suggested: readonly string[]): Promise<string | undefined> {
    return this.ui.askOrigins(input, suggested);
  }

  /** The SecretStorage key of a secret input: per workspace folder (see the file comment). */
  secretKey(input: RunbookInput, runbook?: vscode.Uri): string {
    return `${SECRET_PREFIX}${scopeOf(runbook)}.${inputEnvName(input)}`;
  }

  private async readSecret(input: RunbookInput, runbook?: vscode.Uri): Promise<SecretRecord | undefined> {
    const raw = await this.secretStorage.get(this.secretKey(input, runbook));
    if (!raw) return undefined;
    try {
      const r = JSON.parse(raw) as Partial<SecretRecord>;
      if (typeof r.value === 'string' && r.value && Array.isArray(r.origins)) return { value: r.value, origins: r.origins.filter((o) => typeof o === 'string') };
    } catch { /* unreadable: treated as not set */ }
    return undefined;
  }

  /** The stored value, else the environment variable's. */
  async getSecret(input: RunbookInput, runbook?: vscode.Uri): Promise<string | undefined> {
    return (await this.readSecret(input, runbook))?.value ?? (this.env[inputEnvName(input)] || undefined);
  }

  /** True when the secret is in SecretStorage (not only in the environment). */
  async isStored(input: RunbookInput, runbook?: vscode.Uri): Promise<boolean> {
    return (await this.readSecret(input, runbook)) !== undefined;
  }

  /** The origins a stored secret may be sent to without asking. */
  async secretOrigins(input: RunbookInput, runbook?: vscode.Uri): Promise<readonly string[]> {
    return (await this.readSecret(input, runbook))?.origins ?? [];
  }

  /**
   * Stores (or, with undefined / '', forgets) a secret for the runbook's workspace folder, bound to
   * `origins`. Throws with a one-line message when the value is too short to be a secret.
   */
  async setSecret(input: RunbookInput, value: string | undefined, runbook?: vscode.Uri, origins: readonly string[] = []): Promise<void> {
    await this.secretStorage.delete(LEGACY_SECRET_PREFIX + inputEnvName(input));
    if (value === undefined || value === '') await this.secretStorage.delete(this.secretKey(input, runbook));
    else {
      const problem = secretProblem(value);
      if (problem) throw new Error(problem);
      const record: SecretRecord = { value, origins: [...new Set(origins)] };
      await this.secretStorage.store(this.secretKey(input, runbook), JSON.stringify(record));
    }
    this.changed.fire();
  }

  /** Adds an origin the stored secret may go to (the user approved it). */
  async bindSecret(input: RunbookInput, runbook: vscode.Uri | undefined, origin: string): Promise<void> {
    const record = await this.readSecret(input, runbook);
    if (!record || record.origins.includes(origin)) return;
    await this.secretStorage.store(this.secretKey(input, runbook), JSON.stringify({ value: record.value, origins: [...record.origins, origin] }));
  }

  /** Approvals of this workspace: origin → input names the user let go there. */
  approvals(): OriginApprovals {
    return this.state.get<OriginApprovals>(APPROVALS_KEY) ?? {};
  }

  approvedFor(origin: string): readonly string[] {
    return this.approvals()[origin] ?? [];
  }

  async approve(origin: string, names: readonly string[]): Promise<void> {
    await this.state.update(APPROVALS_KEY, withApproval(this.approvals(), origin, names));
    this.changed.fire();
  }

  async revoke(origins: readonly string[]): Promise<void> {
    await this.state.update(APPROVALS_KEY, withoutOrigins(this.approvals(), origins));
    this.changed.fire();
  }

  /** The modal: may these inputs go to this origin? (through the replaceable UI) */
  approveSend(question: SendQuestion): Promise<boolean> {
    return this.ui.approveSend(question);
  }

  /** "Runbook: Revoke Approved Origins…": pick, revoke, say what was revoked. */
  async revokeInteractively(): Promise<readonly string[]> {
    const approved = Object.entries(this.approvals()).map(([origin, inputs]) => ({ origin, inputs }));
    if (!approved.length) {
      void vscode.window.showInformationMessage('No origins are approved in this workspace.');
      return [];
    }
    const picked = await this.ui.pickOriginsToRevoke(approved);
    if (!picked?.length) return [];
    await this.revoke(picked);
    void vscode.window.showInformationMessage(`Revoked: ${picked.join(', ')}. Checks ask again before sending secrets there.`);
    return picked;
  }

  /**
   * Values for the given inputs: remembered, else settings, else the environment, else the
   * default (not in restricted mode), else asked (when `ask` is true and the check needs it).
   * Secrets are asked with a password box and kept in SecretStorage, bound to `originFor`.
   */
  async resolve(runbook: vscode.Uri, inputs: readonly RunbookInput[], needed: ReadonlySet<string> | 'all', options: ResolveOptions): Promise<ResolvedInputs> {
    const restricted = options.restricted ?? false;
    const remembered = this.stored(runbook);
    const fromSettings = settingValues(restricted);
    const values: Record<string, string> = {};
    const secrets: string[] = [];
    const missing: string[] = [];
    const sources: Record<string, SentInput> = {};
    const wants = (input: RunbookInput) => needed === 'all' || needed.has(input.name);
    const set = (input: RunbookInput, value: string, source: InputSource, extra: Partial<SentInput> = {}) => {
      values[input.name] = value;
      sources[input.name] = { name: input.name, secret: input.secret, source, ...extra };
    };

    for (const input of inputs.filter((i) => !i.secret)) {
      const envValue = input.env ? this.env[input.env] : undefined;
      if (remembered[input.name] !== undefined) set(input, remembered[input.name]!, 'user');
      else if (fromSettings[input.name]) set(input, fromSettings[input.name]!.value, fromSettings[input.name]!.source);
      else if (envValue !== undefined) set(input, envValue, 'environment', { envVar: input.env });
      else if (input.default !== undefined && !restricted) set(input, String(input.default), 'default');
      else if (wants(input) && options.ask) {
        const v = await this.ask(input);
        if (v !== undefined) {
          await this.remember(runbook, input.name, v);
          set(input, v, 'user');
        } else missing.push(input.name);
      } else if (wants(input)) missing.push(input.name);
    }

    for (const input of inputs.filter((i) => i.secret)) {
      const record = await this.readSecret(input, runbook);
      const envVar = inputEnvName(input);
      if (record) set(input, record.value, 'secret-storage', { boundOrigins: record.origins });
      else if (this.env[envVar]) set(input, this.env[envVar]!, 'environment', { envVar });
      else if (wants(input) && options.ask) {
        const placeholder = Object.fromEntries(inputs.filter((i) => i.secret && values[i.name] === undefined).map((i) => [i.name, 'secret-placeholder']));
        const origin = options.originFor?.({ ...placeholder, ...values });
        const v = await this.ask(input, undefined, origin);
        const problem = v ? secretProblem(v) : undefined;
        if (v && !problem) {
          const origins = origin ? [origin] : [];
          await this.setSecret(input, v, runbook, origins);
          set(input, v, 'secret-storage', { boundOrigins: origins });
        } else {
          if (problem) void vscode.window.showErrorMessage(`${input.name}: ${problem}.`);
          missing.push(input.name);
        }
      } else if (wants(input)) missing.push(input.name);
      if (values[input.name] !== undefined) secrets.push(values[input.name]!);
    }
    // Keep the declared order (the check and evidence show inputs in front-matter order).
    const ordered: Record<string, string> = {};
    for (const input of inputs) if (values[input.name] !== undefined) ordered[input.name] = values[input.name]!;
    return { values: ordered, secrets, missing, sources };
  }
}

function key(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, false);
}

/** The workspace folder a runbook belongs to (else its own folder), as a short stable hash. */
function scopeOf(runbook?: vscode.Uri): string {
  const folder = (runbook && vscode.workspace.getWorkspaceFolder(runbook)?.uri)
    ?? (runbook ? vscode.Uri.joinPath(runbook, '..') : vscode.workspace.workspaceFolders?.[0]?.uri);
  return createHash('sha256').update(folder?.toString() ?? 'no-folder').digest('hex').slice(0, 16);
}
