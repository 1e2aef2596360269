/**
 * Running independent checks side by side: `runIndependent(specs, env, concurrency)` runs each spec
 * through the engine (runCheck) with at most `concurrency` in flight and returns the runs in the
 * order of `specs`. Checks must not depend on each other (no shared state, no ordering); HTTP
 * checks share the keep-alive pools of the http kind, so parallel requests to one origin reuse
 * connections. A check's own failure never rejects: runCheck always returns a CheckRun.
 */
import { runCheck, type CheckSpec, type EngineEnvironment } from './engine';
import type { CheckRun, OutputChunk } from './types';

export interface RunIndependentOptions {
  readonly signal?: AbortSignal;
  /** Output of one check, tagged with its index in `specs`. */
  readonly emit?: (index: number, chunk: OutputChunk) => void;
  /** Called as each check finishes (in completion order). */
  readonly onResult?: (index: number, run: CheckRun) => void;
}

export async function runIndependent(specs: readonly CheckSpec[], env: EngineEnvironment, concurrency = 4, options: RunIndependentOptions = {}): Promise<CheckRun[]> {
  const limit = Math.max(1, Math.floor(concurrency) || 1);
  const results: CheckRun[] = new Array(specs.length);
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = nextIndex++;
      if (i >= specs.length) return;
      const emit = options.emit;
      const run = await runCheck(specs[i]!, env, { signal: options.signal, emit: emit ? (c) => emit(i, c) : undefined });
      results[i] = run;
      options.onResult?.(i, run);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, specs.length) }, worker));
  return results;
}
