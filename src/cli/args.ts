/**
 * The one argv parser of every `runbook` command: node's `util.parseArgs` does the tokenising
 * (`--opt value`, `--opt=value`, `-o value`, `-ovalue`, `--` ends the options), and this wrapper
 * applies the same rules everywhere, as one-line usage errors (main.ts adds "see --help", exit 2):
 *   - an option the command does not know: `unknown option --bogus`;
 *   - a flag given a value (`--json=x`): `--json takes no value`;
 *   - an option without its value, an empty one, or one that looks like the next option
 *     (`--section --json`): `--section needs a value` (write `--section=-x` for a value starting with a dash);
 *   - a repeated option: the last one wins, except `multiple` options, which collect every value.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './io';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Repeatable: every value is kept, in order. */
  readonly multiple?: boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type OptionValues<O extends OptionSpecs> = {
  -readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : O[K]['multiple'] extends true ? string[] : string;
};

export interface ParsedArgs<O extends OptionSpecs> {
  readonly values: OptionValues<O>;
  readonly positionals: string[];
  /** The options as given, in order (for "the last of --a / --b wins"). */
  readonly order: (keyof O & string)[];
}

type Token =
  | { kind: 'option'; name: string; rawName: string; value?: string; inlineValue?: boolean }
  | { kind: 'positional'; value: string }
  | { kind: 'option-terminator' };

function tokensOf(args: readonly string[], options: OptionSpecs): Token[] {
  // Non-strict: parseArgs only tokenises; the rules above are applied to its tokens below, so every
  // mistake gets the same one-line message whatever the command.
  const config = Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]));
  return parseArgs({ args: [...args], options: config, strict: false, allowPositionals: true, tokens: true }).tokens as Token[];
}

/** Parses a command's arguments; throws UsageError (one line) on the first mistake. */
export function parseCommandArgs<O extends OptionSpecs>(args: readonly string[], options: O): ParsedArgs<O> {
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const order: string[] = [];
  for (const token of tokensOf(args, options)) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!spec) throw new UsageError(`unknown option ${token.rawName}`);
    if (spec.type === 'boolean') {
      if (token.inlineValue) throw new UsageError(`${token.rawName} takes no value`);
      values[token.name] = true;
    } else {
      const v = token.value;
      if (v === undefined || v === '' || (!token.inlineValue && v.length > 1 && v.startsWith('-'))) throw new UsageError(`${token.rawName} needs a value`);
      if (spec.multiple) values[token.name] = [...((values[token.name] as string[] | undefined) ?? []), v];
      else values[token.name] = v;
    }
    order.push(token.name);
  }
  return { values: values as OptionValues<O>, positionals, order: order as (keyof O & string)[] };
}

/**
 * True when the arguments ask for help: `--help` or `-h` as an option (also where an option's value
 * was forgotten, `--section --help`), not after `--` and not as an inline value.
 */
export function wantsHelp(args: readonly string[], options: OptionSpecs): boolean {
  const all: OptionSpecs = { ...options, help: { type: 'boolean', short: 'h' } };
  return tokensOf(args, all).some((t) => t.kind === 'option' && (t.name === 'help' || (!t.inlineValue && (t.value === '--help' || t.value === '-h'))));
}

/** Which of `names` was given last (e.g. `--yes-manual` / `--skip-manual`), or undefined. */
export function lastGiven<N extends string>(order: readonly string[], names: readonly N[]): N | undefined {
  for (let i = order.length - 1; i >= 0; i--) if ((names as readonly string[]).includes(order[i]!)) return order[i] as N;
  return undefined;
}
