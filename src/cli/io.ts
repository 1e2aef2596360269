/** What a CLI command may touch; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export interface CliCommand {
  readonly name: string;
  /** One line for `runbook --help`. */
  readonly summary: string;
  /** Full usage text for `runbook <name> --help`. */
  readonly usage: string;
  /** Returns the exit code: 0 all good, 1 findings/failures, 2 bad usage or unreadable input. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export class UsageError extends Error {}
