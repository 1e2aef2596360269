/**
 * serializeRunbookBytes writes the text's UTF-8 in pieces (no whole intermediate string): the bytes
 * must be exactly TextEncoder's for the text serializeRunbook returns, on documents long enough to
 * take several pieces, with a byte order mark, CRLF line ends, non-ASCII text and surrogate pairs;
 * a file that failed to parse still comes back byte for byte.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseRunbook, serializeRunbook, serializeRunbookBytes, type CellLike, type SerializeMeta } from '../../../src/core/runbook';
import { encodeUtf8 } from '../../../src/core/runbook/serialize';

const SEED = Number(process.env.SEED ?? 20261203);
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/roundtrip', name), 'utf8');
const utf8 = (s: string) => Buffer.from(new TextEncoder().encode(s));

/** About `chars` characters: the unicode and CRLF fixtures (and a lone-CR one) over and over, numbered. */
function bigText(chars: number, bom: boolean): string {
  const blocks = [fixture('17-unicode.md'), fixture('02-crlf.md').replace(/^---[\s\S]*?---\r\n/, ''), fixture('27-lone-cr.md')];
  let text = bom ? '\ufeff# Top 🚀\n\n' : '# Top 🚀\n\n';
  for (let i = 0; text.length < chars; i++) text += `## Block ${i} — ü 日本 👩‍👩‍👧\n\n` + blocks[i % blocks.length] + '\n';
  return text;
}

function assertBytes(cells: readonly CellLike[], meta: SerializeMeta, message: string): Buffer {
  const bytes = serializeRunbookBytes(cells, meta);
  assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype, `${message}: a plain Uint8Array`);
  const out = Buffer.from(bytes);
  assert.deepEqual(out, utf8(serializeRunbook(cells, meta)), `${message}: TextEncoder's bytes of the serialized text`);
  return out;
}

test('bytes of a long document (several pieces): unchanged, copied, edited, with cells added and removed', () => {
  for (const bom of [false, true]) {
    const text = bigText(300_000, bom);
    const input = utf8(text);
    const doc = parseRunbook(new Uint8Array(input));
    assert.equal(doc.failure, undefined);
    assert.equal(doc.bom, bom || undefined);
    assert.ok(doc.cells.length > 1000, `${doc.cells.length} cells`);
    const meta: SerializeMeta = { eol: doc.eol, bom: doc.bom };
    assert.deepEqual(assertBytes(doc.cells, meta, 'unchanged'), input, 'unchanged: the input bytes');
    const copied: CellLike[] = JSON.parse(JSON.stringify(doc.cells));
    assert.deepEqual(assertBytes(copied, meta, 'copied'), input, 'copied: the input bytes');
    const middle = Math.floor(copied.length / 2);
    const note: CellLike = { kind: 'markup', language: 'markdown', value: 'Note 🙂 ünï 中文' };
    const check: CellLike = { kind: 'code', language: 'sh', value: 'echo "日本 👩‍👩‍👧"' };
    const edited = copied.map((c, i) => (i === middle && c.kind === 'markup' ? { ...c, value: c.value + ' — geändert 🎉' } : c));
    const added = [...edited.slice(0, middle), note, check, ...edited.slice(middle)];
    assertBytes(added, meta, 'edited and added');
    const withoutTop = assertBytes(copied.slice(1), meta, 'top cell removed');
    if (bom) {
      assert.deepEqual([...withoutTop.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the BOM stays first');
      assert.equal(withoutTop.indexOf(Buffer.from([0xef, 0xbb, 0xbf]), 1), -1, 'exactly one BOM');
    } else assert.notDeepEqual([...withoutTop.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const crlf = parseRunbook(text.replace(/\r?\n/g, '\r\n'));
    assert.equal(crlf.eol, '\r\n');
    assert.deepEqual(assertBytes([...crlf.cells.slice(0, 3), note, ...crlf.cells.slice(3)], { eol: crlf.eol, bom: crlf.bom }, 'CRLF').includes(utf8('\r\n\r\nNote 🙂 ünï 中文\r\n')), true, 'an added cell takes CRLF');
  }
});

test('bytes: a long file that failed to parse comes back byte for byte, also with cells added around it', () => {
  const input = Buffer.concat([utf8(bigText(100_000, true)), Buffer.from([0xff, 0xfe, 0x0a]), utf8('tail 👩‍👩‍👧\n')]);
  const doc = parseRunbook(new Uint8Array(input));
  assert.ok(doc.failure);
  const meta: SerializeMeta = { eol: doc.eol, bom: doc.bom, failure: doc.failure };
  assert.deepEqual(Buffer.from(serializeRunbookBytes(doc.cells, meta)), input);
  const note: CellLike = { kind: 'markup', language: 'markdown', value: 'vor 🙂' };
  const around = Buffer.from(serializeRunbookBytes([note, ...doc.cells, note], meta));
  const at = around.indexOf(input);
  assert.ok(at > 0, 'the original bytes are kept whole');
  assert.match(around.subarray(0, at).toString('utf8'), /^vor 🙂\n/, 'after the cell added above');
  assert.match(around.subarray(at + input.length).toString('utf8'), /^\n*vor 🙂\n$/, 'and before the one added below');
});

test('property: encodeUtf8 gives TextEncoder\'s bytes of the joined parts (pieces cut anywhere, lone surrogates)', () => {
  const piece = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('\ud83d', '\ude80', '\ud83d\ude80', 'é', '\n', '\r\n', '\ufeff'),
    fc.tuple(fc.integer({ min: 1, max: 40_000 }), fc.constantFrom('a', 'ü', '日')).map(([n, c]) => c.repeat(n)),
  );
  fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
    assert.deepEqual(Buffer.from(encodeUtf8(parts)), utf8(parts.join('')));
  }), { seed: SEED, numRuns: 300 });
});

test('encodeUtf8: a surrogate pair split across two parts at a piece boundary stays one character', () => {
  const parts = ['a'.repeat(32 * 1024 - 1) + '\ud83d', '\ude80 b', '\ud83d', 'x'.repeat(40_000), '\ude80'];
  assert.deepEqual(Buffer.from(encodeUtf8(parts)), utf8(parts.join('')));
  assert.ok(Buffer.from(encodeUtf8(parts)).includes(Buffer.from('🚀 b')));
  assert.deepEqual(Buffer.from(encodeUtf8([])), Buffer.alloc(0));
});
