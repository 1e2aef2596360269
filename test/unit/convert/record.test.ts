/**
 * The http checks a conversion writes send what the guide's curl commands send. For every http
 * check made from a curl command, the same recording server on 127.0.0.1 receives the check's
 * request and the request of the REAL curl running the guide's command (bash, with the inputs as
 * its environment; the guide's host is routed to the server with a curlrc `connect-to`). Method,
 * path and query, body and the headers the command sets must be equal.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCheck } from '../../../src/core/checks/engine';
import { envName } from '../../../src/core/checks/template';
import { listChecks } from '../../../src/core/runbook';
import { makeEnv, newKind } from '../http/helpers';
import type { HttpKind } from '../../../src/core/http';
import { convertFixture, guides, parse } from './helpers';
import { tempDir } from '../../support/tempDir';

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const seen: Recorded[] = [];
let server: http.Server;
let port = 0;
let kind: HttpKind;

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]!.toLowerCase()] = req.rawHeaders[i + 1]!;
      seen.push({ method: req.method!, url: req.url!, headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok","state":"queued","conflicts":[],"nodes":[{"role":"primary"}]}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  kind = newKind();
});

after(async () => {
  await kind.dispose();
  await new Promise<void>((r) => server.close(() => r()));
});

/** Values for the inputs the fixtures declare (anything else: a word). */
function valueFor(name: string, type: string, secret: boolean): string {
  if (name === 'basicAuth') return Buffer.from('auditor:opensesame').toString('base64');
  if (type === 'url') return `http://127.0.0.1:${port}`;
  if (name === 'customerName') return 'Acme Corp';
  if (name === 'ledgerRegion') return 'eu-west';
  return secret ? `sk-${name}-0123456789` : `value-${name}`;
}

/** Headers a client adds on its own (curl: User-Agent, Accept; both: Host, Content-Length, Connection). */
const OWN = new Set(['host', 'user-agent', 'content-length', 'connection', 'accept-encoding']);

function comparable(r: Recorded, dropAcceptAny: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) {
    if (OWN.has(k) || (dropAcceptAny && k === 'accept' && v === '*/*')) continue;
    out[k] = v;
  }
  return out;
}

/** The guide's command, from the `# guide:` comment lines of the check. */
function guideCommand(body: string): string | undefined {
  const lines = body.split('\n');
  const start = lines.findIndex((l) => l.startsWith('# guide: curl'));
  if (start < 0) return undefined;
  const out = [lines[start]!.slice('# guide: '.length)];
  for (let i = start + 1; i < lines.length && lines[i]!.startsWith('#        '); i++) out.push(lines[i]!.slice('#        '.length));
  return out.join('\n');
}

/** bash -c SCRIPT as a real process, asynchronously (the recording server lives in this process). */
function runBash(script: string, env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

/** How many curl commands each fixture has (every one must have become a compared http check). */
const EXPECTED_CURL_CHECKS: Record<string, number> = { 'crlf-heredoc.md': 1, 'github-guide.md': 6, 'mkdocs-page.html': 3, 'plain-copy.txt': 3 };

describe('convert: http checks send what curl sends', () => {
  for (const guide of guides()) {
    it(`${guide}: every http check made from curl equals the real curl request`, async () => {
      const result = convertFixture(guide);
      const doc = parse(result.text);
      const declared = doc.frontMatter!.inputs;
      const inputs: Record<string, string> = {};
      const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
      for (const i of declared) {
        inputs[i.name] = valueFor(i.name, i.type, i.secret);
        env[i.env ?? envName(i.name)] = inputs[i.name]!;
      }
      const secrets = declared.filter((i) => i.secret).map((i) => inputs[i.name]!);
      const home = tempDir('curlrc');
      const hosts = new Set<string>();
      for (const c of result.checks) for (const m of c.what.matchAll(/https?:\/\/([^/:?\s]+)/g)) hosts.add(m[1]!);
      writeFileSync(join(home, '.curlrc'), [...hosts].map((h) => `connect-to = ${h}:80:127.0.0.1:${port}\n`).join(''));
      let compared = 0;
      for (const check of listChecks(doc).filter((c) => c.kind === 'http')) {
        const command = guideCommand(check.body);
        if (!command) continue;
        seen.length = 0;
        const run = await runCheck({ id: check.id, kind: 'http', attributes: check.attributes, body: check.body }, makeEnv(kind, inputs, secrets, { answer: true }));
        assert.notEqual(run.verdict, 'error', `${check.id}: ${run.reason}`);
        assert.equal(seen.length, 1, `${check.id}: the check sent one request`);
        const fromCheck = seen[0]!;
        seen.length = 0;
        // The guide's placeholders stand for the values the check got as inputs.
        const script = 'jq() { cat >/dev/null; }\n' + command.replace(/<customer-name>/g, 'Acme Corp').replace(/<queue-name>/g, inputs.queueName ?? '');
        const curl = await runBash(script, { ...env, CURL_HOME: home, HOME: home });
        assert.equal(curl.status, 0, `${check.id}: curl failed: ${curl.stderr}`);
        assert.equal(seen.length, 1, `${check.id}: curl sent one request`);
        const fromCurl = seen[0]!;
        assert.equal(fromCheck.method, fromCurl.method, `${check.id}: method`);
        assert.equal(decodeURIComponent(fromCheck.url.replace(/\+/g, ' ')), decodeURIComponent(fromCurl.url.replace(/\+/g, ' ')), `${check.id}: path and query`);
        assert.equal(fromCheck.body, fromCurl.body.replace(/\n$/, ''), `${check.id}: body`);
        const h = comparable(fromCheck, false);
        const c = comparable(fromCurl, true);
        assert.deepEqual(h, c, `${check.id}: headers`);
        compared++;
      }
      assert.equal(compared, EXPECTED_CURL_CHECKS[guide], `${guide}: requests compared`);
    });
  }
});
