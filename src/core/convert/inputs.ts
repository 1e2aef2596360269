/**
 * The runbook inputs a conversion declares: one per shell variable, guide placeholder and shared
 * host, named like the runbook's own inputs (`ENGRAMIA_API_KEY` → `engramiaApiKey`,
 * `<sample-user-prompt>` → `sampleUserPrompt`). Secret-looking names and credentials become
 * secret inputs with an `env:` name and never a default. Deterministic: first use decides order.
 */
import { envName } from '../checks/template';

export interface ConvertedInput {
  readonly name: string;
  readonly description: string;
  type: 'string' | 'number' | 'url';
  default?: string;
  secret: boolean;
  env?: string;
}

/** `*_KEY`, `*TOKEN*`, `*SECRET*`, `*PASSWORD*` (also PASSWD, PWD suffix, CREDENTIAL). */
export function isSecretName(name: string): boolean {
  const n = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return /(?:^|_)(?:API_?)?KEY$/.test(n) || /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY/.test(n) || /(?:^|_)PWD$/.test(n) && n !== 'PWD';
}

/** Variables a shell check reads from its own environment: never made inputs. */
const AMBIENT = new Set(['PATH', 'HOME', 'USER', 'PWD', 'SHELL', 'TMPDIR', 'LANG', 'TERM', 'HOSTNAME', 'RANDOM', 'SECONDS', 'OLDPWD', 'UID', 'LOGNAME']);

export function isAmbientVariable(name: string): boolean {
  return AMBIENT.has(name);
}

function camel(words: readonly string[]): string {
  const out = words
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
    .join('');
  const id = /^[A-Za-z_]/.test(out) ? out : `v${out}`;
  return id.slice(0, 40) || 'value';
}

/** `ENGRAMIA_API_KEY` → `engramiaApiKey`; an already camel-cased name is kept. */
export function inputNameForVariable(variable: string): string {
  if (/[a-z]/.test(variable) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(variable) && !variable.includes('_')) return variable.slice(0, 40);
  return camel(variable.split(/_+/));
}

/** `<a%20task you-backfilled>` → `aTaskYouBackfilled`. */
export function inputNameForPlaceholder(text: string): string {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    /* keep as written */
  }
  return camel(decoded.split(/[^A-Za-z0-9]+/).slice(0, 6));
}

export class InputSet {
  private readonly byKey = new Map<string, ConvertedInput>();
  private readonly used = new Set<string>();
  private readonly list: ConvertedInput[] = [];
  private readonly defaults = new Map<string, string>();

  /** The input for `key`: the one already made, else a new one named `proposed()` (worked out only then). */
  private add(key: string, proposed: () => string, make: (name: string) => ConvertedInput): ConvertedInput {
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const first = proposed();
    let name = first;
    for (let k = 2; this.used.has(name); k++) name = `${first}${k}`;
    this.used.add(name);
    const input = make(name);
    this.byKey.set(key, input);
    this.list.push(input);
    return input;
  }

  /** Remembers `NAME=value` from the guide: the default of the variable's input (unless secret). */
  assignment(variable: string, value: string): void {
    if (!this.defaults.has(variable)) this.defaults.set(variable, value);
    const input = this.byKey.get(`var:${variable}`);
    if (input && !input.secret && input.default === undefined) input.default = value;
  }

  variable(variable: string, hints: { secret?: boolean; url?: boolean; number?: boolean } = {}): ConvertedInput {
    const input = this.add(`var:${variable}`, () => inputNameForVariable(variable), (name) => {
      const secret = !!hints.secret || isSecretName(variable);
      const env = secret || envName(name) !== variable ? variable : undefined;
      return {
        name,
        description: `$${variable} in the guide`,
        type: hints.url ? 'url' : hints.number ? 'number' : 'string',
        secret,
        ...(env ? { env } : {}),
      };
    });
    this.refine(input, hints);
    const d = this.defaults.get(variable);
    if (d !== undefined && !input.secret && input.default === undefined) input.default = d;
    return input;
  }

  placeholder(text: string, hints: { secret?: boolean; url?: boolean; number?: boolean } = {}): ConvertedInput {
    const input = this.add(`ph:${text}`, () => inputNameForPlaceholder(text), (name) => {
      const secret = !!hints.secret || isSecretName(name.replace(/([a-z0-9])([A-Z])/g, '$1_$2'));
      return {
        name,
        description: `the guide's placeholder <${text.slice(0, 60)}>`,
        type: hints.url ? 'url' : hints.number ? 'number' : 'string',
        secret,
        ...(secret ? { env: envName(name) } : {}),
      };
    });
    this.refine(input, hints);
    return input;
  }

  /** A host several commands share. */
  origin(origin: string, proposed = 'baseUrl'): ConvertedInput {
    return this.add(`origin:${origin}`, () => proposed, (name) => ({ name, description: origin ? `the host the guide's commands call (${origin})` : "the host the guide's commands call (no host is named in the guide)", type: 'url', ...(origin ? { default: origin } : {}), secret: false }));
  }

  /** A credential written literally in the guide (an Authorization value, `-u user:password`). */
  credential(key: string, proposed: string, description: string): ConvertedInput {
    return this.add(`cred:${key}`, () => proposed, (name) => ({ name, description, type: 'string', secret: true, env: envName(name) }));
  }

  /** A word the guide compares with (`≥ expected`). */
  word(word: string): ConvertedInput {
    return this.add(`word:${word}`, () => camel(word.split(/[^A-Za-z0-9]+/)), (name) => ({ name, description: `what the guide calls "${word}"`, type: 'number', secret: false }));
  }

  private refine(input: ConvertedInput, hints: { secret?: boolean; url?: boolean }): void {
    if (hints.secret && !input.secret) {
      input.secret = true;
      delete input.default;
      input.env ??= envName(input.name);
    }
    if (hints.url && input.type === 'string') input.type = 'url';
  }

  all(): readonly ConvertedInput[] {
    return this.list;
  }
}
