/**
 * A shell/python check with `on=<group>`: the same script on every host of the group, through the
 * system OpenSSH client (BatchMode, the user's ssh config, agent, ProxyJump and known_hosts — host
 * keys are always checked) or, with `via: ansible`, through Ansible ad-hoc so that its connection
 * plugins and inventory apply. Bounded parallelism, a per-host timeout, cancel ends local and
 * remote processes. One verdict per host (`??` conditions evaluated per host) and an aggregate:
 * pass only when every host passes; "3/40 hosts failed: web-07, web-12, db-2".
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Condition } from '../checks/conditions/types';
import { formatDuration } from '../text';
import type { CheckContext, CheckResult, ConditionVerdict, Verdict } from '../checks/types';
import { whichSync } from '../process/python';
import { runProcessTree } from '../process/tree';
import { describeEnd, processVerdict, type FinishedProcess } from '../process/verdict';
import { hostsOfGroup, loadInventory } from './inventory';
import { ansibleShellCommand, sshRemoteCommand, type Interpreter } from './remote';
import { hostsFromSshConfig } from './sshConfig';
import { resolvePath, settingsOf, type FleetDefaults, type FleetSpec, type TargetSpec } from './targets';
import { plural } from '../runbook/plural';

export interface FleetHost {
  /** Name results are reported under (inventory name, ssh config Host, or the listed destination). */
  readonly name: string;
  /** What ssh connects to (ansible_host, else the name). */
  readonly address: string;
  readonly port?: number;
  readonly user?: string;
}

export interface HostResult {
  readonly host: string;
  readonly verdict: Exclude<Verdict, 'skipped' | 'error'>;
  readonly reason: string;
  readonly next?: string;
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly conditions?: readonly ConditionVerdict[];
}

export interface ResolvedGroup {
  readonly hosts: readonly FleetHost[];
  readonly target: TargetSpec;
  readonly settings: FleetDefaults;
  /** For `via: ansible`: the inventory file and its group. */
  readonly inventory?: { readonly file: string; readonly group: string };
}

export class FleetError extends Error {}

/** A host name or address that could be read as an ssh option, or holds spaces/control characters, is refused. */
function checkHostWord(word: string, what: string): void {
  if (!word || word.startsWith('-') || /[\s\x00-\x1f\x7f]/.test(word) || word.length > 255) {
    throw new FleetError(`${what} ${JSON.stringify(word.slice(0, 80))} is not a usable host name`);
  }
}

/** The hosts of a group, as the front matter's `targets:` says where they come from. */
export async function resolveGroup(spec: FleetSpec, group: string, signal?: AbortSignal): Promise<ResolvedGroup> {
  if (spec.error) throw new FleetError(spec.error);
  const target = spec.targets[group];
  if (!target) throw new FleetError(`no target group "${group}" in the front matter (targets: ${Object.keys(spec.targets).join(', ') || 'none'})`);
  const settings = settingsOf(spec, target);
  let hosts: FleetHost[];
  let inventory: ResolvedGroup['inventory'];
  if (target.hosts) {
    hosts = target.hosts.map((h) => ({ name: h, address: h }));
  } else if (target.sshConfig) {
    const file = resolvePath(target.sshConfig, spec.baseDir);
    hosts = (await hostsFromSshConfig(file, target.pattern)).map((h) => ({ name: h, address: h }));
    // ssh reads the same file when it connects, unless another one is named.
    if (!settings.sshConfigFile && file !== resolvePath('~/.ssh/config', spec.baseDir)) (settings as { sshConfigFile?: string }).sshConfigFile = file;
  } else {
    const file = resolvePath(target.inventory!, spec.baseDir);
    const ansibleInventory = whichSync('ansible-inventory');
    let inv;
    try {
      inv = await loadInventory(file, { ansibleInventory, signal });
    } catch (e) {
      throw new FleetError((e as Error).message);
    }
    const name = target.group ?? group;
    try {
      hosts = hostsOfGroup(inv, name);
    } catch (e) {
      throw new FleetError((e as Error).message);
    }
    inventory = { file, group: name };
  }
  for (const h of hosts) {
    checkHostWord(h.name, 'host');
    checkHostWord(h.address, 'address');
    if (h.user !== undefined) checkHostWord(h.user, 'user');
  }
  if (!hosts.length) throw new FleetError(`target group "${group}" has no hosts`);
  return { hosts, target, settings, ...(inventory ? { inventory } : {}) };
}

