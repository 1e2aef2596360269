/**
 * plainText (inline markdown → what a reader sees) and plural ("1 check", "2 checks"): examples,
 * properties (escaped text comes back as written; plain words are untouched; wrapped words lose
 * only their markers) and hostile inputs (runs of openers that never close). No timing assertions:
 * the test's own timeout is only a watchdog against a quadratic regression.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { inlineMarkdown, plainText, plural } from '../../../src/core/runbook';

const SEED = Number(process.env.SEED ?? 20261203);
const RUNS = Number(process.env.RUNS ?? 500);

test('plainText: the markup goes, the text stays', () => {
  const cases: [string, string][] = [
    ['The installed `engramia` package is at least the pinned version (*local*)', 'The installed engramia package is at least the pinned version (local)'],
    ['Key starts with `engramia_sk_`', 'Key starts with engramia_sk_'],
    ['engramia_sk_ + 43 characters', 'engramia_sk_ + 43 characters'],
    ['snake_case_name and __init__', 'snake_case_name and init'],
    ['**Data** and __more__ and _this_ and ~~gone~~', 'Data and more and this and gone'],
    ['See [the guide](https://example.test/guide) and ![logo *x*](l.png)', 'See the guide and logo x'],
    ['<http://127.0.0.1:8080/health>', 'http://127.0.0.1:8080/health'],
    ['\\*not emphasis\\* \\_nor this\\_ \\`nor code\\`', '*not emphasis* _nor this_ `nor code`'],
    ['AT&amp;T &lt;b&gt; &#x41;', 'AT&T <b> A'],
    ['a <b>raw</b> tag', 'a <b>raw</b> tag'],
    ['`/health` is ok within `startDeadlineSeconds` of the start (*local*)', '/health is ok within startDeadlineSeconds of the start (local)'],
    ['two\nlines', 'two lines'],
    ['Plain text, 100% plain: yes', 'Plain text, 100% plain: yes'],
    ['`` a ` b ``', 'a ` b'],
    ['', ''],
  ];
  for (const [input, want] of cases) assert.equal(plainText(input), want, JSON.stringify(input));
});

test('plainText: unclosed or unmatched markers stay as written', () => {
  for (const s of ['*half', 'a * b', '[no link', '`open code', '2 * 3 = 6', 'x_', '~single~ tilde', '[ref][missing]', '!', '<not a tag'])
    assert.equal(plainText(s), s, JSON.stringify(s));
});

const ASCII_PUNCT = /[!-/:-@[-`{-~]/g;
/** Backslash-escapes every ASCII punctuation character (CommonMark: each can be escaped). */
const escape = (s: string) => s.replace(ASCII_PUNCT, (c) => `\\${c}`);

test('property: any line, escaped as markdown, comes back exactly as written', () => {
  const line = fc.string({ unit: 'grapheme', maxLength: 60 }).map((s) => s.replace(/[\0\r\n]/g, ''));
  fc.assert(fc.property(line, (s) => assert.equal(plainText(escape(s)), s)), { seed: SEED, numRuns: RUNS });
});

