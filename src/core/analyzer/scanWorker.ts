/**
 * Worker thread of the parallel scan (a separate bundle: `dist/scanWorker.js`). Loads the parser
 * once, then analyses batches of files sent by `pool.ts` with exactly the function the
 * single-threaded scan uses (`analyzeFileSafely`), so results are identical. After a WebAssembly
 * trap it says so and the pool replaces it with a fresh worker (a fresh WebAssembly instance).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnalyzeOptions } from './analyze';
import { loadPythonParser, isWasmTrap, type LoadOptions } from './parser';
import { analyzeFileSafely } from './workspace';
import type { WorkerJob, WorkerReply, WorkerRequest } from './pool';

const load = loadPythonParser((workerData ?? {}) as LoadOptions);

parentPort?.on('message', (req: WorkerRequest) => {
  void load.then(
    (py) => {
      const results: WorkerReply['results'] = [];
      let trapped = false;
      for (const job of req.jobs as WorkerJob[]) {
        const before = py.parser;
        const r = analyzeFileSafely(py, job.file, job.absolutePath, job.text, req.options as AnalyzeOptions);
        results.push(r);
        if (py.parser !== before) trapped = true; // renewed after a trap: this instance is not trusted any more
        if (trapped) break;
      }
      parentPort!.postMessage({ id: req.id, results, trapped } satisfies WorkerReply);
    },
    (err: unknown) => {
      parentPort!.postMessage({ id: req.id, results: [], trapped: isWasmTrap(err), failed: err instanceof Error ? err.message : String(err) } satisfies WorkerReply);
    },
  );
});
