/**
 * Activation in a REAL VS Code extension host (code-server through test/harness/vscode.sh), the
 * packaged size, and the bundle sizes. Builds the production bundles and the VSIX first (as
 * `npm run package`), then starts VS Code `runs` times with two extensions under development:
 * Runbook Notebooks and an empty extension (bench/activation/empty-extension, the baseline). In each
 * host bench/activation/suite.js first activates a copy of the empty extension (untimed: the first
 * activation in a host pays for the host getting ready), then times ext.activate() of both, from
 * the call (VS Code loads the module and calls activate) until it resolves, alternating which goes
 * first, and then the first use of the runbook features (the bundle loaded on first use).
 * Rebuilds the dev bundles at the end.
 * Goals: activation ≤ 20 ms; VSIX ≤ 1 MB.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type BenchReport, type BenchRow } from './index';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OURS = 'runbook-notebooks.runbook-notebooks';
const EMPTY = 'runbook-bench.empty-extension';
const WARMUP = 'runbook-bench.warmup-extension';
const BUNDLES = ['extension', 'serializer', 'runbooks', 'analysis'];

interface HostResult {
  readonly activation: Record<string, number>;
  readonly alreadyActive: string[];
  readonly firstUse?: number;
}

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).split('\n').slice(-5).join(' ')}`);
}

/** One VS Code: both extensions activated in `order`; the timings measured inside the host. */
function host(order: string[], work: string, i: number): HostResult {
  const out = join(work, `host-${i}.json`);
  const workspace = join(work, `workspace-${i}`);
  mkdirSync(workspace, { recursive: true });
  // a copy of the empty extension under another name, activated first and untimed
  const warmup = join(work, 'warmup-extension');
  if (!existsSync(warmup)) {
    cpSync(join(root, 'bench', 'activation', 'empty-extension'), warmup, { recursive: true });
    const pkg = JSON.parse(readFileSync(join(warmup, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(warmup, 'package.json'), JSON.stringify({ ...pkg, name: 'warmup-extension' }));
  }
  const r = spawnSync(join(root, 'test', 'harness', 'vscode.sh'), [
    `--extensionTestsPath=${join(root, 'bench', 'activation', 'suite.js')}`,
    `--extensionDevelopmentPath=${root}`,
    `--extensionDevelopmentPath=${join(root, 'bench', 'activation', 'empty-extension')}`,
    `--extensionDevelopmentPath=${warmup}`,
    workspace,
  ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUNBOOK_VSCODE_OUT: join(work, `vscode-${i}`), RUNBOOK_BENCH_OUT: out, RUNBOOK_BENCH_ORDER: order.join(','), RUNBOOK_BENCH_WARMUP: WARMUP } });
  if (r.status !== 0 || !existsSync(out)) throw new Error(`VS Code run ${i} failed (exit ${r.status}): ${(r.stderr || r.stdout).split('\n').slice(-8).join(' | ')}`);
  return JSON.parse(readFileSync(out, 'utf8')) as HostResult;
}

export async function run(runs = Number(process.env.RUNBOOK_BENCH_ACTIVATION_RUNS) || 5): Promise<BenchReport> {
  const work = mkdtempSync(join(tmpdir(), 'runbook-bench-activation-'));
  const notes: string[] = [];
  const rows: BenchRow[] = [];
  try {
    sh('npm', ['run', 'package', '--silent']);
    const kb = (file: string) => statSync(join(root, file)).size / 1024;
    const vsix = kb('runbook-notebooks.vsix');
    rows.push({ metric: 'VSIX size', value: vsix, unit: 'KB', goal: '≤ 1024 KB', ok: vsix <= 1024 });
    for (const b of BUNDLES) rows.push({ metric: `dist/${b}.js (minified)`, value: kb(`dist/${b}.js`), unit: 'KB' });

    const ours: number[] = [];
    const empty: number[] = [];
    const ratios: number[] = [];
    const firstUse: number[] = [];
    for (let i = 0; i < runs; i++) {
      const order = i % 2 ? [OURS, EMPTY] : [EMPTY, OURS];
      const r = host(order, work, i);
      if (r.alreadyActive.length) notes.push(`run ${i}: already active before the timing (left out): ${r.alreadyActive.join(', ')}`);
      const a = r.activation[OURS];
      const e = r.activation[EMPTY];
      if (a === undefined || e === undefined) continue;
      ours.push(a);
      empty.push(e);
      ratios.push(a / e);
      if (r.firstUse !== undefined) firstUse.push(r.firstUse);
    }
    if (ours.length) {
      const a = median(ours);
      rows.push({ metric: 'activation in the real extension host', value: a, unit: 'ms', goal: '≤ 20 ms', ok: a <= 20 });
      rows.push({ metric: 'empty extension, same hosts', value: median(empty), unit: 'ms' });
      rows.push({ metric: 'activation / empty extension', value: median(ratios), unit: '×' });
      const best = Math.min(...ours);
      rows.push({ metric: 'activation, best run (least disturbed)', value: best, unit: 'ms', goal: '≤ 20 ms', ok: best <= 20 });
      rows.push({ metric: 'empty extension, best run', value: Math.min(...empty), unit: 'ms' });
      if (firstUse.length) rows.push({ metric: 'first use of the runbook features', value: median(firstUse), unit: 'ms' });
      notes.push(`load average ${loadavg()[0].toFixed(1)} at the end (figures are noisy on a busy machine)`);
      notes.push(`${ours.length} VS Code runs; ours ${ours.map((x) => x.toFixed(1)).join(', ')} ms; empty ${empty.map((x) => x.toFixed(1)).join(', ')} ms`);
    }
  } finally {
    try { sh('node', ['esbuild.mjs', '--tests']); } catch (err) { notes.push(`rebuilding the dev bundles failed: ${(err as Error).message}`); }
    rmSync(work, { recursive: true, force: true });
  }
  return { name: 'activation', rows, notes };
}