export interface FleetRun {
  readonly group: string;
  readonly spec: FleetSpec;
  /** The script without its `??` lines. */
  readonly script: string;
  readonly interpreter: 'bash' | 'python';
  /** Environment variables the remote command gets (the check's inputs, already allow-listed). */
  readonly env: Readonly<Record<string, string>>;
  readonly conditions: readonly Condition[];
  /** Local environment for ssh/ansible themselves (SSH_AUTH_SOCK, HOME, PATH …). */
  readonly localEnv: NodeJS.ProcessEnv;
}

/** Runs a fleet check and returns its aggregate result (per-host verdicts in details and data.hosts). */
export async function runFleetCheck(run: FleetRun, ctx: CheckContext): Promise<CheckResult> {
  let resolved: ResolvedGroup;
  try {
    resolved = await resolveGroup(run.spec, run.group, ctx.signal);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    return { verdict: 'error', reason: (e as Error).message, next: 'fix targets: in the front matter (see docs/fleet.md)' };
  }
  const { hosts, settings } = resolved;
  const perHostMs = Math.min(ctx.timeoutMs, settings.timeout !== undefined ? settings.timeout * 1000 : ctx.timeoutMs);
  const interp: Interpreter = run.interpreter === 'bash' ? { kind: 'bash' } : { kind: 'python', command: settings.python };
  ctx.emit({ stream: 'info', text: `on ${run.group}: ${plural(hosts.length, 'host')} via ${settings.via}, ${Math.min(settings.concurrency, hosts.length)} at a time, ${formatDuration(perHostMs)} per host\n` });
  const started = ctx.now();
  let results: HostResult[];
  if (settings.via === 'ansible') {
    const ansible = whichSync('ansible', run.localEnv.PATH);
    if (!ansible) return { verdict: 'error', reason: 'via: ansible, but ansible is not installed on this machine', next: 'install Ansible, or set via: ssh' };
    if (!resolved.inventory) return { verdict: 'error', reason: `via: ansible needs a target with an inventory (group "${run.group}" lists its hosts another way)`, next: 'give the target inventory: and group:, or set via: ssh' };
    results = await runWithAnsible(ansible, resolved, run, interp, perHostMs, ctx);
  } else {
    const ssh = whichSync('ssh', run.localEnv.PATH);
    if (!ssh) return { verdict: 'error', reason: 'ssh (the OpenSSH client) is not installed on this machine', next: 'install openssh-client' };
    results = await pool(hosts, settings.concurrency, ctx.signal, (h) => runOverSsh(ssh, h, run, interp, settings, perHostMs, ctx));
  }
  if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('cancelled');
  return aggregate(run.group, results, settings.via, ctx.now() - started);
}

