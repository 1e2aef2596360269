/**
 * No secret in any sink of `runbook run`: the real CLI process, a hostile server on 127.0.0.1 that
 * echoes the key in every encoding, and shell/python checks that print the secrets (and the CLI's
 * own environment, read from /proc) in every encoding, split across writes. Every sink is checked:
 * stdout, stderr, --json, the JUnit file (also well-formed), the evidence log and the report.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { copyRunbook, ROOT, runCli, spawnCli, type CliResult } from '../support/cli';
import { assertNoSecret, holdsNoSecret } from '../support/secrets';
import { startHostileEchoServer, type HostileEchoServer } from './secrets-echoServer';
import { assertWellFormedXml } from './xml';
import { count } from './tally';

const FIXTURE = join(ROOT, 'test', 'security', 'fixtures', 'hostile-echo.runbook.md');
const API_KEY = `eng_live_Zq9+/x=Kp4 r&t"<'>%41!*`;
const DB_PASSWORD = 'dB-pässwörd/秘密+ 2026';
const UNDECLARED = 'ghp_undeclaredServiceToken0123456789';
const CI_PASSWORD = 'ci-database-password-42';
const SECRETS = [API_KEY, DB_PASSWORD, UNDECLARED, CI_PASSWORD];
const hasProc = existsSync('/proc/self/environ');

let server: HostileEchoServer;
before(async () => {
  server = await startHostileEchoServer();
});
after(async () => {
  await server?.close();
});

function sinks(r: CliResult, files: string[]): { name: string; text: string }[] {
  return [
    { name: 'stdout', text: r.stdout },
    { name: 'stderr', text: r.stderr },
    ...files.filter((f) => existsSync(f)).map((f) => ({ name: f.split('/').pop()!, text: readFileSync(f, 'utf8') })),
  ];
}

function assertClean(r: CliResult, files: string[]): void {
  for (const s of sinks(r, files)) {
    for (const secret of SECRETS) {
      count(holdsNoSecret(s.text, secret));
      assertNoSecret(s.text, secret, s.name);
    }
  }
}

describe('runbook run: no secret in any sink', { skip: process.platform === 'win32' }, () => {
  test('--json, --junit, evidence and report hold no secret in any form; every check ran and was masked', async () => {
    const rb = copyRunbook(FIXTURE);
    const dir = dirname(rb);
    const junit = join(dir, 'out', 'junit.xml');
    const report = join(dir, 'out', 'report.md');
    const evidence = join(dir, 'evidence.jsonl');
    // A real process: the checks can read its environment from /proc.
    const r = await spawnCli(['run', rb, '--continue', '--json', '--junit', junit, '--report', report, '--evidence', evidence, '--input', `baseUrl=${server.url}`], {
      env: { ENGRAMIA_API_KEY: undefined, HOSTILE_API_KEY: API_KEY, DB_PASSWORD, UNDECLARED_SERVICE_TOKEN: UNDECLARED, CI_DB_PASSWORD: CI_PASSWORD },
    });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(server.hits > 0, 'the hostile server was reached');
    const doc = JSON.parse(r.stdout);
    const byId = Object.fromEntries(doc.results.map((x: { id: string }) => [x.id, x]));
    for (const id of ['echo.http', 'echo.shell', 'echo.python']) assert.ok(byId[id], `${id} ran`);
    // The checks really printed: the details hold masked output, not nothing.
    assert.match(byId['echo.shell'].details, /••••••/);
    assert.match(byId['echo.python'].details, /••••••/);
    assert.match(byId['echo.http'].details ?? byId['echo.http'].reason, /••••••/);
    if (hasProc) assert.match(byId['echo.shell'].details, /UNDECLARED_SERVICE_TOKEN=••••••/);
    assertClean(r, [junit, report, evidence]);
    assertWellFormedXml(readFileSync(junit, 'utf8'));
  });

  test('plain lines (no --json) and the default evidence beside the runbook hold no secret', async () => {
    const rb = copyRunbook(FIXTURE);
    const r = await runCli(['run', rb, '--continue', '--input', `baseUrl=${server.url}`], {
      env: { HOSTILE_API_KEY: API_KEY, DB_PASSWORD, UNDECLARED_SERVICE_TOKEN: UNDECLARED, CI_DB_PASSWORD: CI_PASSWORD },
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /✘ echo\.shell — printed ••••••/);
    assertClean(r, [rb.replace(/\.md$/, '.evidence.jsonl')]);
  });

  test('a secret given on the command line (--input) is masked the same way', async () => {
    const rb = copyRunbook(FIXTURE);
    const r = await runCli(['run', rb, '--continue', '--json', '--input', `baseUrl=${server.url}`, '--input', `apiKey=${API_KEY}`], {
      env: { DB_PASSWORD, UNDECLARED_SERVICE_TOKEN: UNDECLARED, CI_DB_PASSWORD: CI_PASSWORD },
    });
    assert.equal(r.code, 1, r.stderr);
    assertClean(r, [rb.replace(/\.md$/, '.evidence.jsonl')]);
  });
});
