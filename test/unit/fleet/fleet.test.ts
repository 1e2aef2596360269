/**
 * Fleet checks against REAL sshd processes on 127.0.0.1 (Debian openssh-server): five "hosts",
 * each its own sshd with its own port and environment — two healthy, one with the wrong engramia
 * version, one down (connection refused), one that hangs (its per-host timeout fires and the
 * remote process is ended) — over the system ssh client and through a real Ansible (`via:
 * ansible`), with the same verdicts. Inputs reach the hosts as environment variables; secrets are
 * masked in every host's output; cancel ends the remote processes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseTargets } from '../../../src/core/fleet/targets';
import { startFleet, fleetUnavailable, type TestFleet } from '../../servers/sshd/fleet';
import { run } from '../process/harness';
import { waitFor } from '../../support/waitFor';
import { fencedChecks, REPO } from '../process/runbook-fences';
import { assertNoSecret } from '../../support/secrets';
import { tempDir } from '../../support/tempDir';

const unavailable = fleetUnavailable();
const hasAnsible = (() => {
  try {
    execFileSync('ansible', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Remote processes of the fleet user whose command line holds `marker`. */
function remoteProcesses(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', marker], { encoding: 'utf8' }).split('\n').filter((l) => l && !l.includes('pgrep'));
  } catch {
    return [];
  }
}

const VERSION_CHECK = [
  'import importlib.metadata as m',
  'v = m.version("engramia")',
  'print(f"engramia {v}")',
  'import os, time',
  'if os.environ.get("FLEET_HANG"): time.sleep(617)',
  '?? stdout includes engramia 0.6.6 -- pip install engramia==0.6.6 on this host',
].join('\n');

