/**
 * A fleet of real OpenSSH servers on 127.0.0.1 for fleet-check tests: each "host" is its own
 * `sshd` on its own port, with a generated host key, key-only login for one non-root user (no root
 * login, no passwords), and per-host environment via `SetEnv` (what differs between hosts). The
 * client side is an ssh config (`-F`) and a known_hosts file naming each host's key, so host keys
 * are checked as in production. Every sshd is stopped by `close()`.
 *
 * Needs Debian's openssh-server and openssh-client. As root, the login user is `runbook-fleet`
 * (created on first use with its home under the temp folder); otherwise the current user.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../support/waitFor';
import { tempDir } from '../../support/tempDir';

export const SSHD = '/usr/sbin/sshd';
export const FLEET_USER = 'runbook-fleet';

/** Why fleet tests cannot run here, or undefined when they can. */
export function fleetUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'fleet tests need Linux';
  if (!existsSync(SSHD)) return `${SSHD} is missing (Debian package openssh-server)`;
  try {
    execFileSync('ssh', ['-V'], { stdio: 'ignore' });
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'ssh / ssh-keygen are missing (Debian package openssh-client)';
  }
  return undefined;
}

export interface FleetHostSpec {
  readonly name: string;
  /** Environment of every session on this host (sshd SetEnv). */
  readonly env?: Readonly<Record<string, string>>;
  /** No sshd at all: the port refuses connections. */
  readonly down?: boolean;
}

export interface TestFleet {
  readonly dir: string;
  readonly user: string;
  /** ssh client config naming every host (HostName 127.0.0.1, its Port, the key, known_hosts). */
  readonly sshConfig: string;
  readonly identityFile: string;
  readonly knownHosts: string;
  readonly ports: Readonly<Record<string, number>>;
  /** An Ansible INI inventory with the hosts in `group`. */
  ansibleInventory(group: string): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * As root: the non-root login user (created once), unlocked for key login ('*': no password works), with a home.
 * Test files run in parallel processes, so two may get here at once: useradd/usermod then fail on
 * the other's lock of /etc/passwd or on "already exists". Each step is retried until it holds.
 */
function ensureLoginUser(): string {
  if (process.getuid?.() !== 0) return userInfo().username;
  const home = join(tmpdir(), `${FLEET_USER}-home`);
  const exists = () => {
    try {
      execFileSync('id', [FLEET_USER], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const retry = (what: string, fn: () => void) => {
    for (let attempt = 0; ; attempt++) {
      try {
        fn();
        return;
      } catch (e) {
        if (attempt >= 50) throw new Error(`${what} failed 50 times: ${(e as Error).message}`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 + Math.floor(Math.random() * 100));
      }
    }
  };
  retry(`useradd ${FLEET_USER}`, () => {
    if (!exists()) execFileSync('useradd', ['--no-create-home', '--home-dir', home, '--shell', '/bin/bash', FLEET_USER], { stdio: 'ignore' });
  });
  // sshd without PAM refuses a locked account ('!'), even for keys; '*' matches no password.
  retry(`usermod ${FLEET_USER}`, () => execFileSync('usermod', ['--password', '*', '--home', home, FLEET_USER], { stdio: 'ignore' }));
  mkdirSync(home, { recursive: true });
  execFileSync('chown', [FLEET_USER, home]);
  return FLEET_USER;
}

async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  const { connect } = await import('node:net');
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`sshd on ${port} exited: ${existsSync(log) ? readFileSync(log, 'utf8').slice(-500) : ''}`);
    return new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
  }, { timeout: 10_000, what: `sshd on ${port} to listen` });
}

export async function startFleet(hosts: readonly FleetHostSpec[]): Promise<TestFleet> {
  const dir = tempDir('fleet');
  chmodSync(dir, 0o755);
  const user = ensureLoginUser();
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'host_ed25519');
  const identityFile = join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'fleet-host', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'fleet-user', '-f', identityFile]);
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(identityFile + '.pub'));
  chmodSync(authorized, 0o644);
  const hostPub = readFileSync(hostKey + '.pub', 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');

  const ports: Record<string, number> = {};
  const children: ChildProcess[] = [];
  const known: string[] = [];
  const config: string[] = [];
  for (const h of hosts) {
    const port = await freePort();
    ports[h.name] = port;
    known.push(`[127.0.0.1]:${port} ${hostPub}`);
    config.push(`Host ${h.name}`, '  HostName 127.0.0.1', `  Port ${port}`, `  User ${user}`, `  IdentityFile ${identityFile}`, '  IdentitiesOnly yes', '  IdentityAgent none', `  UserKnownHostsFile ${join(dir, 'known_hosts')}`, '  StrictHostKeyChecking yes', '  LogLevel ERROR', '');
    if (h.down) continue;
    const cfg = join(dir, `sshd_${h.name}.conf`);
    const log = join(dir, `sshd_${h.name}.log`);
    writeFileSync(cfg, [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, `PidFile ${join(dir, `sshd_${h.name}.pid`)}`,
      `AuthorizedKeysFile ${authorized}`, 'PubkeyAuthentication yes', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
      'PermitRootLogin no', `AllowUsers ${user}`, 'StrictModes no', 'UsePAM no', 'PrintMotd no', 'LogLevel ERROR', 'MaxStartups 100:30:200',
      ...(h.env && Object.keys(h.env).length ? [`SetEnv ${Object.entries(h.env).map(([k, v]) => `${k}=${v}`).join(' ')}`] : []),
      '',
    ].join('\n'));
    // Its own process group, so that close() ends sshd with its session processes (e.g. a master
    // connection Ansible keeps open for 60 s).
    const child = spawn(SSHD, ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const logChunks: Buffer[] = [];
    child.stderr!.on('data', (b: Buffer) => { if (logChunks.length < 200) logChunks.push(b); });
    child.on('exit', () => writeFileSync(log, Buffer.concat(logChunks)));
    children.push(child);
    await waitForPort(port, child, log);
  }
  writeFileSync(join(dir, 'known_hosts'), known.join('\n') + '\n');
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(sshConfig, config.join('\n'));
  chmodSync(sshConfig, 0o644);
  return {
    dir, user, sshConfig, identityFile, knownHosts: join(dir, 'known_hosts'), ports,
    ansibleInventory(group: string) {
      const file = join(dir, `inventory-${group}.ini`);
      writeFileSync(file, [
        `[${group}]`,
        ...hosts.map((h) => `${h.name} ansible_host=127.0.0.1 ansible_port=${ports[h.name]}`),
        '',
        `[${group}:vars]`,
        `ansible_user=${user}`,
        `ansible_ssh_private_key_file=${identityFile}`,
        `ansible_ssh_common_args='-o UserKnownHostsFile=${join(dir, 'known_hosts')} -o IdentitiesOnly=yes -o IdentityAgent=none'`,
        'ansible_python_interpreter=/usr/bin/python3',
        `ansible_remote_tmp=${join(tmpdir(), `ansible-${dir.split('/').pop()}`)}`,
        '',
      ].join('\n'));
      return file;
    },
    async close() {
      const exited = children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r))));
      for (const c of children) {
        try {
          process.kill(-c.pid!, 'SIGTERM');
        } catch {
          /* already gone */
        }
        c.stderr?.destroy();
      }
      await Promise.all(exited);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
