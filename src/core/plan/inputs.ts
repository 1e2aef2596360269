/**
 * Input values for a headless run (CLI, CI). Secret inputs come from the environment: the input's
 * `env:` name, else envName(name) (`apiKey` → `API_KEY`). Other inputs come from explicit values
 * (`--input key=value`), then the variable named by their `env:` (only when declared), then their
 * default. A secret given as an explicit value is accepted with a warning (it may end up in shell
 * history or a process list). A secret shorter than 8 characters is refused (secretProblem).
 * Values of inputs the runbook does not declare are kept for `{{name}}` placeholders only: they
 * never become environment variables of a process check (see process/env.ts).
 */
import { envName } from '../checks/template';
import type { RunbookInput } from '../runbook/model';
import { secretProblem } from '../secrets/mask';

export interface ResolvedInputs {
  readonly values: Record<string, string>;
  /** Values of secret inputs (to mask everywhere). */
  readonly secrets: string[];
  /** Required inputs without a value, with where a value could come from. */
  readonly missing: { name: string; how: string }[];
  /** Values that do not fit their input's type. */
  readonly invalid: string[];
  readonly warnings: string[];
}

/** The environment variable a secret (or `env:`-declared) input is read from. */
export function inputEnvName(input: Pick<RunbookInput, 'name' | 'env'>): string {
  return input.env ?? envName(input.name);
}

/**
 * The explicit `env:` names of declared inputs (input name → variable), as process checks take
 * them in `services.inputEnvNames`; inputs without one get envName(name). The CLI and the VS Code
 * layer both build it with this function, so a runbook's inputs reach a process under the same
 * names wherever it runs.
 */
export function inputEnvNamesOf(inputs: readonly Pick<RunbookInput, 'name' | 'env'>[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of inputs ?? []) if (i.env) out[i.name] = i.env;
  return out;
}

/** The `services` entries that tell process checks how the runbook's inputs are declared. */
export function processInputServices(inputs: readonly Pick<RunbookInput, 'name' | 'env'>[] | undefined): { inputEnvNames: Record<string, string>; declaredInputs: string[] } {
  return { inputEnvNames: inputEnvNamesOf(inputs), declaredInputs: (inputs ?? []).map((i) => i.name) };
}

function typeError(input: RunbookInput, value: string): string | undefined {
  switch (input.type) {
    case 'number':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? undefined : `${input.name}: "${value}" is not a number`;
    case 'boolean':
      return /^(true|false|yes|no|1|0|on|off)$/i.test(value.trim()) ? undefined : `${input.name}: "${value}" is not true or false`;
    case 'enum':
      return !input.options || input.options.includes(value) ? undefined : `${input.name}: "${value}" is not one of ${input.options.join(', ')}`;
    case 'url':
      if (value === '') return undefined;
      try {
        const u = new URL(value);
        return /^https?:$/.test(u.protocol) ? undefined : `${input.name}: "${value}" is not an http(s) URL`;
      } catch {
        return `${input.name}: "${value}" is not a URL`;
      }
    default:
      return undefined;
  }
}

export function resolveInputs(
  declared: readonly RunbookInput[],
  explicit: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedInputs {
  const values: Record<string, string> = {};
  const secrets: string[] = [];
  const missing: { name: string; how: string }[] = [];
  const invalid: string[] = [];
  const warnings: string[] = [];
  const known = new Set(declared.map((d) => d.name));
  for (const input of declared) {
    const varName = inputEnvName(input);
    let value: string | undefined;
    if (input.secret) {
      if (explicit[input.name] !== undefined) {
        value = explicit[input.name];
        warnings.push(`--input ${input.name}=… sets a secret on the command line, where shell history and process lists can see it; prefer the environment variable ${varName}`);
      } else value = env[varName];
      if (value === '') value = undefined;
    } else {
      value = explicit[input.name] ?? (input.env ? env[input.env] : undefined) ?? (input.default === undefined ? undefined : String(input.default));
    }
    if (value === undefined) {
      if (input.required) {
        missing.push({ name: input.name, how: input.secret ? `set the environment variable ${varName}` : `pass --input ${input.name}=…${input.env ? ` or set ${input.env}` : ''}` });
      }
      continue;
    }
    const err = input.secret ? secretProblem(value) : typeError(input, value);
    if (err) invalid.push(input.secret ? `${input.name} (${varName}): ${err}` : err);
    values[input.name] = value;
    if (input.secret) secrets.push(value);
  }
  for (const [name, value] of Object.entries(explicit)) {
    if (known.has(name)) continue;
    values[name] = value;
    warnings.push(`--input ${name}: the runbook declares no input "${name}" (it fills {{${name}}} placeholders only; no process check gets it)`);
  }
  return { values, secrets, missing, invalid, warnings };
}
