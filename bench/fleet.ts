/**
 * Fleet fan-out: one shell check on 40 "hosts" — 40 ssh connections to one real sshd on
 * 127.0.0.1 (ssh config aliases), each command taking 100 ms — at concurrency 40. Goal: wall time
 * ≤ 1.5× the slowest host of the same run (the fan-out adds little to the slowest connection).
 * Baseline in the same run: the same check on one host. Needs Debian openssh-server; skipped
 * (with a note) where sshd is missing. Run alone: `npm run bench -- fleet`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCheck, silentLogger, type EngineEnvironment } from '../src/core/checks/engine';
import { CheckRegistry } from '../src/core/checks/registry';
import { parseTargets } from '../src/core/fleet/targets';
import { shellKind } from '../src/core/process';
import { fleetUnavailable, startFleet } from '../test/servers/sshd/fleet';
import { median, type BenchReport } from './index';

const HOSTS = 40;
const COMMAND_MS = 100;
const ROUNDS = 3;

export async function run(): Promise<BenchReport> {
  const missing = fleetUnavailable();
  if (missing) return { name: 'fleet', rows: [], notes: [`skipped: ${missing}`] };
  const fleet = await startFleet([{ name: 'bench-host' }]);
  try {
    const port = fleet.ports['bench-host'];
    const config = join(fleet.dir, 'ssh_config_many');
    writeFileSync(config, [
      'Host b-*',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  User ${fleet.user}`,
      `  IdentityFile ${fleet.identityFile}`,
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      `  UserKnownHostsFile ${fleet.knownHosts}`,
      '  StrictHostKeyChecking yes',
      '  LogLevel ERROR',
      '',
    ].join('\n'));
    const hosts = Array.from({ length: HOSTS }, (_, i) => `b-${String(i + 1).padStart(2, '0')}`);
    const env: EngineEnvironment = {
      registry: new CheckRegistry().register(shellKind),
      inputs: {}, secrets: [], cwd: process.cwd(), trusted: true,
      ui: { confirm: async () => 'yes', typedConfirmation: async () => false },
      log: silentLogger,
      services: {
        fleet: parseTargets({ concurrency: HOSTS, targets: { all: { hosts, sshConfigFile: config }, one: { hosts: [hosts[0]!], sshConfigFile: config } } }, fleet.dir),
      },
    };
    const body = `sleep ${COMMAND_MS / 1000}\necho ok`;
    const once = (group: string) => runCheck({ id: `fleet.${group}`, kind: 'shell', attributes: { on: group, timeout: '60s' }, body }, env);
    await once('one'); // warm-up: module loading, first connection
    const wall: number[] = [];
    const slowest: number[] = [];
    const ratios: number[] = [];
    const single: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t1 = performance.now();
      const one = await once('one');
      single.push(performance.now() - t1);
      if (one.verdict !== 'pass') throw new Error(`one host: ${one.reason}`);
      const t0 = performance.now();
      const r = await once('all');
      const w = performance.now() - t0;
      if (r.verdict !== 'pass') throw new Error(`${HOSTS} hosts: ${r.reason}`);
      const s = Math.max(...(r.data!['hosts'] as { durationMs: number }[]).map((h) => h.durationMs));
      wall.push(w);
      slowest.push(s);
      ratios.push(w / s);
    }
    const ratio = median(ratios);
    return {
      name: 'fleet',
      rows: [
        { metric: `${HOSTS} hosts at concurrency ${HOSTS}: wall / slowest host`, value: Number(ratio.toFixed(2)), unit: '×', goal: '≤ 1.5×', ok: ratio <= 1.5 },
        { metric: `${HOSTS} hosts: wall time`, value: Math.round(median(wall)), unit: 'ms' },
        { metric: `${HOSTS} hosts: slowest host (connect + ${COMMAND_MS} ms command)`, value: Math.round(median(slowest)), unit: 'ms' },
        { metric: 'one host: wall time', value: Math.round(median(single)), unit: 'ms' },
      ],
      notes: [`one sshd on 127.0.0.1, ${HOSTS} ssh connections (BatchMode, host keys checked), medians of ${ROUNDS} rounds`],
    };
  } finally {
    await fleet.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  void run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
