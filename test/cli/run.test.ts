/**
 * `runbook run` / `runbook list` end to end: the real CLI process against the Engramia contract
 * server on 127.0.0.1 (random port). The API key travels only in ENGRAMIA_API_KEY and must never
 * show up in stdout, stderr, JSON, JUnit or the evidence log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EngramiaServer } from '../servers/engramia/server';
import { closeContractServers, startContractServer } from '../support/contractServer';
import { copyRunbook, ROOT, runCli, type CliResult } from '../support/cli';
import { assertNoSecret } from '../support/secrets';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'cli', 'mini.runbook.md');

let server: EngramiaServer;
let key: string;

before(async () => {
  server = await startContractServer({ version: '0.6.6' });
  key = server.keys.reader;
});
after(closeContractServers);

/** Asserts the key (in any form the masker covers) appears nowhere in the given texts. */
function assertNoKey(...texts: string[]): void {
  for (const t of texts) assertNoSecret(t, key, 'CLI output');
  // The distinctive middle of the key must not appear either (partial leaks).
  for (const t of texts) assertNoSecret(t, key.slice(12, 30), 'CLI output (part of the API key)');
}

const evidenceOf = (runbook: string) => runbook.replace(/\.md$/, '.evidence.jsonl');

function run(runbook: string, args: string[], env: Record<string, string | undefined> = { ENGRAMIA_API_KEY: key }): Promise<CliResult> {
  return runCli(['run', runbook, '--input', `baseUrl=${server.url}`, ...args], { env });
}

