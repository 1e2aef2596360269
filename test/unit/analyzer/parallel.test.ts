/**
 * The parallel scan (worker threads) and the content-hash cache give exactly the single-threaded
 * scan's result on a generated corpus (agent modules, plain modules, a notebook, a file nested too
 * deep to parse, a file that is not UTF-8 agent code).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanWorkspace } from '../../../src/core/analyzer/workspace';
import { analyzeInWorkers } from '../../../src/core/analyzer/pool';
import { generateAgentFile } from '../../../bench/analyzer';
import { tempDir } from '../../support/tempDir';

const nestedIfs = (depth: number) => 'from agents import Runner\n' + Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}if x${i}:\n`).join('') + `${' '.repeat(depth)}pass\n`;
const base = tempDir('parallel');
after(() => rmSync(base, { recursive: true, force: true }));

const corpus = join(base, 'corpus');
for (let i = 0; i < 160; i++) {
  const sub = join(corpus, `pkg${i % 7}`);
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(sub, `mod_${i}.py`), i % 9 === 4 ? 'import os\nprint(os.getcwd())\n' : generateAgentFile(60 + (i % 5) * 20, i * 7));
}
writeFileSync(join(corpus, 'deep.py'), nestedIfs(300));
writeFileSync(join(corpus, 'memory.py'), 'from engramia import Memory\nm = Memory()\nm.learn(task="t", code="c", eval_score=1.0, on_duplicate="skip")\n');
writeFileSync(join(corpus, 'nb.ipynb'), JSON.stringify({ cells: [{ cell_type: 'code', source: ['from agents import Agent, Runner\n', 'a = Agent(name="a", instructions="x")\n'] }, { cell_type: 'code', source: 'Runner.run_sync(a, "q")\n' }] }));
writeFileSync(join(corpus, 'broken.ipynb'), '{ "cells": [ agents');

const options = { engramiaVersion: '0.6.6', rules: ['ENG001', 'ENG002', 'ENG003', 'ENG004', 'ENG005', 'ENG006'] as const };

test('worker threads give the single-threaded result, byte for byte', async () => {
  const single = await scanWorkspace(corpus, { ...options, workers: 0 });
  const parallel = await scanWorkspace(corpus, { ...options, workers: 2 });
  assert.equal(single.workers, 0);
  assert.equal(parallel.workers, 2, 'the workers ran');
  assert.ok(single.findings.length > 300, `${single.findings.length} findings`);
  assert.deepEqual(single.errors.map((e) => e.file), ['broken.ipynb', 'deep.py']);
  assert.equal(JSON.stringify(parallel.findings), JSON.stringify(single.findings));
  assert.deepEqual(parallel.errors, single.errors);
  assert.equal(parallel.filesAnalyzed, single.filesAnalyzed);
  assert.equal(parallel.filesFound, single.filesFound);
});

test('content-hash cache: a second scan reuses every unchanged file and gives the same result; a changed file is analysed again', async () => {
  const cacheDir = join(base, 'cache');
  const fresh = await scanWorkspace(corpus, { ...options, workers: 2, cacheDir });
  assert.equal(fresh.cached, 0);
  const warm = await scanWorkspace(corpus, { ...options, workers: 2, cacheDir });
  assert.equal(warm.cached, warm.filesAnalyzed);
  assert.equal(JSON.stringify(warm.findings), JSON.stringify(fresh.findings));
  assert.deepEqual(warm.errors, fresh.errors);
  // change one file: it is analysed again, its new findings show
  writeFileSync(join(corpus, 'memory.py'), 'from engramia import Memory\nm = Memory()\n');
  const changed = await scanWorkspace(corpus, { ...options, workers: 0, cacheDir });
  assert.equal(changed.cached, warm.cached - 1);
  assert.deepEqual(changed.findings.filter((f) => f.file === 'memory.py').map((f) => f.rule), ['ENG005']);
  // other options (another engramia version): nothing is reused
  const other = await scanWorkspace(corpus, { ...options, engramiaVersion: '0.7.0', workers: 0, cacheDir });
  assert.equal(other.cached, 0);
});

test('pool: a worker that traps is replaced; the rest of its batch and the batch it held next go to the others, each file answered once, in order', async () => {
  // a stand-in worker: "traps" on a file whose text says TRAP (and would go on answering, as a real one might before it is stopped)
  const workerPath = join(base, 'fake-worker.js');
  writeFileSync(workerPath, `const { parentPort, threadId } = require('node:worker_threads');
parentPort.on('message', (req) => {
  const results = [];
  let trapped = false;
  for (const job of req.jobs) {
    if (job.text.includes('TRAP')) { results.push({ error: 'not analysed: trap' }); trapped = true; break; }
    results.push({ findings: [{ file: job.file, message: String(threadId) }] });
  }
  parentPort.postMessage({ id: req.id, results, trapped });
});
`);
  const jobs = Array.from({ length: 300 }, (_, i) => ({ file: `f${i}.py`, absolutePath: `/x/f${i}.py`, text: i === 70 || i === 201 ? 'TRAP' : `x = ${i}` }));
  const done: number[] = [];
  const results = await analyzeInWorkers(jobs, {}, { workers: 2, workerPath, load: {}, onDone: (n) => done.push(n) });
  assert.equal(results.length, 300);
  results.forEach((r, i) => {
    if (i === 70 || i === 201) assert.deepEqual(r, { error: 'not analysed: trap' });
    else assert.equal('findings' in r && r.findings[0]!.file, `f${i}.py`, `job ${i}`);
  });
  assert.equal(done[done.length - 1], 300, 'every file counted once');
  const threads = new Set(results.flatMap((r) => ('findings' in r ? [r.findings[0]!.message] : [])));
  assert.ok(threads.size >= 3, `replacement workers ran (${[...threads].join(', ')})`);
});