test('property: text without markdown characters is returned unchanged', () => {
  const safe = fc.string({ unit: 'grapheme', maxLength: 80 }).map((s) => s.replace(/[*_~`[!<&\\\0\r\n]/g, ''));
  fc.assert(fc.property(safe, (s) => assert.equal(plainText(s), s)), { seed: SEED, numRuns: RUNS });
});

test('property: a word in emphasis, strong, strikethrough, code or a link reads as the word', () => {
  const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,:-]{0,20}[A-Za-z0-9]$/);
  const wrap = fc.constantFrom((w: string) => `*${w}*`, (w: string) => `**${w}**`, (w: string) => `~~${w}~~`, (w: string) => `\`${w}\``, (w: string) => `[${w}](http://127.0.0.1/x)`, (w: string) => `_${w}_`);
  fc.assert(
    fc.property(word, wrap, word, (w, f, before) => {
      assert.equal(plainText(`${before} (${f(w)}) end`), `${before} (${w}) end`);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('property: never throws, never returns a line break, on arbitrary markdown-ish input', () => {
  const piece = fc.constantFrom('*', '**', '_', '__', '~~', '`', '``', '[', ']', '(', ')', '![', '<', '>', '&', '&amp;', '&#', ';', '\\', '\n', ' ', 'a', 'é', '😀', 'http://x', '\0');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
      const out = plainText(parts.join(''));
      assert.equal(typeof out, 'string');
      assert.ok(!out.includes('\n'));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('hostile input: long runs of openers, nested brackets and backticks are read in one pass', { timeout: 60_000 }, () => {
  const n = 100_000;
  const cases: [string, (out: string) => void][] = [
    ['*'.repeat(n) + 'a', (o) => assert.ok(o.endsWith('a'))],
    ['_a'.repeat(n), (o) => assert.equal(o.length, 2 * n)],
    ['['.repeat(n) + 'x', (o) => assert.equal(o, '['.repeat(n) + 'x')],
    ['[a]('.repeat(n / 4), (o) => assert.equal(o, '[a]('.repeat(n / 4))],
    ['`'.repeat(n) + 'x' + '`'.repeat(n - 1), (o) => assert.ok(o.includes('x'))],
    ['` '.repeat(n), (o) => assert.ok(o.length > 0)],
    ['<'.repeat(n) + 'http://a', (o) => assert.ok(o.startsWith('<<<'))],
    ['&#'.repeat(n), (o) => assert.equal(o, '&#'.repeat(n))],
    ['\\'.repeat(n), (o) => assert.equal(o.length, n / 2 + (n % 2))],
    ['*a **b '.repeat(n / 8), (o) => assert.ok(o.includes('b'))],
    ['![a'.repeat(n / 3) + ']', (o) => assert.ok(o.length > 0)],
    ['~~'.repeat(n), (o) => assert.equal(typeof o, 'string')],
  ];
  for (const [input, check] of cases) check(plainText(input));
});

test('inlineMarkdown: a reason shows as written; its code spans stay code', () => {
  assert.equal(inlineMarkdown('cp -r ./engramia_data ./engramia_data_backup_$(date +%Y%m%d); pg_dump "$ENGRAMIA_URL"'),
    'cp -r ./engramia\\_data ./engramia\\_data\\_backup\\_\\$(date +%Y%m%d); pg\\_dump "\\$ENGRAMIA\\_URL"');
  assert.equal(inlineMarkdown('check that `ssh <host>` works'), 'check that `ssh <host>` works', 'no entity inside code');
  assert.equal(inlineMarkdown('a <b> & *c*'), 'a \\<b\\> \\& \\*c\\*');
  assert.equal(inlineMarkdown('(`engramia_sk_` + 43 characters)'), '(`engramia_sk_` + 43 characters)');
  assert.equal(inlineMarkdown('one ` alone'), 'one \\` alone');
  assert.equal(inlineMarkdown('``a`b`` and `c`'), '``a`b`` and `c`');
  assert.equal(plainText(inlineMarkdown('``a`b`` and `c`')), 'a`b and c');
});

test('property: inlineMarkdown then plainText gives back text without backticks exactly', () => {
  const line = fc.string({ unit: 'grapheme', maxLength: 60 }).map((s) => s.replace(/[\0\r\n`]/g, ''));
  fc.assert(fc.property(line, (s) => assert.equal(plainText(inlineMarkdown(s)), s)), { seed: SEED, numRuns: RUNS });
});

test('property: text around one code span reads as the text and the span\'s content', () => {
  const plain = fc.string({ maxLength: 30 }).map((s) => s.replace(/[\0\r\n`]/g, ''));
  const code = fc.stringMatching(/^[!-_a-~]([ -_a-~]{0,20}[!-_a-~])?$/);
  fc.assert(fc.property(plain, code, plain, (a, c, b) => assert.equal(plainText(inlineMarkdown(`${a}\`${c}\`${b}`)), `${a}${c}${b}`)), { seed: SEED, numRuns: RUNS });
});

test('hostile input: inlineMarkdown pairs backtick runs in one pass', { timeout: 60_000 }, () => {
  const n = 100_000;
  const growing = Array.from({ length: 400 }, (_, i) => '`'.repeat(i + 1) + 'x').join(' ');
  assert.equal(plainText(inlineMarkdown(growing)).length > 0, true);
  assert.equal(inlineMarkdown('` '.repeat(n)).length, n * 2);
  assert.equal(inlineMarkdown('`a'.repeat(n)), '`a'.repeat(n));
  assert.equal(inlineMarkdown('_'.repeat(n)), '\\_'.repeat(n));
});

test('plural: the count and the right form of the word', () => {
  assert.equal(plural(1, 'check'), '1 check');
  assert.equal(plural(2, 'check'), '2 checks');
  assert.equal(plural(0, 'check'), '0 checks');
  assert.equal(plural(1, 'section'), '1 section');
  assert.equal(plural(1, 'failure'), '1 failure');
  assert.equal(plural(3, 'failure'), '3 failures');
  assert.equal(plural(2, 'fix'), '2 fixes');
  assert.equal(plural(2, 'match'), '2 matches');
  assert.equal(plural(2, 'key'), '2 keys');
  assert.equal(plural(2, 'dependency'), '2 dependencies');
  assert.equal(plural(1, 'file was', 'files were'), '1 file was');
  assert.equal(plural(4, 'file was', 'files were'), '4 files were');
});