describe('runbook run', () => {
  test('--section runs one section: exit 0, JSON document, evidence beside the runbook, no key anywhere', async () => {
    const rb = copyRunbook(FIXTURE);
    const r = await run(rb, ['--section', 'health', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.runbook.title, 'CLI fixture runbook');
    assert.equal(doc.runbook.section, 'Health');
    assert.deepEqual(doc.results.map((x: { id: string; verdict: string }) => `${x.id}:${x.verdict}`), ['health.ok:pass', 'health.metrics:pass']);
    assert.deepEqual(doc.results[0].section, ['CLI fixture runbook', 'Health']);
    assert.equal(doc.summary.passed, 2);
    assert.equal(doc.summary.ok, true);
    assert.equal(doc.exitCode, 0);
    assert.ok(server.hitCount('GET', '/v1/health') > 0);
    const ev = readFileSync(evidenceOf(rb), 'utf8');
    const records = ev.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(records.map((x) => x.checkId), ['health.ok', 'health.metrics']);
    assert.equal(records[0].inputs.apiKey, '(secret)');
    assert.equal(records[0].inputs.baseUrl, server.url);
    assert.equal(records[0].targetHost, new URL(server.url).host);
    assert.equal(records[0].tickedBy, 'check');
    assertNoKey(r.stdout, r.stderr, ev);
  });

  test('a failing check: exit 1, stops after it, manual steps skipped; JUnit per section; key masked in a server answer', async () => {
    const rb = copyRunbook(FIXTURE);
    const junit = join(dirname(rb), 'out', 'junit.xml');
    const r = await run(rb, ['--junit', junit]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.split('\n');
    assert.ok(lines.includes(`✔ health.ok — ${lines.find((l) => l.startsWith('✔ health.ok — '))!.slice('✔ health.ok — '.length)}`));
    assert.match(r.stdout, /^– manual\.announce — manual step: not confirmed in a headless run/m);
    assert.match(r.stdout, /^✘ broken\.echo — status is "ok", expected == "••••••" → compare with •••••• again$/m);
    assert.match(r.stdout, /^– broken\.after — not run: stopped after broken\.echo failed$/m);
    assert.match(r.stdout, /✘ 2 passed, 0 warned, 1 failed, 2 skipped \(5 checks/);
    assert.match(r.stdout, /Stopped after broken\.echo failed; --continue runs the rest\./);
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuites name="CLI fixture runbook" tests="5" failures="1" errors="0" skipped="2"/);
    assert.match(xml, /<testsuite name="CLI fixture runbook › Health" tests="2" failures="0"/);
    assert.match(xml, /<testcase classname="CLI fixture runbook › Broken" name="broken.echo — [^"]*" time="[\d.]+">\s*<failure message="status is &quot;ok&quot;, expected == &quot;••••••&quot;" type="fail">/);
    assert.match(xml, /<skipped message="not run: stopped after broken.echo failed"\/>/);
    const ev = readFileSync(evidenceOf(rb), 'utf8');
    // Not-run checks leave no evidence (they would hide earlier hand ticks in the report).
    assert.deepEqual(ev.trim().split('\n').map((l) => JSON.parse(l).checkId), ['health.ok', 'health.metrics', 'broken.echo']);
    assertNoKey(r.stdout, r.stderr, xml, ev);
  });

  test('--continue runs past the failure; --yes-manual counts manual steps as done; --no-evidence writes nothing', async () => {
    const rb = copyRunbook(FIXTURE);
    const r = await run(rb, ['--continue', '--yes-manual', '--no-evidence', '--json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.results.map((x: { id: string; verdict: string }) => `${x.id}:${x.verdict}`), [
      'health.ok:pass', 'health.metrics:pass', 'manual.announce:pass', 'broken.echo:fail', 'broken.after:pass',
    ]);
    assert.equal(doc.evidence, null);
    assert.equal(existsSync(evidenceOf(rb)), false);
    assertNoKey(r.stdout, r.stderr);
  });

  test('a wrong key fails with the server\'s 401 reason (exit 1); --evidence FILE writes there', async () => {
    const rb = copyRunbook(FIXTURE);
    const evFile = join(dirname(rb), 'custom', 'ev.jsonl');
    const wrong = 'engramia_sk_wrongwrongwrongwrongwrongwrongwrongwrong123';
    const r = await run(rb, ['--section', 'Health', '--evidence', evFile], { ENGRAMIA_API_KEY: wrong });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^✘ health\.ok — .*401.*Invalid API key/m);
    assertNoSecret(r.stdout, wrong, 'stdout');
    assert.ok(existsSync(evFile));
    assertNoSecret(readFileSync(evFile, 'utf8'), wrong, 'the evidence log');
    assert.equal(existsSync(evidenceOf(rb)), false);
  });

  test('exit 2: missing secret input names its variable; missing file; unknown section; bad flags', async () => {
    const rb = copyRunbook(FIXTURE);
    const noKey = await run(rb, [], {});
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /missing input:\n\s+apiKey: set the environment variable ENGRAMIA_API_KEY/);
    assert.equal(noKey.stdout, '');

    const missing = await runCli(['run', join(dirname(rb), 'nope.runbook.md')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.runbook\.md: no such file/);

    const section = await run(rb, ['--section', 'Nowhere']);
    assert.equal(section.code, 2);
    assert.match(section.stderr, /no section "Nowhere" \(sections: .*Health.*\)/);

    const flag = await runCli(['run', rb, '--frobnicate']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option --frobnicate/);

    const input = await runCli(['run', rb, '--input', 'novalue']);
    assert.equal(input.code, 2);
    assert.match(input.stderr, /--input expects KEY=VALUE/);

    const badNumber = await run(rb, ['--input', 'expectedPatterns=lots']);
    assert.equal(badNumber.code, 2);
    assert.match(badNumber.stderr, /expectedPatterns: "lots" is not a number/);

    const none = await runCli(['run']);
    assert.equal(none.code, 2);
  });

  test('--json with missing inputs: a JSON error object on stdout, the text on stderr', async () => {
    const rb = copyRunbook(FIXTURE);
    const r = await run(rb, ['--json'], {});
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing input:\n\s+apiKey: set the environment variable ENGRAMIA_API_KEY/);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.exitCode, 2);
    assert.equal(doc.error.kind, 'missing-inputs');
    assert.deepEqual(doc.error.missing, [{ name: 'apiKey', how: 'set the environment variable ENGRAMIA_API_KEY' }]);
    assert.match(doc.error.message, /apiKey/);
  });

  test('usage errors: one line and a pointer to --help, not the whole usage text', async () => {
    const rb = copyRunbook(FIXTURE);
    const bogus = await runCli(['run', rb, '--bogus']);
    assert.equal(bogus.code, 2);
    assert.equal(bogus.stderr, 'runbook run: unknown option --bogus (see runbook run --help)\n');
    assert.equal(bogus.stdout, '');
    const list = await runCli(['list', '--bogus']);
    assert.equal(list.stderr, 'runbook list: unknown option --bogus (see runbook list --help)\n');
    const cmd = await runCli(['frobnicate']);
    assert.equal(cmd.code, 2);
    assert.equal(cmd.stderr, 'runbook: unknown command "frobnicate" (see runbook --help)\n');
  });

  test('exit 2 for a runbook with invalid front matter', async () => {
    const rb = copyRunbook(FIXTURE);
    writeFileSync(rb, '---\ninputs:\n  - name: 1bad\n---\n# T\n');
    const r = await runCli(['run', rb]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /front matter/);
  });

  test('a secret passed with --input is accepted with a warning and still masked', async () => {
    const rb = copyRunbook(FIXTURE);
    const r = await runCli(['run', rb, '--input', `baseUrl=${server.url}`, '--input', `apiKey=${key}`, '--section', 'Health', '--no-evidence'], { env: {} });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: --input apiKey=… sets a secret on the command line.*ENGRAMIA_API_KEY/);
    assertNoKey(r.stdout, r.stderr);
  });
});

describe('runbook list', () => {
  test('lists ids, kinds and sections as text and JSON; secret inputs show their variable, never a value', async () => {
    const text = await runCli(['list', FIXTURE]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^CLI fixture runbook: 5 checks$/m);
    assert.match(text.stdout, /^CLI fixture runbook › Health$/m);
    assert.match(text.stdout, /^ {2}health\.ok\s+http\s+The health endpoint answers ok$/m);
    assert.match(text.stdout, /apiKey \(string; secret, from \$ENGRAMIA_API_KEY\)/);
    const json = await runCli(['list', FIXTURE, '--json']);
    const doc = JSON.parse(json.stdout);
    assert.deepEqual(doc.checks.map((c: { id: string; kind: string }) => `${c.id}:${c.kind}`), ['health.ok:http', 'health.metrics:http', 'manual.announce:manual', 'broken.echo:http', 'broken.after:http']);
    assert.deepEqual(doc.checks[2].section, ['CLI fixture runbook', 'Manual steps']);
    assert.equal(doc.inputs.find((i: { name: string }) => i.name === 'apiKey').env, 'ENGRAMIA_API_KEY');
    const missing = await runCli(['list', 'nope.md']);
    assert.equal(missing.code, 2);
  });
});
