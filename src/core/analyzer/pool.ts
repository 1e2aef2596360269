/**
 * Parallel analysis: a few worker threads (`scanWorker`), each with its own parser, analyse
 * batches of files. Results come back per file and are put in the order the files were given, so a
 * parallel scan equals the single-threaded one. A worker that trapped is replaced by a fresh one and
 * the rest of its batch (and whatever else it was sent) goes to another worker.
 *
 * The pool takes files while they are still being read (`add`, then `close`): the workers start
 * loading their parser at once and analyse the first batches while the rest is read. Each worker
 * holds up to two batches (the next one waits in its port while it works on the first), so it never
 * sits idle waiting for the main thread; near the end of the queue it holds one, so the workers
 * finish together.
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

const BATCH_BYTES = 128 * 1024;
const BATCH_FILES = 32;
/** Batches a worker holds at once while the queue is long. */
const IN_FLIGHT = 2;

interface Slot {
  worker: Worker;
  /** Batches sent and not answered yet, in the order sent. */
  readonly inFlight: { id: number; indices: number[] }[];
}

/**
 * Worker threads analysing files as they are added; `close()` resolves with the results in the
 * order the files were added. Rejects when a worker cannot run (the caller then analyses here).
 */
export class AnalysisPool {
  private readonly jobs: WorkerJob[] = [];
  private readonly results: (JobResult | undefined)[] = [];
  /** Batches of job indices not sent yet. */
  private readonly queue: number[][] = [];
  /** Jobs added and not yet put in a batch. */
  private pending: number[] = [];
  private pendingBytes = 0;
  private readonly slots: Slot[] = [];
  private readonly load: LoadOptions;
  private closed = false;
  private finished = false;
  private nextId = 0;
  private done = 0;
  private readonly result: Promise<JobResult[]>;
  private settle!: { resolve: (r: JobResult[]) => void; reject: (e: unknown) => void };
  private readonly onAbort = () => this.finish();

  constructor(private readonly options: AnalyzeOptions, private readonly pool: PoolOptions) {
    this.result = new Promise<JobResult[]>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.result.catch(() => undefined); // a failure while files are still being added is reported by close()
    const l = pool.load;
    this.load = { ...(l.wasmDir ? { wasmDir: l.wasmDir } : {}), ...(l.runtimeWasm ? { runtimeWasm: l.runtimeWasm } : {}), ...(l.pythonWasm ? { pythonWasm: l.pythonWasm } : {}) };
    if (pool.signal?.aborted) {
      this.finish();
      return;
    }
    pool.signal?.addEventListener('abort', this.onAbort, { once: true });
    // every worker starts loading its parser now, while the files are still being read
    for (let i = 0; i < Math.max(1, pool.workers); i++) this.slots.push(this.startSlot());
  }

  /** Queues files for analysis. */
  add(jobs: readonly WorkerJob[]): void {
    if (this.closed) throw new Error('analysis pool closed');
    for (const job of jobs) {
      const i = this.jobs.length;
      this.jobs.push(job);
      this.pending.push(i);
      this.pendingBytes += job.text.length;
      if (this.pendingBytes >= BATCH_BYTES || this.pending.length >= BATCH_FILES) this.flush();
    }
    this.pump();
  }

  /** No more files: resolves with every file's result, in the order added. */
  close(): Promise<JobResult[]> {
    this.closed = true;
    this.flush();
    this.pump();
    return this.result;
  }

  private flush(): void {
    if (!this.pending.length) return;
    this.queue.push(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
  }

  private startSlot(): Slot {
    // from source (tests, bench): load the TypeScript worker through tsx's require hook. The bundled
    // worker needs none of this process's loader flags (e.g. `--import tsx`): it starts without them.
    const path = this.pool.workerPath;
    const worker = path.endsWith('.ts')
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(path)});`, { eval: true, workerData: this.load })
      : new Worker(path, { workerData: this.load, execArgv: [] });
    worker.unref();
    const slot: Slot = { worker, inFlight: [] };
    worker.on('message', (m: WorkerReply) => this.onReply(slot, m));
    worker.on('error', (err: Error) => this.fail(slot, err));
    worker.on('exit', (code: number) => this.fail(slot, new Error(`analysis worker exited (${code})`)));
    return slot;
  }

  private pump(): void {
    if (this.finished) return;
    for (let round = 1; round <= IN_FLIGHT; round++) {
      for (const slot of this.slots) {
        if (!this.queue.length) break;
        // a second batch only while there is plenty left, so that the workers finish together
        if (slot.inFlight.length >= round || (round > 1 && this.queue.length < this.slots.length)) continue;
        const indices = this.queue.shift()!;
        const id = this.nextId++;
        slot.inFlight.push({ id, indices });
        slot.worker.postMessage({ id, jobs: indices.map((i) => this.jobs[i]!), options: this.options } satisfies WorkerRequest);
      }
    }
    if (this.closed && !this.queue.length && !this.pending.length && this.slots.every((s) => !s.inFlight.length)) this.finish();
  }

  private onReply(slot: Slot, m: WorkerReply): void {
    if (this.finished || !this.slots.includes(slot)) return;
    const k = slot.inFlight.findIndex((b) => b.id === m.id);
    if (k < 0) return;
    if (m.failed) return this.fail(slot, new Error(`analysis worker failed: ${m.failed}`));
    const [batch] = slot.inFlight.splice(k, 1);
    const indices = batch!.indices;
    m.results.forEach((r, j) => {
      this.results[indices[j]!] = r;
    });
    this.done += m.results.length;
    this.pool.onDone?.(this.done);
    if (m.trapped) {
      // a fresh WebAssembly instance for the rest; what this worker had not finished goes back first, in order
      const rest = [indices.slice(m.results.length), ...slot.inFlight.map((b) => b.indices)].filter((x) => x.length);
      slot.inFlight.length = 0;
      this.queue.unshift(...rest);
      this.replace(slot);
    }
    this.pump();
  }

  private replace(slot: Slot): void {
    this.stop(slot.worker);
    this.slots[this.slots.indexOf(slot)] = this.startSlot();
  }

  private stop(worker: Worker): void {
    worker.removeAllListeners();
    worker.on('error', () => undefined); // whatever it says while it stops
    void worker.terminate();
  }

  private fail(slot: Slot, err: unknown): void {
    if (this.finished || !this.slots.includes(slot)) return;
    this.finish(err);
  }

  private finish(err?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.pool.signal?.removeEventListener('abort', this.onAbort);
    for (const s of this.slots) this.stop(s.worker);
    if (err !== undefined) this.settle.reject(err);
    else this.settle.resolve(this.jobs.map((_j, i) => this.results[i] ?? { error: 'not analysed: the scan was cancelled' }));
  }
}

/** Analyses `jobs` on worker threads; the results are in the order of `jobs`. */
export function analyzeInWorkers(jobs: readonly WorkerJob[], options: AnalyzeOptions, pool: PoolOptions): Promise<JobResult[]> {
  const p = new AnalysisPool(options, pool);
  if (!pool.signal?.aborted) p.add(jobs);
  return p.close();
}