/** Runs `task` for every item, at most `limit` at a time, in order of the items. */
async function pool<T, R>(items: readonly T[], limit: number, signal: AbortSignal, task: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal.aborted) {
      const i = next++;
      out[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

function prefixLines(host: string, text: string): string {
  return text.replace(/^(?=.)/gm, `[${host}] `);
}

async function runOverSsh(ssh: string, host: FleetHost, run: FleetRun, interp: Interpreter, settings: FleetDefaults, perHostMs: number, ctx: CheckContext): Promise<HostResult> {
  const timeout = AbortSignal.timeout(perHostMs);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  const args = [
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${Math.max(1, Math.min(30, Math.ceil(perHostMs / 1000)))}`,
    ...(settings.sshConfigFile ? ['-F', settings.sshConfigFile] : []),
    ...(host.port !== undefined ? ['-p', String(host.port)] : []),
    ...(host.user !== undefined ? ['-l', host.user] : []),
    '--', host.address,
    sshRemoteCommand(run.script, run.env, interp),
  ];
  const t0 = ctx.now();
  let outcome;
  try {
    outcome = await runProcessTree({
      command: ssh, args, cwd: tmpdir(), env: run.localEnv, signal, stdin: 'pipe',
      onOutput: (stream, text) => ctx.emit({ stream, text: prefixLines(host.name, text) }),
    });
  } catch (e) {
    return { host: host.name, verdict: 'fail', reason: `ssh did not start: ${(e as Error).message}`, exitCode: null, durationMs: ctx.now() - t0 };
  }
  const durationMs = ctx.now() - t0;
  if (outcome.aborted) {
    if (ctx.signal.aborted) return { host: host.name, verdict: 'fail', reason: 'cancelled', exitCode: null, durationMs };
    return { host: host.name, verdict: 'fail', reason: `timed out after ${formatDuration(perHostMs)} (the remote command was ended)`, next: 'raise the target\'s timeout:, or look at what the host is waiting for', exitCode: null, durationMs };
  }
  if (outcome.exitCode === 255) {
    const why = outcome.stderr.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? 'ssh exit 255';
    return { host: host.name, verdict: 'fail', reason: `unreachable: ${why}`, next: 'check that `ssh <host>` works in BatchMode (keys, agent, known_hosts)', exitCode: 255, durationMs };
  }
  return hostVerdict(host.name, outcome, run.conditions, durationMs);
}

function hostVerdict(host: string, outcome: FinishedProcess, conditions: readonly Condition[], durationMs: number): HostResult {
  const v = processVerdict(outcome, conditions, durationMs);
  return {
    host,
    verdict: v.verdict === 'pass' || v.verdict === 'warn' ? v.verdict : 'fail',
    reason: v.reason,
    ...(v.next ? { next: v.next } : {}),
    exitCode: outcome.exitCode,
    durationMs,
    ...(v.conditions ? { conditions: v.conditions } : {}),
  };
}

/** Ansible's json callback: plays[].tasks[].hosts[name] = {rc, stdout, stderr, msg, unreachable, failed}. */
interface AnsibleHostResult {
  rc?: number;
  stdout?: string;
  stderr?: string;
  msg?: string;
  unreachable?: boolean;
  failed?: boolean;
}

async function runWithAnsible(ansible: string, group: ResolvedGroup, run: FleetRun, interp: Interpreter, perHostMs: number, ctx: CheckContext): Promise<HostResult[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'runbook-ansible-'));
  try {
    // The command goes in through a vars file marked !unsafe: Ansible templates module arguments,
    // and neither the script nor an input value may be read as Jinja.
    const vars = path.join(dir, 'vars.yml');
    await writeFile(vars, `runbook_command: !unsafe ${JSON.stringify(ansibleShellCommand(run.script, run.env, interp, perHostMs / 1000))}\n`, { mode: 0o600 });
    const args = [
      group.inventory!.group, '-i', group.inventory!.file,
      '-f', String(group.settings.concurrency),
      '-T', String(Math.max(1, Math.min(30, Math.ceil(perHostMs / 1000)))),
      '-m', 'ansible.builtin.shell', '-a', '{{ runbook_command }}',
      '-e', `@${vars}`,
    ];
    const t0 = ctx.now();
    ctx.emit({ stream: 'info', text: `ansible ${group.inventory!.group} -i ${group.inventory!.file} -f ${group.settings.concurrency} -m shell\n` });
    const outcome = await runProcessTree({
      command: ansible, args, cwd: dir, signal: ctx.signal,
      env: { ...run.localEnv, ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_LOAD_CALLBACK_PLUGINS: '1', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_DEPRECATION_WARNINGS: '0', ANSIBLE_LOCALHOST_WARNING: '0', ANSIBLE_INVENTORY_UNPARSED_WARNING: '0' },
      maxCapture: 16 * 1024 * 1024,
    });
    const durationMs = ctx.now() - t0;
    if (outcome.aborted) return group.hosts.map((h) => ({ host: h.name, verdict: 'fail' as const, reason: 'cancelled', exitCode: null, durationMs }));
    let doc: { plays?: { tasks?: { hosts?: Record<string, AnsibleHostResult> }[] }[] };
    try {
      doc = JSON.parse(outcome.stdout.slice(outcome.stdout.indexOf('{')));
    } catch {
      const why = outcome.stderr.trim().split('\n').pop() ?? describeEnd(outcome);
      return group.hosts.map((h) => ({ host: h.name, verdict: 'fail' as const, reason: `ansible gave no result: ${why}`, exitCode: null, durationMs }));
    }
    const byHost = doc.plays?.[0]?.tasks?.[0]?.hosts ?? {};
    return group.hosts.map((h): HostResult => {
      const r = byHost[h.name];
      if (!r) return { host: h.name, verdict: 'fail', reason: 'ansible reported nothing for this host', exitCode: null, durationMs };
      if (r.unreachable) return { host: h.name, verdict: 'fail', reason: `unreachable: ${(r.msg ?? '').split('\n')[0]!.slice(0, 300)}`, next: 'check that ansible -m ping reaches the host', exitCode: null, durationMs };
      const stdout = r.stdout ?? '';
      const stderr = r.stderr ?? '';
      if (stdout || stderr) ctx.emit({ stream: 'stdout', text: prefixLines(h.name, `${stdout}${stdout.endsWith('\n') || !stdout ? '' : '\n'}${stderr}${stderr && !stderr.endsWith('\n') ? '\n' : ''}`) });
      if (r.rc === undefined) return { host: h.name, verdict: 'fail', reason: `ansible: ${(r.msg ?? 'no exit code').split('\n')[0]!.slice(0, 300)}`, exitCode: null, durationMs };
      if (r.rc === 124) return { host: h.name, verdict: 'fail', reason: `timed out after ${formatDuration(perHostMs)} on the host (timeout ended the command)`, exitCode: 124, durationMs };
      return hostVerdict(h.name, { exitCode: r.rc, exitSignal: null, stdout: stdout + (stdout && !stdout.endsWith('\n') ? '\n' : ''), stderr }, run.conditions, durationMs);
    });
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

const SHOWN_NAMES = 10;

function names(list: readonly HostResult[]): string {
  const shown = list.slice(0, SHOWN_NAMES).map((r) => r.host).join(', ');
  return list.length > SHOWN_NAMES ? `${shown} and ${list.length - SHOWN_NAMES} more` : shown;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The check's result from its hosts': pass only when every host passes. */
export function aggregate(group: string, results: readonly HostResult[], via: string, durationMs: number): CheckResult {
  const failed = results.filter((r) => r.verdict === 'fail');
  const warned = results.filter((r) => r.verdict === 'warn');
  const n = results.length;
  let verdict: Verdict;
  let reason: string;
  let next: string | undefined;
  if (failed.length) {
    verdict = 'fail';
    reason = `${failed.length}/${n} host${n === 1 ? '' : 's'} failed: ${names(failed)}`;
    const first = failed[0]!;
    next = `${first.host}: ${first.reason}${first.next ? ` → ${first.next}` : ''}`;
  } else if (warned.length) {
    verdict = 'warn';
    reason = `${warned.length}/${n} host${n === 1 ? '' : 's'} warned: ${names(warned)}`;
    next = warned[0]!.next;
  } else {
    verdict = 'pass';
    const same = new Set(results.map((r) => r.reason));
    reason = `all ${n} host${n === 1 ? '' : 's'} of ${group} passed${same.size === 1 ? `: ${results[0]!.reason}` : ''}`;
  }
  const table = ['| host | verdict | reason | time |', '|---|---|---|---|', ...results.map((r) => `| ${cell(r.host)} | ${r.verdict} | ${cell(r.reason)}${r.next ? ` → ${cell(r.next)}` : ''} | ${formatDuration(r.durationMs)} |`)].join('\n');
  return {
    verdict,
    reason,
    ...(next ? { next } : {}),
    details: `**${group}** via ${via}: ${n - failed.length - warned.length} passed, ${warned.length} warned, ${failed.length} failed in ${formatDuration(durationMs)}\n\n${table}`,
    data: {
      group,
      via,
      hostCount: n,
      failedHosts: failed.map((r) => r.host),
      hosts: results.map((r) => ({ host: r.host, verdict: r.verdict, reason: r.reason, ...(r.next ? { next: r.next } : {}), exitCode: r.exitCode, durationMs: r.durationMs })),
    },
  };
}
