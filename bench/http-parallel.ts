/**
 * Parallel HTTP checks: N independent `http` checks against a local server with 100 ms injected
 * latency, run side by side through runCheck (runIndependent) over the shared keep-alive pool.
 * Baseline measured in the same run: the same checks one after another (the by-hand way).
 * Goal: parallel wall time ≤ 1.3× the slowest single check.
 * Run alone: `node --import tsx bench/http-parallel.ts`.
 */
import { CheckRegistry } from '../src/core/checks/registry';
import { runCheck, silentLogger, type CheckSpec, type EngineEnvironment } from '../src/core/checks/engine';
import { runIndependent } from '../src/core/checks/parallel';
import { createHttpKind } from '../src/core/http';
import { startFaultyServer } from '../test/servers/faulty/server';
import { median, type BenchReport } from './index';

const N = 8;
const LATENCY_MS = 100;
const ROUNDS = 5;

export async function run(): Promise<BenchReport> {
  const server = await startFaultyServer();
  const kind = createHttpKind();
  try {
    const env: EngineEnvironment = {
      registry: new CheckRegistry().register(kind),
      inputs: { baseUrl: server.url },
      secrets: [],
      cwd: process.cwd(),
      trusted: true,
      ui: { confirm: async () => 'yes', typedConfirmation: async () => false },
      log: silentLogger,
      services: {},
    };
    const specs: CheckSpec[] = Array.from({ length: N }, (_, i) => ({
      id: `slow-${i}`,
      kind: 'http',
      attributes: {},
      body: `GET {{baseUrl}}/slow?ms=${LATENCY_MS}&i=${i}\n\n?? status == 200\n?? json status == ok`,
    }));
    // Warm up: one check, so that neither side pays for module loading.
    await runCheck(specs[0]!, env);

    const ratios: number[] = [];
    const walls: number[] = [];
    const slowests: number[] = [];
    const sums: number[] = [];
    let failures = 0;
    for (let r = 0; r < ROUNDS; r++) {
      // Baseline: one after another.
      const single: number[] = [];
      for (const s of specs) {
        const t0 = performance.now();
        const one = await runCheck(s, env);
        single.push(performance.now() - t0);
        if (one.verdict !== 'pass') failures++;
      }
      const slowest = Math.max(...single);
      const sum = single.reduce((a, b) => a + b, 0);
      // Parallel through the shared pool.
      const t0 = performance.now();
      const runs = await runIndependent(specs, env, N);
      const wall = performance.now() - t0;
      failures += runs.filter((x) => x.verdict !== 'pass').length;
      walls.push(wall);
      slowests.push(slowest);
      sums.push(sum);
      ratios.push(wall / slowest);
    }
    const ratio = median(ratios);
    return {
      name: 'http-parallel',
      rows: [
        { metric: `checks (each ${LATENCY_MS} ms server latency)`, value: N, unit: '' },
        { metric: 'sum of single checks (by hand, baseline)', value: median(sums), unit: 'ms' },
        { metric: 'slowest single check', value: median(slowests), unit: 'ms' },
        { metric: `parallel wall time (${N} at once)`, value: median(walls), unit: 'ms' },
        { metric: 'parallel / slowest single', value: ratio, unit: '×', goal: '≤ 1.3×', ok: ratio <= 1.3 },
        { metric: 'speed-up vs by hand', value: median(sums) / median(walls), unit: '×' },
        { metric: 'TCP connections opened (keep-alive pool)', value: server.connections(), unit: '' },
        { metric: 'failed checks', value: failures, unit: '', goal: '0', ok: failures === 0 },
      ],
      notes: [`median of ${ROUNDS} rounds; requests to 127.0.0.1 through one shared undici Agent per origin`],
    };
  } finally {
    await kind.dispose();
    await server.close();
  }
}

if (process.argv[1] && /http-parallel\.ts$/.test(process.argv[1])) {
  void run().then((r) => {
    for (const row of r.rows) console.log(`${row.metric.padEnd(48)} ${row.value.toFixed(row.value < 10 ? 2 : 0).padStart(8)} ${row.unit}${row.goal ? `  goal ${row.goal} ${row.ok ? 'ok' : 'MISSED'}` : ''}`);
    for (const n of r.notes ?? []) console.log(n);
  });
}
