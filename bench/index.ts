/**
 * `npm run bench`: runs every bench/*.ts module (each exports `run(): Promise<BenchReport>`) and
 * prints one table. Benchmarks compare against a baseline measured in the same run; they are not
 * tests and never fail the build. `npm run bench -- roundtrip` runs only the named modules.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchRow {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** Human-readable goal, e.g. "≤ 1.3×". */
  readonly goal?: string;
  /** Whether the goal is met (undefined when there is no goal). */
  readonly ok?: boolean;
}

export interface BenchReport {
  readonly name: string;
  readonly rows: readonly BenchRow[];
  readonly notes?: readonly string[];
}

/** The median (upper middle for an even count) of `xs`; `xs` is not changed. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median of `runs` timed calls after `warmup` untimed ones, in milliseconds. */
export function medianMs(fn: () => unknown, runs = 21, warmup = 5): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * Interleaved comparison: each round times `baseline` and `subject` back to back (order alternating),
 * so that load on the machine hits both alike. Returns the medians and the median of per-round ratios.
 */
export function compareMs(baseline: () => unknown, subject: () => unknown, runs = 21, warmup = 5): { baseline: number; subject: number; ratio: number } {
  for (let i = 0; i < warmup; i++) {
    baseline();
    subject();
  }
  const b: number[] = [];
  const s: number[] = [];
  const r: number[] = [];
  const time = (fn: () => unknown) => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
  for (let i = 0; i < runs; i++) {
    let tb: number;
    let ts: number;
    if (i % 2) {
      ts = time(subject);
      tb = time(baseline);
    } else {
      tb = time(baseline);
      ts = time(subject);
    }
    b.push(tb);
    s.push(ts);
    r.push(ts / tb);
  }
  return { baseline: median(b), subject: median(s), ratio: median(r) };
}

function format(reports: readonly BenchReport[]): string {
  const rows: string[][] = [['bench', 'metric', 'value', 'goal', '']];
  for (const r of reports) {
    for (const row of r.rows) {
      const v = row.value >= 100 ? row.value.toFixed(0) : row.value >= 10 ? row.value.toFixed(1) : row.value.toFixed(2);
      rows.push([r.name, row.metric, `${v} ${row.unit}`, row.goal ?? '', row.ok === undefined ? '' : row.ok ? 'PASS' : 'MISS']);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  for (const r of reports) for (const n of r.notes ?? []) out.push(`${r.name}: ${n}`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const dir = dirname(fileURLToPath(import.meta.url));
  const only = process.argv.slice(2);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.d.ts'))
    .filter((f) => only.length === 0 || only.includes(basename(f, '.ts')))
    .sort();
  const reports: BenchReport[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { run?: () => Promise<BenchReport> };
    if (typeof mod.run !== 'function') continue;
    try {
      reports.push(await mod.run());
    } catch (err) {
      reports.push({ name: basename(f, '.ts'), rows: [], notes: [`failed: ${err instanceof Error ? err.message : String(err)}`] });
    }
  }
  console.log(format(reports));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
