/**
 * Where fleet hosts come from, without connecting anywhere: Ansible INI and YAML inventories
 * (groups, children, vars, ranges), `ansible-inventory --list` JSON, ssh config Host names, the
 * `targets:` front matter, and the remote command's quoting (run through a real `sh`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { expandHostPattern, hostsOfGroup, parseAnsibleListJson, parseIniInventory, parseYamlInventory } from '../../../src/core/fleet/inventory';
import { ansibleShellCommand, shQuote, sshRemoteCommand } from '../../../src/core/fleet/remote';
import { globMatch, sshConfigHostNames } from '../../../src/core/fleet/sshConfig';
import { parseTargets } from '../../../src/core/fleet/targets';
import { aggregate } from '../../../src/core/fleet/run';

describe('fleet inventories', () => {
  test('INI: groups, :children, :vars, host vars, ranges; host vars win over group vars', () => {
    const inv = parseIniInventory([
      '# comment',
      'bastion.example',
      '[web]',
      'web-[01:03].example ansible_user=deploy',
      'web-09.example ansible_host=10.0.0.9 ansible_port=2222 ansible_user="ops user"',
      '[db]',
      'db-[a:b]',
      '[serving:children]',
      'web',
      'db',
      '[serving:vars]',
      'ansible_user=svc',
      'ansible_port=22',
    ].join('\n'));
    const hosts = hostsOfGroup(inv, 'serving');
    assert.deepEqual(hosts.map((h) => h.name), ['web-01.example', 'web-02.example', 'web-03.example', 'web-09.example', 'db-a', 'db-b']);
    const by = new Map(hosts.map((h) => [h.name, h]));
    assert.deepEqual(by.get('web-09.example'), { name: 'web-09.example', address: '10.0.0.9', port: 2222, user: 'ops user' });
    assert.equal(by.get('web-01.example')!.user, 'deploy');
    assert.equal(by.get('db-a')!.user, 'svc');
    assert.deepEqual(hostsOfGroup(inv, 'ungrouped').map((h) => h.name), ['bastion.example']);
    assert.throws(() => hostsOfGroup(inv, 'nope'), /inventory has no group "nope" \(groups: web, db, serving\)/);
  });

  test('YAML: all/children/hosts/vars, nested groups, ranges', () => {
    const inv = parseYamlInventory([
      'all:',
      '  vars: { ansible_user: root-ish }',
      '  children:',
      '    serving:',
      '      children:',
      '        web:',
      '          hosts:',
      '            web-[1:3]:',
      '            special: { ansible_host: 127.0.0.1, ansible_port: 2200 }',
      '          vars: { ansible_user: deploy }',
    ].join('\n'));
    const hosts = hostsOfGroup(inv, 'serving');
    assert.deepEqual(hosts.map((h) => h.name), ['web-1', 'web-2', 'web-3', 'special']);
    assert.deepEqual(hosts.find((h) => h.name === 'special'), { name: 'special', address: '127.0.0.1', port: 2200, user: 'deploy' });
  });

  test('ansible-inventory --list JSON', () => {
    const inv = parseAnsibleListJson(JSON.stringify({
      _meta: { hostvars: { 'a.example': { ansible_port: 2201 }, 'b.example': {} } },
      all: { children: ['ungrouped', 'web'] },
      web: { hosts: ['a.example', 'b.example'] },
    }));
    assert.deepEqual(hostsOfGroup(inv, 'web'), [{ name: 'a.example', address: 'a.example', port: 2201 }, { name: 'b.example', address: 'b.example' }]);
  });

  test('host ranges: zero padding, steps, letters; a huge range is refused, not expanded', () => {
    assert.deepEqual(expandHostPattern('web[08:11]'), ['web08', 'web09', 'web10', 'web11']);
    assert.deepEqual(expandHostPattern('h[1:7:3]'), ['h1', 'h4', 'h7']);
    assert.deepEqual(expandHostPattern('db-[x:z].lan'), ['db-x.lan', 'db-y.lan', 'db-z.lan']);
    assert.throws(() => expandHostPattern('web[1:99999999]'), /range too large/);
    assert.throws(() => expandHostPattern('web[3:1]'), /range too large or reversed/);
  });

  test('ssh config: concrete Host names only; glob filter', () => {
    const names = sshConfigHostNames('Host *\n  User x\nHost web-01 web-02\n  HostName 1.2.3.4\nhost=db-1\nHost !bad web-?? "quoted"\nMatch host foo\n');
    assert.deepEqual(names, ['web-01', 'web-02', 'db-1', 'quoted']);
    assert.ok(globMatch('web-*', 'web-01'));
    assert.ok(!globMatch('web-?', 'web-01'));
    assert.ok(globMatch('*-0?', 'web-01'));
    assert.ok(!globMatch('db*', 'web-01'));
  });
});

describe('fleet targets and results', () => {
  test('targets: one source per group, clear one-line errors, top-level defaults', () => {
    const ok = parseTargets({ via: 'ansible', concurrency: 4, targets: { serving: { inventory: 'hosts.ini', group: 'web' }, engine: { hosts: ['e1'], via: 'ssh' } } }, '/rb');
    assert.equal(ok?.error, undefined);
    assert.equal(ok?.defaults.via, 'ansible');
    assert.equal(ok?.defaults.concurrency, 4);
    assert.equal(parseTargets({ title: 'x' }, '/rb'), undefined);
    assert.match(parseTargets({ targets: { a: { hosts: ['x'], inventory: 'y' } } }, '/rb')!.error!, /^front matter: targets\.a: give exactly one of hosts, inventory or sshConfig/);
    assert.match(parseTargets({ targets: { a: { hosts: ['x'], via: 'telnet' } } }, '/rb')!.error!, /targets\.a\.via: expected ssh or ansible/);
    assert.match(parseTargets({ targets: { a: { hosts: 'x' } } }, '/rb')!.error!, /expected a list of host names/);
    assert.match(parseTargets({ concurrency: 0, targets: {} }, '/rb')!.error!, /^front matter: concurrency/);
  });

  test('aggregate: pass only when every host passes; "N/M hosts failed: names" with the first failure as next step', () => {
    const r = aggregate('serving', [
      { host: 'web-01', verdict: 'pass', reason: 'ok', exitCode: 0, durationMs: 5 },
      { host: 'web-07', verdict: 'fail', reason: 'engramia 0.6.5', next: 'upgrade', exitCode: 1, durationMs: 5 },
      { host: 'db-2', verdict: 'warn', reason: 'slow', exitCode: 2, durationMs: 5 },
    ], 'ssh', 20);
    assert.equal(r.verdict, 'fail');
    assert.equal(r.reason, '1/3 hosts failed: web-07');
    assert.equal(r.next, 'web-07: engramia 0.6.5 → upgrade');
    assert.match(r.details!, /\| web-07 \| fail \| engramia 0\.6\.5 → upgrade \|/);
    const warn = aggregate('g', [{ host: 'a', verdict: 'warn', reason: 'w', exitCode: 2, durationMs: 1 }, { host: 'b', verdict: 'pass', reason: 'p', exitCode: 0, durationMs: 1 }], 'ssh', 1);
    assert.equal(warn.verdict, 'warn');
    const pass = aggregate('g', [{ host: 'a', verdict: 'pass', reason: 'same', exitCode: 0, durationMs: 1 }, { host: 'b', verdict: 'pass', reason: 'same', exitCode: 0, durationMs: 1 }], 'ssh', 1);
    assert.equal(pass.reason, 'all 2 hosts of g passed: same');
    const many = aggregate('g', Array.from({ length: 14 }, (_, i) => ({ host: `h${i}`, verdict: 'fail' as const, reason: 'x', exitCode: 1, durationMs: 1 })), 'ssh', 1);
    assert.equal(many.reason, '14/14 hosts failed: h0, h1, h2, h3, h4, h5, h6, h7, h8, h9 and 4 more');
  });

  test('an untrusted workspace starts no fleet check: no ssh is spawned', async () => {
    const { run } = await import('../process/harness');
    const spec = parseTargets({ targets: { g: { hosts: ['web-01'] } } }, '/rb');
    const r = await run('shell', 'echo hi', { attributes: { on: 'g' }, services: { fleet: spec }, trusted: false });
    assert.equal(r.run.verdict, 'skipped', r.run.reason);
    assert.match(r.run.reason, /trust/i);
    assert.equal(r.output.includes('via ssh'), false, 'the fan-out began');
  });

  test('the remote command keeps every value a single word: run through a real sh, nothing is executed', () => {
    const hostile = `a'b"c $(touch /tmp/fleet-quote-pwned) \`id\` ;|&\n\\x41 *`;
    assert.equal(execFileSync('sh', ['-c', `printf %s ${shQuote(hostile)}`], { encoding: 'utf8' }), hostile);
    // The Ansible form (no stdin watcher) runs to its end under a plain sh; the ssh form is run
    // through real sshd in fleet.test.ts.
    const cmd = ansibleShellCommand('printf "%s|%s" "$NOTE" "$OTHER"', { NOTE: hostile, OTHER: 'x y' }, { kind: 'bash' }, 10);
    const out = execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
    assert.equal(out, `${hostile}|x y`);
    assert.throws(() => sshRemoteCommand('true', { 'BAD NAME': 'x' }, { kind: 'bash' }), /environment variable name/);
  });
});
