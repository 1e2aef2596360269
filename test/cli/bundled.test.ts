/**
 * The bundled Engramia runbook through the real CLI against the Engramia contract server: the
 * sections a CI job would run, JSON and JUnit, and the API key (ENGRAMIA_API_KEY only) nowhere in
 * what the CLI prints or writes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EngramiaServer } from '../servers/engramia/server';
import { closeContractServers, startContractServer } from '../support/contractServer';
import { copyRunbook, ROOT, runCli } from '../support/cli';
import { assertNoSecret } from '../support/secrets';
import { parseRunbook, plainText } from '../../src/core/runbook';

const BUNDLED = join(ROOT, 'runbooks', 'engramia-verification-and-rollback.runbook.md');

let server: EngramiaServer;
let key: string;
before(async () => {
  server = await startContractServer({ version: 'main' });
  key = server.keys.owner;
});
after(closeContractServers);

function assertNoKey(...texts: string[]): void {
  for (const t of texts) {
    assertNoSecret(t, key, 'CLI output');
    assertNoSecret(t, key.slice(12, 30), 'CLI output (part of the API key)');
  }
}

type Result = { id: string; verdict: string; reason: string; section: string[] };

describe('bundled Engramia runbook via the CLI', () => {
  test('--section Observability: health checks pass against the server, manual steps are skipped, exit 0', async () => {
    const rb = copyRunbook(BUNDLED);
    const r = await runCli(['run', rb, '--section', 'observability', '--input', `baseUrl=${server.url}`, '--json'], { env: { ENGRAMIA_API_KEY: key } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout);
    const byId = new Map<string, Result>(doc.results.map((x: Result) => [x.id, x]));
    assert.equal(byId.get('obs.health')!.verdict, 'pass');
    assert.equal(byId.get('obs.health-deep')!.verdict, 'pass');
    assert.equal(byId.get('obs.error-budget')!.verdict, 'skipped');
    assert.ok(doc.results.every((x: Result) => x.section.includes('Observability')));
    assert.ok(server.hitCount('GET', '/v1/health') >= 1);
    assertNoKey(r.stdout, r.stderr, readFileSync(rb.replace(/\.md$/, '.evidence.jsonl'), 'utf8'));
  });

  test('--section Code needs no API key: its checks are local but for the keyless version probe; a section with API checks still asks for it', async () => {
    const rb = copyRunbook(BUNDLED);
    const r = await runCli(['run', rb, '--section', 'Code', '--input', `baseUrl=${server.url}`, '--continue', '--json', '--cwd', dirname(rb)], { env: { ENGRAMIA_API_KEY: '' } });
    assert.notEqual(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /missing input/);
    const doc = JSON.parse(r.stdout);
    const ids = doc.results.map((x: Result) => x.id).sort();
    assert.deepEqual(ids, ['code.deep-import', 'code.engramia-version', 'code.hooks', 'code.instructions', 'code.server-version']);
    const byId = new Map<string, Result>(doc.results.map((x: Result) => [x.id, x]));
    assert.notEqual(byId.get('code.server-version')!.verdict, 'error', byId.get('code.server-version')!.reason);
    assert.equal(server.hitCount('GET', '/v1/version') > 0, true);
    const data = await runCli(['run', rb, '--section', 'Data', '--input', `baseUrl=${server.url}`], { env: { ENGRAMIA_API_KEY: '' } });
    assert.equal(data.code, 2);
    assert.match(data.stderr, /missing input:\n\s+apiKey: set the environment variable ENGRAMIA_API_KEY/);
  });

  test('whole runbook with --continue: JSON, JUnit and a report; the destructive delete stays excluded; no key anywhere', async () => {
    const rb = copyRunbook(BUNDLED);
    const dir = dirname(rb);
    const junit = join(dir, 'junit.xml');
    const report = join(dir, 'report.md');
    const r = await runCli(['run', rb, '--input', `baseUrl=${server.url}`, '--continue', '--json', '--junit', junit, '--report', report, '--cwd', dir], { env: { ENGRAMIA_API_KEY: key } });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.results.length, 33);
    assert.equal(doc.exitCode, r.code);
    assert.equal(doc.summary.ok, r.code === 0);
    const byId = new Map<string, Result>(doc.results.map((x: Result) => [x.id, x]));
    for (const id of ['data.backfill', 'data.spot-check', 'obs.health', 'smoke.2-recall']) assert.equal(byId.get(id)!.verdict, 'pass', `${id}: ${byId.get(id)!.reason}`);
    assert.equal(byId.get('rollback.3-delete-project')!.verdict, 'skipped');
    assert.equal(byId.get('rollback.3-delete-project')!.reason, 'excluded from run all');
    assert.equal(server.hitCount('DELETE', `/v1/governance/projects/${server.projectId}`), 0, 'the project was not deleted');
    assert.equal(server.hitCount('DELETE'), 1, 'the only DELETE is smoke 3 removing the pattern it learned');
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuites name="Engramia cutover — verification and rollback" tests="33"/);
    assert.match(xml, /<testsuite name="Engramia cutover — verification and rollback › Post-cutover smoke tests › 2\. Recall" tests="1" failures="0"/);
    const md = readFileSync(report, 'utf8');
    assert.match(md, /^# Cutover report: Engramia cutover — verification and rollback/);
    assert.match(md, new RegExp(`\\| Target host \\| ${new URL(server.url).host.replace(/\./g, '\\.')}`));
    assert.match(md, /apiKey=\(secret\)/);
    assertNoKey(r.stdout, r.stderr, xml, md, readFileSync(rb.replace(/\.md$/, '.evidence.jsonl'), 'utf8'));
  });

  test('--section "Post-cutover smoke tests" includes its numbered subsections only', async () => {
    const rb = copyRunbook(BUNDLED);
    const r = await runCli(['list', rb, '--section', 'Post-cutover smoke tests', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const ids = JSON.parse(r.stdout).checks.map((c: { id: string }) => c.id);
    assert.deepEqual(ids, ['smoke.1-round-trip', 'smoke.2-recall', 'smoke.3-learn-writeback', 'smoke.4-live-traffic', 'smoke.5-quota']);
  });
});

describe('bundled runbooks: what VS Code shows as raw text', () => {
  // VS Code's notebook outline and breadcrumbs name a markdown cell without a heading by its first
  // line, and for a list item that is the item's raw markdown (its plain-text renderer returns
  // list items unparsed). So the first line of every item cell in a bundled runbook is plain text.
  for (const file of ['engramia-verification-and-rollback.runbook.md', 'september-engine-rollback.runbook.md']) {
    test(`${file}: item cells' first lines have no inline markdown`, () => {
      const doc = parseRunbook(readFileSync(join(ROOT, 'runbooks', file), 'utf8'));
      const items = doc.cells
        .filter((c) => c.kind === 'markup')
        .map((c) => c.value.split('\n').find((l) => l.trim() !== '') ?? '')
        .map((l) => /^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$/.exec(l)?.[1])
        .filter((t): t is string => t !== undefined);
      assert.ok(items.length >= 10, `${items.length} item cells`);
      assert.deepEqual(items.filter((t) => plainText(t) !== t), []);
    });
  }
});
