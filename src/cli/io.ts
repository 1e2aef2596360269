import type { OptionSpecs } from './args';

/** What a CLI command may touch; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export interface CliCommand<A = unknown> {
  readonly name: string;
  /** Its options (src/cli/args.ts parses them the same way for every command). */
  readonly options: OptionSpecs;
  /** Its arguments as it will use them; throws UsageError (one line) on bad usage. */
  parse(args: readonly string[]): A;
  /** One line for `runbook --help`. */
  readonly summary: string;
  /** Full usage text for `runbook <name> --help`. */
  readonly usage: string;
  /** Returns the exit code: 0 all good, 1 findings/failures, 2 bad usage or unreadable input. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export class UsageError extends Error {}
