/**
 * The check engine: runs one check with its kind, whatever drives it (notebook controller, CLI).
 * It validates attributes, refuses process kinds in untrusted workspaces, applies the timeout,
 * ties cancellation to an AbortSignal, masks every secret in what comes out, and turns any
 * exception into a failed run with a one-line cause. It never throws for a check's own failure.
 */
import { formatDuration, oneLine } from '../text';
import { environmentSecrets, Masker, type StreamMasker } from '../secrets/mask';
import { CheckRegistry } from './registry';
import type { CheckContext, CheckResult, CheckRun, CheckServices, Logger, OperatorUi, OutputChunk } from './types';

export interface CheckSpec {
  readonly id: string;
  /** The info-string word ("http", "sh", …). */
  readonly kind: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly body: string;
  readonly label?: string;
  /** An attribute error found while parsing: the check is reported failed without running. */
  readonly error?: string;
}

export interface EngineEnvironment {
  readonly registry: CheckRegistry;
  readonly inputs: Readonly<Record<string, string>>;
  /** Secret values (API keys …) to mask everywhere. */
  readonly secrets: readonly string[];
  readonly cwd: string;
  readonly trusted: boolean;
  readonly ui: OperatorUi;
  readonly log: Logger;
  readonly services: CheckServices;
  readonly now?: () => number;
  /**
   * The environment whose secrets (`*_TOKEN`, `*_KEY`, `ENGRAMIA_API_KEY` …, see
   * environmentSecrets) are masked too, although no input declares them. Default: process.env.
   */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly emit?: (chunk: OutputChunk) => void;
}

export class CheckTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${formatDuration(ms)}`);
  }
}


export const silentLogger: Logger = { trace() {}, info() {}, warn() {}, error() {} };

export async function runCheck(spec: CheckSpec, env: EngineEnvironment, options: RunOptions = {}): Promise<CheckRun> {
  const now = env.now ?? Date.now;
  const started = now();
  const masker = new Masker([...env.secrets, ...environmentSecrets(env.environment ?? process.env)]);
  const finish = (result: CheckResult): CheckRun => {
    const masked = masker.maskDeep(result);
    return {
      ...masked,
      reason: oneLine(masked.reason),
      next: masked.next === undefined ? undefined : oneLine(masked.next),
      checkId: spec.id,
      kind: spec.kind,
      startedAt: new Date(started).toISOString(),
      durationMs: Math.max(0, now() - started),
    };
  };

  const kind = env.registry.resolve(spec.kind);
  if (!kind) {
    return finish({ verdict: 'error', reason: `unknown check kind "${spec.kind}"`, next: `use one of: ${env.registry.words().join(', ')}` });
  }
  if (spec.error) return finish({ verdict: 'error', reason: spec.error, next: 'fix the attribute in the fence line of this check' });
  const validated = env.registry.validate(kind, spec.attributes);
  if (!validated.ok) return finish({ verdict: 'error', reason: validated.error, next: 'fix the attribute in the fence line of this check' });
  if (kind.runsProcesses && !env.trusted) {
    return finish({
      verdict: 'skipped',
      reason: 'this workspace is not trusted, so no process is started',
      next: 'run "Workspaces: Manage Workspace Trust" and trust this folder to run shell and Python checks',
    });
  }
  const bodyError = kind.validate?.(spec.body, validated.value.specific);
  if (bodyError) return finish({ verdict: 'error', reason: bodyError, next: 'fix the check body' });

  const timeoutMs = validated.value.common.timeout ?? kind.defaultTimeoutMs;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new CheckTimeoutError(timeoutMs)), timeoutMs);
  const onOuterAbort = () => controller.abort(options.signal?.reason ?? new Error('cancelled'));
  if (options.signal?.aborted) onOuterAbort();
  else options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  // Streamed output is masked per stream, holding back a tail that could be the start of a
  // secret split across chunks; the rest is flushed when the kind returns (or throws).
  const streams = new Map<OutputChunk['stream'], StreamMasker>();
  let streamsClosed = false;
  const emit = (chunk: OutputChunk) => {
    if (!options.emit) return;
    if (streamsClosed) {
      options.emit({ ...chunk, text: masker.mask(chunk.text) } as OutputChunk);
      return;
    }
    let sm = streams.get(chunk.stream);
    if (!sm) streams.set(chunk.stream, (sm = masker.stream()));
    const text = sm.push(chunk.text);
    if (text) options.emit({ ...chunk, text } as OutputChunk);
  };
  const flushStreams = () => {
    if (streamsClosed) return;
    streamsClosed = true;
    for (const [stream, sm] of streams) {
      const text = sm.end();
      if (text) options.emit?.({ stream, text } as OutputChunk);
    }
  };
  const ctx: CheckContext = {
    inputs: env.inputs,
    secrets: env.secrets,
    mask: (t) => masker.mask(t),
    signal: controller.signal,
    timeoutMs,
    cwd: env.cwd,
    trusted: env.trusted,
    ui: env.ui,
    log: env.log,
    emit,
    now,
    services: env.services,
  };
  let late: NodeJS.Timeout | undefined;
  // A kind gets ABORT_GRACE_MS after the timeout or a cancel to end on its own (kill its process
  // tree, say which phase hung); after that the engine ends the run anyway: timeout= always fires.
  const giveUp = new Promise<never>((_, reject) => {
    const arm = () => {
      late = setTimeout(() => reject(controller.signal.reason ?? new Error('cancelled')), ABORT_GRACE_MS);
    };
    if (controller.signal.aborted) arm();
    else controller.signal.addEventListener('abort', arm, { once: true });
  });
  giveUp.catch(() => undefined);
  try {
    const result = await Promise.race([kind.run({ id: spec.id, kind: kind.name, attributes: validated.value.specific, body: spec.body, label: spec.label }, ctx), giveUp]);
    flushStreams();
    return finish(result);
  } catch (err) {
    flushStreams();
    if (options.signal?.aborted) return finish({ verdict: 'skipped', reason: 'cancelled', next: 'run the check again when ready' });
    if (controller.signal.aborted && controller.signal.reason instanceof CheckTimeoutError) {
      return finish({ verdict: 'error', reason: controller.signal.reason.message, next: 'raise the timeout (attribute timeout=…) or check the target' });
    }
    return finish({ verdict: 'error', reason: describeError(err), next: 'check the target and this check\'s body' });
  } finally {
    clearTimeout(timer);
    if (late) clearTimeout(late);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** How long a kind may take to wind down after its timeout or a cancel before the engine ends the run. */
export const ABORT_GRACE_MS = 5_000;

/** A one-line cause for an unexpected exception (a stack overflow is named as such, never as a timeout). */
export function describeError(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return 'the data is nested too deeply to process (stack overflow)';
  return err instanceof Error ? err.message : String(err);
}