describe('fleet checks on real sshd hosts', { skip: unavailable }, () => {
  let fleet: TestFleet;
  let sites: string;
  before(async () => {
    sites = tempDir('fleet-sites');
    execFileSync('chmod', ['755', sites]);
    const site = (name: string, version: string) => {
      const d = join(sites, name);
      mkdirSync(join(d, `engramia-${version}.dist-info`), { recursive: true });
      writeFileSync(join(d, `engramia-${version}.dist-info`, 'METADATA'), `Metadata-Version: 2.1\nName: engramia\nVersion: ${version}\n`);
      execFileSync('chmod', ['-R', 'a+rX', d]);
      return d;
    };
    fleet = await startFleet([
      { name: 'web-01', env: { PYTHONPATH: site('web-01', '0.6.6') } },
      { name: 'web-02', env: { PYTHONPATH: site('web-02', '0.6.6') } },
      { name: 'web-03', env: { PYTHONPATH: site('web-03', '0.6.5') } },
      { name: 'web-04', down: true },
      { name: 'web-05', env: { PYTHONPATH: site('web-05', '0.6.6'), FLEET_HANG: '1' } },
    ]);
  });
  after(async () => {
    await fleet?.close();
    const { rmSync } = await import('node:fs');
    if (sites) rmSync(sites, { recursive: true, force: true });
  });

  const names = ['web-01', 'web-02', 'web-03', 'web-04', 'web-05'];

  async function assertFleetVerdicts(r: Awaited<ReturnType<typeof run>>, via: string): Promise<void> {
    assert.equal(r.run.verdict, 'fail', r.run.reason);
    assert.equal(r.run.reason, '3/5 hosts failed: web-03, web-04, web-05');
    const hosts = r.run.data?.hosts as { host: string; verdict: string; reason: string }[];
    assert.deepEqual(hosts.map((h) => h.host), names);
    const by = new Map(hosts.map((h) => [h.host, h]));
    assert.equal(by.get('web-01')!.verdict, 'pass');
    assert.equal(by.get('web-02')!.verdict, 'pass');
    assert.equal(by.get('web-03')!.verdict, 'fail');
    assert.match(by.get('web-03')!.reason, /engramia 0\.6\.5/);
    assert.match(by.get('web-04')!.reason, /^unreachable: /);
    assert.match(by.get('web-05')!.reason, /timed out after 3 s/);
    assert.equal(r.run.data?.via, via);
    assert.match(r.run.details ?? '', /\| web-03 \| fail \|/);
    // The hung host's script was ended on the host, not left running.
    await waitFor(() => remoteProcesses('time.sleep(617)').length === 0, { timeout: 10_000, what: 'the remote hang to be ended' });
  }

  test('over ssh (sshConfig target): one verdict per host and the aggregate; unreachable and hung hosts fail with their own reason', async () => {
    const spec = parseTargets({ targets: { serving: { sshConfig: fleet.sshConfig, pattern: 'web-*', timeout: 3 } } }, fleet.dir);
    const r = await run('python', VERSION_CHECK, { attributes: { on: 'serving' }, services: { fleet: spec }, id: 'code.engramia-version' });
    await assertFleetVerdicts(r, 'ssh');
    assert.match(r.output, /\[web-01\] engramia 0\.6\.6/);
    assert.match(r.output, /\[web-03\] engramia 0\.6\.5/);
    assert.equal(remoteProcesses('time.sleep(617)').length, 0);
  });

  test('via: ansible on the same hosts gives the same verdicts', { skip: hasAnsible ? false : 'ansible is not installed' }, async () => {
    const inventory = fleet.ansibleInventory('serving');
    const spec = parseTargets({ via: 'ansible', targets: { serving: { inventory, timeout: 3 } } }, fleet.dir);
    const r = await run('python', VERSION_CHECK, { attributes: { on: 'serving' }, services: { fleet: spec }, id: 'code.engramia-version' });
    await assertFleetVerdicts(r, 'ansible');
  });

  test('an explicit hosts list and an inventory group (own INI reader or ansible-inventory) reach the same hosts', async () => {
    // Inventory names that the ssh config resolves (HostName, Port, User), in a YAML inventory.
    const inventory = join(fleet.dir, 'inventory.yml');
    writeFileSync(inventory, `all:\n  children:\n    serving:\n      hosts:\n        web-[01:05]:\n`);
    for (const targets of [
      { ok: { hosts: ['web-01', 'web-02'], sshConfigFile: fleet.sshConfig } },
      { ok: { inventory, group: 'serving', sshConfigFile: fleet.sshConfig } },
    ]) {
      const spec = parseTargets({ targets }, fleet.dir);
      const r = await run('shell', 'echo "on $(hostname) as $(id -un)"\n?? exit == 0', { attributes: { on: 'ok' }, services: { fleet: spec } });
      if ('hosts' in targets.ok) {
        assert.equal(r.run.verdict, 'pass', r.run.reason);
        assert.match(r.run.reason, /^all 2 hosts of ok passed/);
      } else {
        // The inventory group has all five (the range web-[01:05]): only the one that is down fails.
        assert.equal(r.run.reason, '1/5 hosts failed: web-04', JSON.stringify(r.run.data?.hosts));
      }
      assert.match(r.output, new RegExp(`as ${fleet.user}`));
    }
  });

  test('inputs reach the hosts as environment variables (quoted safely), secrets are masked in every host\'s output', async () => {
    const spec = parseTargets({ targets: { two: { hosts: ['web-01', 'web-02'], sshConfigFile: fleet.sshConfig } } }, fleet.dir);
    const token = 'tok_S3cr3t-value-for-fleet-123';
    const tricky = `it's "quoted" $(touch /tmp/fleet-pwned) \`id\` ; rm -rf /\nsecond line`;
    const r = await run('shell', 'printf "%s\\n" "$NOTE"\necho "token=$API_TOKEN"\n?? stdout includes second line', {
      attributes: { on: 'two' }, services: { fleet: spec, inputEnvNames: { apiToken: 'API_TOKEN' } },
      inputs: { note: tricky, apiToken: token }, secrets: [token],
    });
    assert.equal(r.run.verdict, 'pass', r.run.reason + r.output);
    assert.ok(r.output.includes(`[web-01] it's "quoted" $(touch /tmp/fleet-pwned) \`id\` ; rm -rf /`), r.output);
    assertNoSecret(r.output, token, 'the output');
    assertNoSecret(JSON.stringify(r.run), token, 'the result');
    assert.match(r.output, /\[web-02\] token=/);
    assert.ok(!existsSync('/tmp/fleet-pwned'), 'an input value was executed');
  });

  test('cancel ends the remote processes on every host', async () => {
    const spec = parseTargets({ targets: { two: { hosts: ['web-01', 'web-02'], sshConfigFile: fleet.sshConfig } } }, fleet.dir);
    const ac = new AbortController();
    const running = run('shell', 'sleep 618', { attributes: { on: 'two' }, services: { fleet: spec }, signal: ac.signal });
    await waitFor(() => remoteProcesses('sleep 618').length >= 2, { timeout: 15_000, what: 'both remote sleeps to start' });
    ac.abort();
    const r = await running;
    assert.match(r.run.verdict, /error|fail|skipped/);
    await waitFor(() => remoteProcesses('sleep 618').length === 0, { timeout: 10_000, what: () => `the remote sleeps to end (left: ${remoteProcesses('sleep 618').join('; ')})` });
  });

  test('the bundled Engramia runbook\'s version item runs on a declared serving group (PEP 440 per host), and here without one', async () => {
    const check = fencedChecks(join(REPO, 'runbooks', 'engramia-verification-and-rollback.runbook.md')).get('code.engramia-version')!;
    assert.equal(check.attributes.on, 'serving?');
    const spec = parseTargets({ targets: { serving: { hosts: ['web-01', 'web-02', 'web-03'], sshConfigFile: fleet.sshConfig } } }, fleet.dir);
    const r = await run('python', check.body, { attributes: { on: check.attributes.on! }, services: { fleet: spec }, inputs: { pinnedVersion: '0.6.6' }, id: check.id });
    assert.equal(r.run.reason, '1/3 hosts failed: web-03', JSON.stringify(r.run.data?.hosts));
    const hosts = r.run.data?.hosts as { host: string; reason: string }[];
    assert.equal(hosts[2]!.reason, 'engramia 0.6.5 is older than the pinned 0.6.6');
    // No serving target declared: the same item checks this machine (no host table).
    const local = await run('python', check.body, { attributes: { on: check.attributes.on! }, services: { fleet: parseTargets({ targets: { other: { hosts: ['web-01'] } } }, fleet.dir) }, inputs: { pinnedVersion: '0.6.6' }, id: check.id });
    assert.equal(local.run.data?.hosts, undefined);
    assert.match(local.output, /python: .* chosen by/);
  });

  test('a host name that would be an ssh option is refused before anything runs', async () => {
    const spec = parseTargets({ targets: { bad: { hosts: ['-oProxyCommand=touch /tmp/fleet-pwned'] } } }, fleet.dir);
    // The schema already refuses nothing here (it is a plain string); the runner must.
    const r = await run('shell', 'echo hi', { attributes: { on: 'bad' }, services: { fleet: spec } });
    assert.equal(r.run.verdict, 'error');
    assert.match(r.run.reason, /is not a usable host name/);
  });
});
