/**
 * Check kinds and their results. A check kind knows how to validate a fenced block's attributes
 * and body, and how to run it. Kinds are registered in a CheckRegistry (registry.ts); the engine
 * (engine.ts) resolves inputs, applies timeouts and cancellation, masks secrets and records time.
 * Nothing here imports `vscode`: the notebook controller and the CLI both drive the same engine.
 */
import type * as z from 'zod';

export type Verdict = 'pass' | 'fail' | 'warn' | 'error' | 'skipped';

/** One pass condition's outcome, e.g. `status == 200` → pass, actual 200. */
export interface ConditionVerdict {
  readonly text: string;
  readonly verdict: 'pass' | 'fail' | 'warn';
  /** The value that was compared, rendered short (secrets masked). */
  readonly actual?: string;
  readonly message?: string;
}

/** A chunk of output shown in the cell while a check runs (already masked by the engine). */
export type OutputChunk =
  | { readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | { readonly stream: 'info'; readonly text: string };

export interface CheckResult {
  readonly verdict: Verdict;
  /** One line: why it passed or failed ("pattern_count 1204 ≥ 1200", "401 Invalid API key."). */
  readonly reason: string;
  /** One line: what to do next when it did not pass. */
  readonly next?: string;
  readonly conditions?: readonly ConditionVerdict[];
  /** Markdown with the details (request, status, time, relevant body part), secrets masked. */
  readonly details?: string;
  /** Structured extras for evidence (target host, server version, counts …). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Clickable locations (e.g. analyzer findings): file path, 1-based line and column, message. */
  readonly locations?: readonly { file: string; line: number; column: number; message: string }[];
}

/** A finished check, as the engine reports it. */
export interface CheckRun extends CheckResult {
  readonly checkId: string;
  readonly kind: string;
  readonly startedAt: string;
  readonly durationMs: number;
}

/** Asks the operator something. The VS Code layer uses quick picks / input boxes; the CLI answers from flags. */
export interface OperatorUi {
  /** A yes/no/skip confirmation of a manual step. `undefined` = dismissed. */
  confirm(question: string, detail?: string): Promise<'yes' | 'no' | 'skip' | undefined>;
  /** Ask the operator to type `expected` exactly to go ahead with a destructive call. */
  typedConfirmation(preview: string, expected: string): Promise<boolean>;
  /** Offer an edit (e.g. a compose file change) for the operator to review and confirm. */
  confirmEdit?(file: string, before: string, after: string): Promise<boolean>;
}

export interface Logger {
  trace(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface CheckContext {
  /** Input values by name (secrets included; never print them: use `mask`). */
  readonly inputs: Readonly<Record<string, string>>;
  /** Secret values to mask anywhere they appear. */
  readonly secrets: readonly string[];
  /** Replaces every secret occurrence with "•••" (first chars kept for keys: see mask.ts). */
  mask(text: string): string;
  readonly signal: AbortSignal;
  /** Milliseconds the check may take (attribute `timeout`, else the kind's default). */
  readonly timeoutMs: number;
  /** Folder processes run in, and relative paths resolve against. */
  readonly cwd: string;
  /** False in an untrusted workspace: kinds with `runsProcesses` are refused before they start. */
  readonly trusted: boolean;
  readonly ui: OperatorUi;
  readonly log: Logger;
  /** Stream output into the cell (masked before it is shown). */
  emit(chunk: OutputChunk): void;
  now(): number;
  /** Services a kind may need, supplied by the composition root (e.g. python interpreter lookup). */
  readonly services: CheckServices;
}

/** Pluggable services; each is optional so that a kind can say clearly what is missing. */
export interface CheckServices {
  /** The python interpreter to use and how it was chosen ("Python extension", "python3 on PATH"). */
  pythonInterpreter?(): Promise<{ path: string; source: string } | undefined>;
  /** Runs the workspace analyzer (issue 5) and returns its findings. */
  analyzeWorkspace?(rules: readonly string[], signal: AbortSignal): Promise<readonly { file: string; line: number; column: number; rule: string; message: string }[]>;
  /** Anything else a kind needs, by name. */
  readonly [name: string]: unknown;
}

/** The parsed check a kind runs: its validated attributes and its body. */
export interface CheckInvocation<A> {
  readonly id: string;
  readonly kind: string;
  readonly attributes: A;
  /** The fenced block's body with `{{input}}` placeholders still in place. */
  readonly body: string;
  /** The task item's label, for messages. */
  readonly label?: string;
}

export interface CheckKind<A = Record<string, unknown>> {
  /** The info-string word that selects this kind ("http"). */
  readonly name: string;
  /** Further info-string words for the same kind ("sh", "bash" for shell). */
  readonly aliases?: readonly string[];
  /** One line for docs and hovers. */
  readonly description: string;
  /** Kind-specific attributes; common ones (id, timeout, skip …) are validated by the registry. */
  readonly attributes: z.ZodType<A>;
  /** True when running starts a process: refused in untrusted workspaces. */
  readonly runsProcesses?: boolean;
  /** True when the check changes something (never retried; needs a typed confirmation). */
  readonly destructive?: boolean;
  /**
   * True when this invocation changes something irreversibly (left out of run-all, never retried,
   * sent only after a typed confirmation): e.g. an http DELETE, the delete-project probe. Default:
   * `destructive`. A `destructive=true` attribute makes any check destructive.
   */
  isDestructive?(body: string, attributes: Readonly<Record<string, string>>): boolean;
  /** True when this invocation only reads and may run beside others in a parallel group. Default: never. */
  isParallelSafe?(body: string, attributes: Readonly<Record<string, string>>): boolean;
  /** Default timeout in ms when the check sets none. */
  readonly defaultTimeoutMs: number;
  /**
   * The input names a run of this check needs (missing ones make it fail). Default: the body's
   * `{{name}}` placeholders, or none for kinds that run processes (inputs reach them as
   * environment variables when they are set, and are never required by them).
   */
  inputsUsed?(body: string, attributes: Readonly<Record<string, string>>): readonly string[];
  /** Validates the body without running it; returns a one-line error or undefined. */
  validate?(body: string, attributes: A): string | undefined;
  run(invocation: CheckInvocation<A>, ctx: CheckContext): Promise<CheckResult>;
}
