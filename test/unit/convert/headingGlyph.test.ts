/** Heading permalinks taken off in linear time, exactly as the regexes they replace did. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endsWithHeadingGlyph, stripHeadingGlyph, stripHeadingPermalink } from '../../../src/core/convert/headingGlyph';
import { convertGuide } from '../../../src/core/convert';
import { randomJoins } from '../../support/random';

const GLYPH = /\s*[¶§]\s*$/;
const LINK = /\s*\[[¶§#]\]\([^)]{0,300}\)\s*$/;

test('the same results as the regexes on random headings (brackets, glyphs, whitespace, long links)', () => {
  const parts = [' ', '\t', '\u00a0', 'a', 'b', '[', ']', '(', ')', '¶', '§', '#', '[¶](#x)', '[§](', ')', 'x'.repeat(150)];
  for (const s of randomJoins(parts, { count: 20000, seed: 7, minParts: 0, maxParts: 11 })) {
    assert.equal(endsWithHeadingGlyph(s), GLYPH.test(s), JSON.stringify(s));
    assert.equal(stripHeadingGlyph(s), s.replace(GLYPH, ''), JSON.stringify(s));
    assert.equal(stripHeadingPermalink(s), s.replace(LINK, '').replace(GLYPH, ''), JSON.stringify(s));
  }
});

test('hostile headings: 1 MB of whitespace inside a heading converts (markdown, text), no backtracking', () => {
  const gap = ' '.repeat(1_000_000);
  for (const format of ['markdown', 'text'] as const) {
    const r = convertGuide(`# a${gap}b ¶x\n\ntext\n`, { source: 'g.md', convertedAt: 'x', format });
    assert.ok(r.text.includes('# a'), format);
  }
  assert.equal(stripHeadingPermalink(`a${gap}b`), `a${gap}b`);
  assert.equal(stripHeadingPermalink(`a${gap}[¶](#id)${gap}`), 'a');
  assert.equal(endsWithHeadingGlyph(`${gap}x`), false);
});
