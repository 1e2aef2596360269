/**
 * The converter parses a guide's markdown in pieces (blockTokenPieces): the tokens must be exactly
 * those of one parse of the whole text, wherever the pieces end (inside fences, lists, tables,
 * HTML blocks, block quotes, setext headings…), and a piece boundary must not change a conversion.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { blockTokenPieces, convertGuide, lineStarts, parsers } from '../../../src/core/convert/convert';

type Token = ReturnType<ReturnType<typeof parsers>['md']['parse']>[number];

/** Every field of a token (sorted by name), with its map counted from the text's first line. */
function describe1(t: Token, offset: number): string {
  const fields = Object.keys(t).sort().map((k) => (k === 'map' ? (t.map ? [t.map[0] + offset, t.map[1] + offset] : null) : (t as unknown as Record<string, unknown>)[k]));
  return JSON.stringify([Object.keys(t).sort(), fields]);
}

/** The tokens of blockTokenPieces, described. */
function tokensOf(text: string, from: number, chunkChars: number): string[] {
  const out: string[] = [];
  for (const [tokens, offset] of blockTokenPieces(text, lineStarts(text), from, chunkChars)) {
    for (const t of tokens) out.push(describe1(t, offset));
  }
  return out;
}

/** markdown-it's own parse of the whole text (its own block state and Token class), described. */
function standardTokens(text: string): string[] {
  return parsers().md.parse(text, {}).map((t) => describe1(t, 0));
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINES = [
  '', '', '', '# Heading', '## Step 2 ¶', '#not a heading', '```bash', '```', '````', '~~~', '```python', '    indented code',
  '- [ ] `curl -s https://x.test/health` returns 200', '- item', '  continued item text', '1. first', '2) second', '   nested para',
  '| a | b |', '|---|:-:|', '| 1 | 2 |', '> quoted', '> - [ ] quoted item', 'lazy line', '<div>', '</div>', '<!--', '-->',
  '<script>', '</script>', 'Setext text', '===', '---', '***', '[ref]: https://x.test "t"', 'Pass condition: it returns 200.',
  'Plain paragraph text with `code` in it.', '\t- tab item', '- ```', '  ```', '  code in item',
];

function randomGuide(rnd: () => number, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(LINES[Math.floor(rnd() * LINES.length)]!);
  return out.join('\n');
}

describe('convert: markdown parsed in pieces', () => {
  it('gives the tokens of one whole parse, for random guides and piece sizes', () => {
    const rnd = random(13);
    for (let round = 0; round < 60; round++) {
      const text = randomGuide(rnd, 40 + Math.floor(rnd() * 300));
      const whole = tokensOf(text, 0, Number.MAX_SAFE_INTEGER);
      assert.deepEqual(whole, standardTokens(text), `round ${round}: the same tokens as markdown-it's own parse`);
      for (const size of [1, 7, 40, 200, 1000]) assert.deepEqual(tokensOf(text, 0, size), whole, `round ${round}, pieces of ${size}`);
    }
  });

  it('starts after a front matter and keeps maps counted from the first line', () => {
    const text = '---\ntitle: T\n---\n# A\n\n- [ ] one\n\n```bash\necho hi\n```\n\n## B\n\ntext';
    const whole = tokensOf(text, 3, Number.MAX_SAFE_INTEGER);
    assert.ok(whole[0]!.includes('[3,4]'), whole[0]);
    assert.deepEqual(tokensOf(text, 3, 5), whole);
  });

  it('handles a fence that never closes and a list that never ends (one block over many pieces)', () => {
    const fence = '```\n' + '# not a heading\n\n'.repeat(5000);
    assert.deepEqual(tokensOf(fence, 0, 64), tokensOf(fence, 0, Number.MAX_SAFE_INTEGER));
    const list = '- a\n' + '  - b\n\n    text\n'.repeat(2000) + '\n# After';
    const pieces = tokensOf(list, 0, 64);
    assert.deepEqual(pieces, tokensOf(list, 0, Number.MAX_SAFE_INTEGER));
    assert.ok(pieces.at(-2)!.includes('After'));
  });

  it("makes markdown-it's own Token objects (instanceof, methods)", () => {
    const [[tokens]] = [...blockTokenPieces('# A\n\n| a | b |\n|---|---|\n| 1 | 2 |\n', lineStarts('# A\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'), 0)];
    const Token = parsers().md.parse('x', {})[0]!.constructor as new (...a: never[]) => unknown;
    for (const t of tokens!) assert.ok(t instanceof Token);
    assert.equal(tokens![0]!.attrGet('id'), null);
  });

  it('keeps NUL characters as markdown-it normalizes them', () => {
    const text = '# A\0B\n\ntext\0';
    const tokens = tokensOf(text, 0, 2);
    assert.ok(tokens.some((t) => t.includes('A\uFFFDB')), tokens.join('\n'));
  });

  it('converts a guide larger than a piece the same as its sections one by one', () => {
    const section = (n: number) => [
      `## Step ${n}`,
      '',
      `- [ ] \`curl -s https://api.example.test/v1/items/${n}\` returns 200 ok.`,
      '',
      '```bash',
      `curl -X POST "https://api.example.test/v1/items/${n}/move" -H "Authorization: Bearer $API_KEY"`,
      ...Array.from({ length: 40 }, (_, i) => `# a comment line ${i} that makes the block long`),
      '```',
      '',
      'Pass condition: the response contains 1 errors.',
      '',
    ].join('\n');
    const big = ['# Guide', '', ...Array.from({ length: 60 }, (_, i) => section(i + 1))].join('\n');
    assert.ok(big.length > 3 * 32 * 1024);
    const r = convertGuide(big, { source: 'g.md', convertedAt: '2026-01-01T00:00:00Z', format: 'markdown' });
    assert.equal(r.checks.filter((c) => c.kind === 'http').length, 120);
    assert.equal(r.checks.filter((c) => c.conditions.some((x) => x.startsWith('count errors'))).length, 60);
    // Every check links to the line it came from.
    const lines = big.split('\n');
    for (const c of r.checks) assert.match(lines[c.line! - 1]!, /curl/, c.link);
  });
});
