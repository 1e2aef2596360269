/**
 * Parallel analysis: a few worker threads (`scanWorker`), each with its own parser, analyse
 * batches of files. Results come back per file and are put in the order the files were given, so a
 * parallel scan equals the single-threaded one. A worker that trapped is replaced by a fresh one and
 * the rest of its batch goes to another worker.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalyzeOptions } from './analyze';
import type { LoadOptions } from './parser';
import type { WorkspaceFinding } from './workspace';

export interface WorkerJob {
  readonly file: string;
  readonly absolutePath: string;
  readonly text: string;
}

export interface WorkerRequest {
  readonly id: number;
  readonly jobs: readonly WorkerJob[];
  readonly options: AnalyzeOptions;
}

export type JobResult = { findings: WorkspaceFinding[] } | { error: string };

export interface WorkerReply {
  readonly id: number;
  readonly results: JobResult[];
  readonly trapped: boolean;
  readonly failed?: string;
}

/** The default number of workers: the machine's cores, at most 4. */
export function defaultWorkerCount(): number {
  const n = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
  return Math.max(1, Math.min(4, n));
}

/** The worker script beside this module: `scanWorker.js` in a bundle's folder, `scanWorker.ts` from source. */
export function locateWorker(explicit?: string): string | undefined {
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  const here = typeof __dirname === 'string' ? __dirname : undefined;
  if (!here) return undefined;
  for (const name of ['scanWorker.js', 'scanWorker.ts']) {
    const p = join(here, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export interface PoolOptions {
  readonly workers: number;
  readonly workerPath: string;
  readonly load: LoadOptions;
  readonly signal?: AbortSignal;
  /** Called as files complete (count of completed files). */
  readonly onDone?: (done: number) => void;
}

const BATCH_BYTES = 256 * 1024;
const BATCH_FILES = 64;

/** Analyses `jobs` on worker threads; the results are in the order of `jobs`. */
export async function analyzeInWorkers(jobs: readonly WorkerJob[], options: AnalyzeOptions, pool: PoolOptions): Promise<JobResult[]> {
  const results: (JobResult | undefined)[] = new Array(jobs.length);
  // batches of consecutive jobs, small enough to spread the work evenly
  const queue: number[][] = [];
  let batch: number[] = [];
  let bytes = 0;
  for (let i = 0; i < jobs.length; i++) {
    batch.push(i);
    bytes += jobs[i]!.text.length;
    if (bytes >= BATCH_BYTES || batch.length >= BATCH_FILES) {
      queue.push(batch);
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length) queue.push(batch);
  const load = { ...(pool.load.wasmDir ? { wasmDir: pool.load.wasmDir } : {}), ...(pool.load.runtimeWasm ? { runtimeWasm: pool.load.runtimeWasm } : {}), ...(pool.load.pythonWasm ? { pythonWasm: pool.load.pythonWasm } : {}) };
  let done = 0;
  let nextId = 0;
  const live = new Set<Worker>();
  const abort = () => {
    for (const w of live) void w.terminate();
  };
  pool.signal?.addEventListener('abort', abort, { once: true });
  const runWorker = async (): Promise<void> => {
    let worker: Worker | undefined;
    const start = () => {
      // from source (tests, bench): load the TypeScript worker through tsx's require hook
      const w = pool.workerPath.endsWith('.ts')
        ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(pool.workerPath)});`, { eval: true, workerData: load })
        : new Worker(pool.workerPath, { workerData: load });
      w.unref();
      live.add(w);
      return w;
    };
    try {
      while (queue.length) {
        if (pool.signal?.aborted) return;
        const indices = queue.shift()!;
        worker ??= start();
        const w = worker;
        const id = nextId++;
        const reply = await new Promise<WorkerReply>((resolve, reject) => {
          const onMessage = (m: WorkerReply) => {
            if (m.id !== id) return;
            cleanup();
            resolve(m);
          };
          const onError = (err: Error) => {
            cleanup();
            reject(err);
          };
          const onExit = (code: number) => {
            cleanup();
            reject(new Error(`analysis worker exited (${code})`));
          };
          const cleanup = () => {
            w.off('message', onMessage);
            w.off('error', onError);
            w.off('exit', onExit);
          };
          w.on('message', onMessage);
          w.on('error', onError);
          w.on('exit', onExit);
          w.postMessage({ id, jobs: indices.map((i) => jobs[i]!), options } satisfies WorkerRequest);
        });
        if (reply.failed) throw new Error(`analysis worker failed: ${reply.failed}`);
        reply.results.forEach((r, k) => {
          results[indices[k]!] = r;
        });
        done += reply.results.length;
        pool.onDone?.(done);
        if (reply.trapped) {
          // a fresh WebAssembly instance for the rest; the unfinished part of the batch goes back first
          live.delete(w);
          void w.terminate();
          worker = undefined;
          const rest = indices.slice(reply.results.length);
          if (rest.length) queue.unshift(rest);
        }
      }
    } finally {
      if (worker) {
        live.delete(worker);
        void worker.terminate();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(pool.workers, queue.length)) }, runWorker));
  } finally {
    pool.signal?.removeEventListener('abort', abort);
    abort();
  }
  return results.map((r) => r ?? { error: 'not analysed: the scan was cancelled' });
}
