/**
 * Guide → runbook: golden outputs (byte-exact; UPDATE_GOLDEN=1 rewrites them), every output parses
 * with no check errors, conversion is deterministic and idempotent, runbooks pass through unchanged,
 * and hostile inputs end promptly.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { convertGuide, detectFormat, isRunbook, runbookNameFor } from '../../../src/core/convert';
import { listChecks } from '../../../src/core/runbook';
import { isDestructiveCheck, defaultRegistry } from '../../../src/core/kinds';
import { planRun } from '../../../src/core/plan/plan';
import { startsWithCurl } from '../../../src/core/convert/curl';
import { FIXTURES, NOW, checkErrors, convertFixture, goldenName, guides, parse } from './helpers';
import { randomJoins } from '../../support/random';

describe('convert: fixtures', () => {
  for (const guide of guides()) {
    it(`${guide} → ${goldenName(guide)} (golden, byte-exact)`, () => {
      const result = convertFixture(guide);
      const golden = join(FIXTURES, goldenName(guide));
      if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, result.text);
      assert.equal(result.text, readFileSync(golden, 'utf8'));
      assert.equal(result.unchanged, false);
    });

    it(`${guide}: the runbook parses with no check errors and every check links back to the guide`, () => {
      const result = convertFixture(guide);
      const doc = parse(result.text);
      assert.deepEqual(checkErrors(doc), []);
      const checks = listChecks(doc);
      assert.ok(checks.length >= 2, `checks: ${checks.length}`);
      assert.equal(checks.length, result.checks.length, 'the summary lists every check');
      for (const c of checks) assert.match(c.body, new RegExp(`(?:# from |Guide: )${guide.replace(/\./g, '\\.')}(?:#|\\n|$)`), `${c.id} links back`);
      assert.equal(doc.frontMatter?.data?.converted && (doc.frontMatter.data.converted as Record<string, string>).from, guide);
      assert.equal((doc.frontMatter?.data?.converted as Record<string, string>).at, NOW);
    });

    it(`${guide}: converting twice gives the same bytes, and converting the output changes nothing`, () => {
      const a = convertFixture(guide);
      const b = convertFixture(guide);
      assert.equal(a.text, b.text);
      const again = convertGuide(a.text, { source: 'x.md', convertedAt: '2030-01-01T00:00:00Z', fileName: 'x.runbook.md' });
      assert.equal(again.unchanged, true);
      assert.equal(again.text, a.text);
      assert.ok(isRunbook(a.text));
    });
  }

  it('destructive commands become destructive checks that run all leaves out', () => {
    const result = convertFixture('github-guide.md');
    const doc = parse(result.text);
    const registry = defaultRegistry();
    const destructive = listChecks(doc).filter((c) => isDestructiveCheck(registry, c));
    assert.deepEqual(destructive.map((c) => c.kind), ['http', 'shell', 'shell']);
    assert.deepEqual(destructive.map((c) => c.attributes.confirm ?? c.attributes.destructive), ['true', 'down', 'rm']);
    const plan = planRun(doc, { isDestructive: (c) => isDestructiveCheck(registry, c) });
    for (const c of destructive) {
      const entry = plan.entries.find((e) => e.check.id === c.id);
      assert.ok(entry?.skip, `${c.id} is skipped in run all`);
    }
  });

  it('curl becomes http with method, headers, body and a shared host as the baseUrl input', () => {
    const doc = parse(convertFixture('github-guide.md').text);
    const inputs = doc.frontMatter!.inputs;
    const base = inputs.find((i) => i.name === 'baseUrl')!;
    assert.equal(base.default, 'http://ledger.example.test');
    const token = inputs.find((i) => i.name === 'ledgerApiToken')!;
    assert.equal(token.secret, true);
    assert.equal(token.env, 'LEDGER_API_TOKEN');
    assert.equal(token.default, undefined);
    assert.equal(inputs.find((i) => i.name === 'ledgerRegion')!.default, 'eu-west', 'export NAME=value sets the default');
    const snapshot = listChecks(doc).find((c) => c.body.includes('/api/v3/snapshots'))!;
    assert.match(snapshot.body, /^POST \{\{baseUrl\}\}\/api\/v3\/snapshots$/m);
    assert.match(snapshot.body, /^Authorization: Bearer \{\{ledgerApiToken\}\}$/m);
    assert.match(snapshot.body, /^\{"label": "pre-v4", "region": "\{\{ledgerRegion\}\}"\}$/m);
    assert.match(snapshot.body, /^\?\?warn status == 201 /m);
    assert.match(snapshot.body, /^\?\?warn json state == queued /m);
  });

  it('an http check quotes its curl command after the comments above it: 12 lines at most, then how many more', () => {
    const curl = (lines: number) => ['curl -X POST https://h.test/a \\', ...Array.from({ length: lines - 2 }, (_, i) => `  -H "X-N${i}: v${i}"   \\`), "  -d '{}'"];
    const guide = (lines: number) => ['# T', '', '```bash', '# the first comment', ...curl(lines), '```', '', 'Pass condition: it returns 201.', ''].join('\n');
    const quoted = (lines: number) => {
      const body = listChecks(parse(convertGuide(guide(lines), { source: 'g.md', convertedAt: NOW, format: 'markdown' }).text))[0]!.body;
      return body.split('\n').filter((l) => l.startsWith('#'));
    };
    const expected = (lines: number) => [
      '# from g.md#L5',
      '# the first comment',
      ...curl(lines).slice(0, 12).map((l, i) => (i === 0 ? `# guide: ${l}` : `#        ${l}`.trimEnd())),
      ...(lines > 12 ? [`#        … (${lines - 12} more lines)`] : []),
      '# pass condition in the guide: it returns 201.',
    ];
    for (const lines of [2, 12, 13, 17]) assert.deepEqual(quoted(lines), expected(lines), `${lines} lines`);
  });

  it('placeholders and -k, -u are handled: inputs, a secret for the credential, a note for -k', () => {
    const doc = parse(convertFixture('github-guide.md').text);
    const search = listChecks(doc).find((c) => c.body.includes('/api/v3/search'))!;
    assert.match(search.body, /^GET \{\{baseUrl\}\}\/api\/v3\/search\?q=\{\{customerName\}\}&limit=5$/m);
    assert.match(search.body, /^Authorization: Basic \{\{basicAuth\}\}$/m);
    assert.match(search.body, /^# note: curl -k skips certificate checks/m);
    assert.ok(!/insecure/.test(JSON.stringify(search.attributes)));
    assert.equal(doc.frontMatter!.inputs.find((i) => i.name === 'basicAuth')!.secret, true);
  });

  it('pass conditions: checkable sentences give ??warn conditions, others a manual step quoting the sentence', () => {
    const doc = parse(convertFixture('plain-copy.txt').text);
    const checks = listChecks(doc);
    const health = checks.find((c) => c.body.includes('/admin/health'))!;
    assert.match(health.body, /^\?\? status between 200 and 299/m);
    assert.match(health.body, /^\?\?warn status == 200 /m);
    assert.match(health.body, /^\?\?warn body includes ok /m);
    const manual = checks.filter((c) => c.kind === 'manual');
    assert.ok(manual.some((c) => c.body.includes('Confirm: depth is reported by the broker and looks plausible.')));
    const status = checks.find((c) => c.kind === 'shell')!;
    assert.match(status.body, /^brokerctl status$/m);
    assert.match(status.body, /^\?\?warn stdout includes running /m);
  });

  it('plain text: ¶ headings become headings, run-together items become items', () => {
    const text = convertFixture('plain-copy.txt').text;
    assert.match(text, /^# Queue broker migration$/m);
    assert.match(text, /^## Preflight$/m);
    assert.ok(!text.includes('¶'));
    assert.match(text, /^- \[ \] The consumer team has signed off\.$/m);
  });

  it('HTML: headerlinks dropped, code keeps its language, checks link to the heading anchor', () => {
    const result = convertFixture('mkdocs-page.html');
    assert.ok(!result.text.includes('¶'));
    assert.ok(!result.text.includes('Made with a static site generator'), 'footer dropped');
    assert.match(result.text, /^# Cache cluster failover$/m);
    assert.match(result.text, /# from mkdocs-page\.html#promote-the-replica/);
    assert.match(result.text, /^- \[ \] `redis-cli ping` prints `PONG` on the replica\.$/m);
  });

  it('CRLF guides give CRLF runbooks; heredoc bodies become the request body', () => {
    const result = convertFixture('crlf-heredoc.md');
    assert.ok(result.text.includes('\r\n'));
    assert.ok(!/[^\r]\n/.test(result.text), 'every line ends with CRLF');
    const doc = parse(result.text);
    const patch = listChecks(doc).find((c) => c.kind === 'http')!;
    assert.match(patch.body, /^\{  "rotate": true,  "graceSeconds": 300\}$/m, 'curl -d @- strips the newlines of the heredoc');
  });

  it('the bundled runbooks are runbooks: converting them leaves every byte as it is', () => {
    for (const f of ['engramia-verification-and-rollback.runbook.md', 'september-engine-rollback.runbook.md']) {
      const text = readFileSync(resolve(__dirname, '..', '..', '..', 'runbooks', f), 'utf8');
      const r = convertGuide(text, { source: f, convertedAt: NOW, fileName: f });
      assert.equal(r.unchanged, true);
      assert.equal(r.text, text);
    }
  });

  it('formats and output names', () => {
    assert.equal(detectFormat('<!DOCTYPE html><html>', 'x'), 'html');
    assert.equal(detectFormat('# Title\n\ntext', 'x'), 'markdown');
    assert.equal(detectFormat('Title¶\ntext', 'x'), 'text');
    assert.equal(detectFormat('anything', 'page.htm'), 'html');
    assert.equal(runbookNameFor('/a/b/guide.md'), 'guide.runbook.md');
    assert.equal(runbookNameFor('page.html'), 'page.runbook.md');
    assert.equal(runbookNameFor('notes.txt'), 'notes.runbook.md');
  });
});

describe('convert: hostile input', () => {
  const cases: [string, string][] = [
    ['a 200 kB line of "<" and quotes in a bash block', '```bash\ncurl ' + '"<'.repeat(100_000) + '\n```\n'],
    ['unterminated quotes and continuations', '```sh\ncurl "http://x.test/' + ' \\\n'.repeat(20_000) + '\n```\n'],
    ['a pass condition made of 100 kB of digits and operators', 'Pass condition: ' + '1 >= '.repeat(20_000) + '\n'],
    ['many heredocs that never end', '```bash\n' + 'cat <<A <<B <<C\n'.repeat(5_000) + '```\n'],
    ['a long glued plain-text line', 'Title¶\n- [ ]\n' + 'curl x'.repeat(50_000) + 'returns200\n'],
    ['deeply nested lists of task items', Array.from({ length: 2000 }, (_, i) => ' '.repeat(Math.min(i, 200)) + '- [ ] `curl http://h.test/' + i + '` returns 200').join('\n')],
    ['private-use marker characters in the guide', '```bash\ncurl "http://h.test/\uE000X\uE001/\uE003y\uE001"\ncurl "http://h.test/b"\n```\n'],
  ];
  for (const [name, text] of cases) {
    it(`${name}: converts, and the output parses`, () => {
      const r = convertGuide(text, { source: 'g.md', convertedAt: NOW, fileName: name.includes('HTML') ? 'g.html' : name.includes('plain') ? 'g.txt' : 'g.md' });
      assert.equal(typeof r.text, 'string');
      assert.ok(!parse(r.text).failure);
      assert.ok(!/[\uE000-\uE007]/.test(r.text), 'no marker leaks into the runbook');
    });
  }

  it('refuses HTML nested deeper than the converter can handle, with a clear error (and fast)', () => {
    assert.throws(() => convertGuide('<html><body>' + '<div><pre><code class="language-bash">curl '.repeat(50_000), { source: 'g.html', convertedAt: NOW, fileName: 'g.html' }), /nests its elements \d+ deep \(the limit is 200\)/);
  });

  it('refuses a guide over the size limit with a clear error', () => {
    assert.throws(() => convertGuide('x'.repeat(9 * 1024 * 1024), { source: 'g.md', convertedAt: NOW }), /limit is 8 MB/);
  });
});

describe('convert: bare requests', () => {
  const guide = (auth: (i: number) => string) =>
    ['# G', '', ...Array.from({ length: 30 }, (_, i) => [`- [ ] \`curl -s -H "Authorization: ${auth(i)}" https://api.example.test/v1/a/${i}\` returns 200`, `- [ ] \`GET /v1/b/${i}\` returns 200`, ''].join('\n'))].join('\n');

  it('send the Authorization every curl command to their host agrees on, on each of them', () => {
    const r = convertGuide(guide(() => 'Bearer $TOKEN'), { source: 'g.md', convertedAt: NOW, format: 'markdown' });
    const bare = r.text.split('```http').map((b) => b.split('```')[0]!).filter((b) => b.includes('GET {{baseUrl}}/v1/b/'));
    assert.equal(bare.length, 30);
    for (const b of bare) assert.match(b, /\n {2}Authorization: Bearer \{\{token\}\}\n/);
  });

  it('send none when the commands disagree', () => {
    const r = convertGuide(guide((i) => (i === 17 ? 'Bearer $OTHER' : 'Bearer $TOKEN')), { source: 'g.md', convertedAt: NOW, format: 'markdown' });
    const bare = r.text.split('```http').map((b) => b.split('```')[0]!).filter((b) => b.includes('GET {{baseUrl}}/v1/b/'));
    assert.equal(bare.length, 30);
    for (const b of bare) assert.doesNotMatch(b, /Authorization/);
  });
});

describe('convert: startsWithCurl', () => {
  it('answers as the first word (after sudo) being curl or ending in /curl, on 20k random commands', () => {
    // The definition it replaced: the first word matched, then compared.
    const reference = (joined: string) => {
      const m = /^\s*(?:sudo\s+)?(\S+)/.exec(joined);
      return !!m && (m[1] === 'curl' || m[1]!.endsWith('/curl'));
    };
    const pieces = ['curl', 'sudo', ' ', '  ', '\t', '\n', '\u00a0', '\u3000', '/', 'x', 'c', 'url', '/usr/bin/', '-s', 'curlx', '$'];
    let yes = 0;
    for (const s of randomJoins(pieces, { count: 20_000, seed: 7, minParts: 1, maxParts: 6 })) {
      assert.equal(startsWithCurl(s), reference(s), JSON.stringify(s));
      if (reference(s)) yes++;
    }
    assert.ok(yes > 500, `only ${yes} random commands were curl`);
    for (const s of ['curl', ' curl -s x', 'sudo curl x', 'sudo  /usr/bin/curl', 'x/curl/curl y', 'curl/curl']) assert.equal(startsWithCurl(s), true, s);
    for (const s of ['', 'sudo', 'sudo ', 'curlx', '/curlx', 'sudocurl', 'sudo sudo curl', 'echo curl']) assert.equal(startsWithCurl(s), false, s);
  });
});
