import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJUnit, xmlEscape } from '../../../src/core/evidence/junit';
import type { Verdict } from '../../../src/core/checks/types';

const r = (checkId: string, verdict: Verdict, section: string[], reason = `${verdict} <&> "q"`) => ({
  checkId, verdict, reason, next: 'do x', kind: 'http', startedAt: '2026-11-22T10:00:00.000Z', durationMs: 1500, sectionPath: section, label: `label ${checkId}`,
});

test('renderJUnit: a suite per section in order, failure/error/skipped/warn mapped, XML escaped', () => {
  const xml = renderJUnit('T & Co', [r('a', 'pass', ['T', 'A']), r('b', 'fail', ['T', 'A']), r('c', 'error', ['T', 'B']), r('d', 'skipped', ['T', 'B']), r('e', 'warn', ['T', 'A'])]);
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="T &amp; Co" tests="5" failures="1" errors="1" skipped="1" time="7.500">/);
  const suites = [...xml.matchAll(/<testsuite name="([^"]+)" tests="(\d+)"/g)].map((m) => `${m[1]}:${m[2]}`);
  assert.deepEqual(suites, ['T › A:3', 'T › B:2']);
  assert.match(xml, /<testcase classname="T › A" name="a — label a" time="1.500"\/>/);
  assert.match(xml, /<failure message="fail &lt;&amp;&gt; &quot;q&quot;" type="fail">fail &lt;&amp;&gt; &quot;q&quot;\n\nnext: do x<\/failure>/);
  assert.match(xml, /<error message="error &lt;&amp;&gt; &quot;q&quot;" type="error">/);
  assert.match(xml, /<skipped message="skipped &lt;&amp;&gt; &quot;q&quot;"\/>/);
  assert.match(xml, /<testcase classname="T › A" name="e — label e" time="1.500">\n\s*<system-out>warning: warn/);
  assert.equal(xmlEscape('a\u0001b'), 'ab');
});
