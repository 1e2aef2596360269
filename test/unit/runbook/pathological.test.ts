/**
 * Pathological inputs (bench/pathological.ts: long lines, 100k headings, deep nesting, backtick
 * runs, unclosed fences) each parse and round-trip. No timing assertions: the figures are in
 * `npm run bench`; the test's own timeout is only a watchdog against a quadratic regression.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathologicalCorpus } from '../../../bench/pathological';
import { parseRunbook, serializeRunbook } from '../../../src/core/runbook';

const corpus = pathologicalCorpus(Number(process.env.PATHOLOGICAL_SCALE ?? 0.25));

test('the pathological corpus covers the hostile shapes', () => {
  const names = corpus.map((c) => c.name).join('\n');
  for (const shape of ['long heading', '1 MB line', 'headings', 'nested', 'blockquotes', 'backtick', 'unclosed fences']) assert.ok(names.includes(shape), shape);
});

for (const c of corpus) {
  test(`pathological input parses and round-trips: ${c.name}`, { timeout: 120_000 }, () => {
    const doc = parseRunbook(c.text);
    assert.equal(doc.failure, undefined, 'parsed, not an error cell');
    assert.ok(doc.cells.length >= 1);
    assert.equal(serializeRunbook(doc.cells, { eol: doc.eol, bom: doc.bom }), c.text);
  });
}

test('the long-heading case is read as one heading (# a + 100k spaces + b)', { timeout: 120_000 }, () => {
  const doc = parseRunbook('# a' + ' '.repeat(100_000) + 'b\n\n- [ ] step\n');
  assert.deepEqual(doc.cells.map((c) => c.role), ['section', 'task']);
  assert.equal(doc.sections[0].title, 'a' + ' '.repeat(100_000) + 'b');
  assert.equal(parseRunbook('## Closed ##  \n').sections[0].title, 'Closed');
});

test('many checks under the same label get distinct ids (linear id allocation)', { timeout: 120_000 }, () => {
  const doc = parseRunbook('# S\n\n' + '- [ ] t\n  ```sh\n  echo\n  ```\n'.repeat(20_000) + '- [ ] t-2\n  ```sh\n  echo\n  ```\n');
  const ids = doc.cells.filter((c) => c.check).map((c) => c.check!.id);
  assert.equal(ids.length, 20_001);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids.slice(0, 3), ['s/t', 's/t-2', 's/t-3']);
  assert.equal(ids[ids.length - 1], 's/t-2-2', 'a label that looks like a suffix still gets a free id');
});
