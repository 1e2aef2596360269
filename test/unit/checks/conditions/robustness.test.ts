/**
 * Property checks: the grammar never throws, whatever the line or the response, and a parsed
 * condition re-parses from its own text to the same meaning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateConditions, parseConditions } from '../../../../src/core/checks/conditions';

const words = fc.constantFrom('status', 'json', 'count', 'header', 'body', 'duration', 'matches', 'where', 'in', 'between', 'and', 'exists', '!exists', 'not', '==', '!=', '<', '>=', 'includes', '[a, b]', '"q"', '--', '#', '1', 'x.y[0]', '{{v}}', '/re/i', '(', 'null');
const line = fc.oneof(fc.array(words, { maxLength: 9 }).map((w) => '?? ' + w.join(' ')), fc.string().map((s) => '??' + s.replace(/[\r\n\u2028\u2029]/g, ' ')));

test('parseConditions never throws; every line is a condition or an error', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
      const p = parseConditions(lines.join('\n'));
      assert.equal(p.conditions.length + p.errors.length, lines.length);
      for (const e of p.errors) assert.ok(!e.includes('\n'), 'errors are one line');
    }),
    { numRuns: 400 },
  );
});

test('evaluateConditions never throws, whatever the response', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 6 }), fc.jsonValue(), fc.integer({ min: 100, max: 599 }), (lines, doc, status) => {
      const p = parseConditions(lines.join('\n'), { inputs: { v: '3' } });
      const out = evaluateConditions(p.conditions, (s) => (s.name === 'json' ? doc : s.name === 'status' ? status : s.name === 'header' ? undefined : 'text'));
      assert.equal(out.length, p.conditions.length);
      for (const o of out) assert.ok(['pass', 'fail', 'warn'].includes(o.verdict));
    }),
    { numRuns: 400 },
  );
});

test('a condition re-parses from its own text with the same meaning', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
      const p = parseConditions(lines.join('\n'), { inputs: { v: '3' } });
      for (const c of p.conditions) {
        const again = parseConditions(`??${c.severity === 'warn' ? 'warn' : ''} ${c.text}`);
        assert.deepEqual(again.errors, [], `re-parse of "${c.text}"`);
        const a = again.conditions[0]!;
        assert.equal(a.subject, c.subject);
        assert.deepEqual(a.path, c.path);
        assert.equal(a.predicate.op, c.predicate.op);
      }
    }),
    { numRuns: 400 },
  );
});
