/**
 * Property tests: documents built from markdown building blocks (headings, prose, task items with
 * nested fences at random indents, CRLF/LF, trailing whitespace, unicode) round-trip byte for byte
 * and every tick changes one character; random strings and random bytes round-trip too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseRunbook, serializeRunbook, serializeRunbookBytes } from '../../../src/core/runbook';
import { lineStarts, rawShows, valueOfRaw } from '../../../src/core/runbook/lines';
import { splitSpans } from '../../../src/core/runbook/split';
import { slug, slugAnyScript } from '../../../src/core/runbook/text';
import { assertSingleBoxToggles, roundTrip } from './helpers';

const SEED = Number(process.env.SEED ?? 20261122);
const RUNS = Number(process.env.RUNS ?? 300);

const word = fc.constantFrom('health', 'Prüfe', '検証', 'ok', '🚀', 'a*b*', '`code`', '[link](x)', '#tag', 'x_y', '<b>', '|', '\\', 'done.', '👩‍👩‍👧', 'ä', 'ßtraße', '--', '~~s~~');
const text = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
const trailing = fc.constantFrom('', '', '', ' ', '  ', '\t');
const indent = fc.constantFrom('', '  ', '    ', '\t');

type Block = string[];

const heading = fc.tuple(fc.integer({ min: 1, max: 6 }), text, trailing).map(([l, t, s]): Block => ['#'.repeat(l) + ' ' + t + s]);
const setext = fc.tuple(text, fc.constantFrom('===', '---')).map(([t, u]): Block => [t, u]);
const paragraph = fc.array(fc.tuple(text, trailing).map(([t, s]) => t + s), { minLength: 1, maxLength: 3 });
const fenceBody = fc.array(fc.oneof(text, fc.constantFrom('```', '?? status == 200', '', '  indented', '~~~')), { maxLength: 4 });
const info = fc.constantFrom('', 'http', 'sh', 'python {id=py}', 'http {"id":"h","timeout":"5s"}', 'shell { id=s title="two words" }', 'text', 'manual');

const fence = fc.tuple(indent, fc.constantFrom('```', '````', '~~~', '`````'), info, fenceBody, fc.boolean(), trailing).map(([ind, marker, inf, body, closed, s]): Block => {
  const lines = [ind + marker + inf + s, ...body.filter((b) => marker.length > 3 || marker[0] === '~' || b !== '```').filter((b) => marker[0] !== '~' || b !== '~~~').map((b) => (b ? ind + b : b))];
  if (closed) lines.push(ind + marker);
  return lines;
});

const task = fc
  .tuple(indent, fc.constantFrom('-', '*', '+', '1.', '2)'), fc.constantFrom('[ ]', '[x]', '[X]'), text, trailing, fc.option(fc.tuple(fc.constantFrom(2, 3, 4), fence), { nil: undefined }), fc.boolean())
  .map(([ind, marker, box, t, s, nested, loose]): Block => {
    const lines = [ind + marker + ' ' + box + ' ' + t + s];
    if (nested) {
      if (loose) lines.push('');
      const [extra, f] = nested;
      for (const l of f) lines.push(l ? ind + ' '.repeat(Math.max(extra, marker.length + 1)) + l : l);
    }
    return lines;
  });

const misc = fc.constantFrom<Block>(['> quoted', '> ```sh', '> echo q', '> ```'], ['<!-- comment -->'], ['<div>', '', 'x', '', '</div>'], ['    indented code', '    - [ ] not a task'], ['| a | b |', '|---|---|', '| 1 | 2 |'], ['---'], ['- plain item', '- another']);

const block = fc.oneof({ arbitrary: task, weight: 4 }, { arbitrary: heading, weight: 2 }, { arbitrary: paragraph, weight: 2 }, { arbitrary: fence, weight: 2 }, { arbitrary: setext, weight: 1 }, { arbitrary: misc, weight: 1 });
const gap = fc.array(trailing, { maxLength: 2 });

const doc = fc
  .record({
    frontMatter: fc.option(fc.constantFrom(['---', 'title: T', '---'], ['---', 'inputs: [', '---'], ['---', 'x: 1', '...']), { nil: undefined }),
    blocks: fc.array(fc.tuple(block, gap), { minLength: 1, maxLength: 12 }),
    eol: fc.constantFrom('lf', 'crlf', 'mixed'),
    finalNewlines: fc.integer({ min: 0, max: 3 }),
    bom: fc.boolean(),
  })
  .map(({ frontMatter, blocks, eol, finalNewlines, bom }) => {
    const lines: string[] = [...(frontMatter ?? [])];
    for (const [b, g] of blocks) lines.push(...b, ...g);
    let k = 0;
    const nl = () => (eol === 'lf' ? '\n' : eol === 'crlf' ? '\r\n' : ++k % 2 ? '\n' : '\r\n');
    let out = lines.map((l, i) => (i < lines.length - 1 ? l + nl() : l)).join('');
    for (let i = 0; i < finalNewlines; i++) out += nl();
    return (bom ? '\ufeff' : '') + out;
  });

test('property: generated runbooks round-trip byte for byte', () => {
  fc.assert(fc.property(doc, (text) => {
    roundTrip(text);
  }), { seed: SEED, numRuns: RUNS });
});

test('property: ticking any task changes exactly one character, in its box', () => {
  let total = 0;
  fc.assert(fc.property(doc, (text) => {
    total += assertSingleBoxToggles(text);
  }), { seed: SEED + 1, numRuns: RUNS });
  assert.ok(total > RUNS / 2, `tasks were toggled (${total})`);
});

test('property: random strings round-trip (identity only)', () => {
  const chars = fc.constantFrom('\n', '\r\n', '\r', ' ', '\t', '-', '*', '#', '`', '~', '>', '[', ']', 'x', ' [ ] ', '```', '---', '1.', 'a', 'é', '🚀', '\ufeff', '<', '|', '=');
  fc.assert(fc.property(fc.array(chars, { maxLength: 60 }).map((a) => a.join('')), (s) => {
    roundTrip(s);
  }), { seed: SEED + 2, numRuns: 1000 });
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
    const d = parseRunbook(s);
    assert.equal(serializeRunbook(d.cells, { eol: d.eol, failure: d.failure }), s);
  }), { seed: SEED + 3, numRuns: 500 });
  fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 200 }), (s) => {
    const d = parseRunbook(s);
    assert.equal(serializeRunbook(d.cells, { eol: d.eol, failure: d.failure }), s);
  }), { seed: SEED + 4, numRuns: 500 });
});

test('property: random bytes (invalid UTF-8, NUL) come back byte for byte', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    const d = parseRunbook(bytes);
    assert.deepEqual(Buffer.from(serializeRunbookBytes(d.cells, { eol: d.eol, failure: d.failure })), Buffer.from(bytes));
  }), { seed: SEED + 5, numRuns: 500 });
});

test('property: the in-place comparison agrees with the derived value', () => {
  const chars = fc.constantFrom('\n', '\r\n', '\r', ' ', '\t', 'a', '```', '\ufeff', 'é', '  b');
  const raw = fc.array(chars, { maxLength: 30 }).map((a) => a.join(''));
  const fence = fc.option(fc.record({ openLine: fc.constant('```'), closeLine: fc.constantFrom(null, '```'), marker: fc.constant('```'), info: fc.constant('') }), { nil: undefined });
  fc.assert(fc.property(raw, fc.constantFrom('', ' ', '  ', '\t'), fence, (r, indent, f) => {
    const v = valueOfRaw(r, indent, f);
    assert.ok(rawShows(r, indent, f, v), 'matches its own value');
    assert.ok(!rawShows(r, indent, f, v + 'x'));
    assert.ok(!rawShows(r, indent, f, v + '\n'));
    if (v.length) assert.ok(!rawShows(r, indent, f, v.slice(0, -1)));
  }), { seed: SEED + 6, numRuns: 3000 });
  // LF only: the fast path that finds lines with indexOf
  const lfRaw = fc.array(fc.constantFrom('\n', ' ', '\t', 'a', '```', '\ufeff', 'é', '  b', '\n\n'), { maxLength: 30 }).map((a) => a.join(''));
  fc.assert(fc.property(lfRaw, fc.constantFrom('', ' ', '  ', '\t'), fence, (r, indent, f) => {
    const v = valueOfRaw(r, indent, f);
    assert.ok(rawShows(r, indent, f, v), 'matches its own value');
    assert.ok(!rawShows(r, indent, f, v + 'x'));
    assert.ok(!rawShows(r, indent, f, v + '\n'));
    if (v.length) assert.ok(!rawShows(r, indent, f, v.slice(0, -1)));
    if (v.length) assert.ok(!rawShows(r, indent, f, 'x' + v.slice(1)) || v[0] === 'x');
  }), { seed: SEED + 8, numRuns: 5000 });
});

test('the in-place comparison of an indented line: a value line that occurs further on in raw is not taken for the line at hand', () => {
  const fence = { openLine: '```', closeLine: '```', marker: '```', info: '' };
  const raw = '  ```\n  first line here\n  second line!\n  first line hereX\n  ```\n';
  assert.ok(rawShows(raw, '  ', fence, 'first line here\nsecond line!\nfirst line hereX'));
  assert.ok(!rawShows(raw, '  ', fence, 'first line hereX\nsecond line!\nfirst line hereX'), 'line 1 edited into line 3\'s text');
  assert.ok(!rawShows(raw, '  ', fence, 'second line!\nsecond line!\nfirst line hereX'), 'line 1 edited into line 2\'s text');
  // the same far from the end of a long cell (compared there with ===)
  const long = '  ```\n  first line here\n' + '  filler line\n'.repeat(200) + '  first line hereX\n  ```\n';
  const value = 'first line here\n' + 'filler line\n'.repeat(200) + 'first line hereX';
  assert.ok(rawShows(long, '  ', fence, value));
  assert.ok(!rawShows(long, '  ', fence, 'first line hereX' + value.slice('first line here'.length, -1)));
});

test('property: the in-place comparison says "same" exactly when the derived values are equal (raws with and without CR)', () => {
  // Values taken from other raws and small edits of the true value: the near misses a fast path
  // could take for equal (CR in fence lines, partial indentation, blank-line gaps).
  const chars = fc.constantFrom('\n', '\n', '\r\n', '\r', ' ', '  ', '\t', 'a', 'b', '```', '\ufeff', 'é');
  const raw = fc.array(chars, { maxLength: 24 }).map((a) => a.join(''));
  const fence = fc.option(fc.record({ openLine: fc.constant('```'), closeLine: fc.constantFrom(null, '```'), marker: fc.constant('```'), info: fc.constant('') }), { nil: undefined });
  const edit = fc.tuple(fc.nat(), fc.constantFrom('', ' ', '\n', 'a', '\t', '  '), fc.nat({ max: 2 }));
  fc.assert(fc.property(raw, raw, fc.constantFrom('', ' ', '  ', '\t'), fence, edit, (r, other, indent, f, [at, ins, del]) => {
    const v = valueOfRaw(r, indent, f);
    const p = v.length ? at % (v.length + 1) : 0;
    const candidates = [v, valueOfRaw(other, indent, f), valueOfRaw(other, '', f), v.slice(0, p) + ins + v.slice(p + del)];
    for (const c of candidates) assert.equal(rawShows(r, indent, f, c), c === v, JSON.stringify({ r, indent, f: !!f, c }));
  }), { seed: SEED + 9, numRuns: 20000 });
});

/** valueOfRaw as the format describes it, written plainly: the oracle for the one-pass version. */
function plainValueOf(raw: string, indent: string, fence?: { closeLine: string | null }): string {
  const text = raw.startsWith('\ufeff') ? raw.slice(1) : raw;
  const lines = text.split(/\r\n|\r|\n/);
  if (/(\r\n|\r|\n)$/.test(text) || text === '') lines.pop();
  const blank = (l: string) => /^[ \t]*$/.test(l);
  let end = lines.length;
  while (end > 0 && blank(lines[end - 1])) end--;
  let start = 0;
  if (fence) {
    start = 1;
    if (fence.closeLine !== null && end > 1) end--;
    if (end < 1) end = 1;
  } else while (start < end && blank(lines[start])) start++;
  const lead = new RegExp(`^[ \\t]{0,${indent.length}}`);
  return lines.slice(start, end).map((l) => l.replace(lead, '')).join('\n');
}

test('property: the value derived from raw bytes is what the format says (any line ends, BOM, indentation, fences)', () => {
  const chars = fc.constantFrom('\n', '\n', '\r\n', '\r', ' ', '  ', '\t', 'a', 'bc', '```', '\ufeff', 'é', '\n\n');
  const raw = fc.array(chars, { maxLength: 30 }).map((a) => a.join(''));
  const fence = fc.option(fc.record({ openLine: fc.constant('```'), closeLine: fc.constantFrom(null, '```'), marker: fc.constant('```'), info: fc.constant('') }), { nil: undefined });
  fc.assert(fc.property(raw, fc.constantFrom('', ' ', '  ', '\t', '    '), fence, (r, indent, f) => {
    assert.equal(valueOfRaw(r, indent, f), plainValueOf(r, indent, f), JSON.stringify({ r, indent, f: f && f.closeLine }));
  }), { seed: SEED + 11, numRuns: 30000 });
});

test('property: the one-scan ASCII slug equals the any-script slug', () => {
  const ch = fc.oneof(fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)), fc.constantFrom('`', '*', '_', '~', '[', ']', '(', ')', '<', '>', ' ', '-', 'A', 'z', '9', 'é', 'İ', 'ﬁ', '½', '\u00a0'));
  fc.assert(fc.property(fc.array(ch, { maxLength: 30 }).map((a) => a.join('')), (t) => {
    assert.equal(slug(t), slugAnyScript(t), JSON.stringify(t));
  }), { seed: SEED + 10, numRuns: 20000 });
  assert.equal(slug('Check `pip show` (v2) — **ok**'), 'check-pip-show-v2-ok');
  assert.equal(slug('__init__ < a_b >'), 'init-ab');
});

test('property: an edited check body comes back as written, other cells untouched', () => {
  const bodyLine = fc.constantFrom('echo ok', '```', '````', '~~~', '', '  indented', '\tTab', '?? exit == 0', '```sh', '- [ ] not a task', '# not a heading', '  ');
  const gen = fc.record({
    ind: fc.constantFrom('', ' ', '  '),
    marker: fc.constantFrom('```', '~~~', '````'),
    closed: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n'),
    body: fc.array(bodyLine, { maxLength: 6 }),
    language: fc.constantFrom('sh', 'http', 'python'),
  });
  fc.assert(fc.property(gen, ({ ind, marker, closed, eol, body, language }) => {
    const lines = ['# Title', '', '- [ ] Do the thing', `${ind}  ${marker}sh {id=x}`, `${ind}  echo old`];
    if (closed) lines.push(`${ind}  ${marker}`);
    lines.push('- [ ] Next', '', 'Tail text.', '');
    const text = lines.join(eol);
    const doc = parseRunbook(text);
    const i = doc.cells.findIndex((c) => c.kind === 'code');
    assert.ok(i > 0);
    const value = body.join('\n');
    const cells = doc.cells.map((c, k) => (k === i ? { ...c, value, language } : c));
    const out = serializeRunbook(cells, { eol: doc.eol });
    const again = parseRunbook(out);
    const j = again.cells.findIndex((c) => c.kind === 'code');
    // a trailing blank line of an unclosed fence at the end of its item is part of the gap
    const expected = closed ? value : value.replace(/(\n[ \t]*)+$/, '').replace(/^[ \t]*$/, '');
    assert.equal(again.cells[j].value, expected);
    assert.equal(again.cells[j].language, language);
    assert.equal(again.cells[j].check?.id, 'x');
    assert.equal(again.cells.length, doc.cells.length);
    for (let k = 0; k < doc.cells.length; k++) if (k !== i) assert.equal(again.cells[k].value, doc.cells[k].value);
  }), { seed: SEED + 7, numRuns: 1000 });
});

/** Runbook-shaped notebooks: top-level blocks, checklists with checks nested at the item's content column. */
const notebook = fc
  .record({
    frontMatter: fc.boolean(),
    blocks: fc.array(fc.oneof(
      heading, setext, paragraph,
      fc.tuple(fc.constantFrom('```', '~~~', '````'), info, fc.array(text, { maxLength: 3 })).map(([m, inf, body]): Block => [m + inf, ...body, m]),
      fc.array(fc.tuple(fc.constantFrom('-', '*', '1.'), fc.constantFrom('[ ]', '[x]'), text, fc.option(fc.tuple(info, fc.array(text, { maxLength: 2 })), { nil: undefined })), { minLength: 1, maxLength: 3 })
        .map((items): Block => items.flatMap(([marker, box, t, check]) => {
          const pad = ' '.repeat(marker.length + 1);
          return [`${marker} ${box} ${t}`, ...(check ? [pad + '```' + check[0], ...check[1].map((l) => pad + l), pad + '```'] : [])];
        })),
      fc.constantFrom<Block>(['> quoted', '> more'], ['| a | b |', '|---|---|', '| 1 | 2 |'], ['- plain item', '- another'], ['<!-- comment -->'], ['***']),
    ), { minLength: 1, maxLength: 8 }),
    gaps: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 8, maxLength: 8 }),
    eol: fc.constantFrom('\n', '\r\n'),
  })
  .map(({ frontMatter, blocks, gaps, eol }) => {
    const lines: string[] = frontMatter ? ['---', 'title: T', '---', ''] : [];
    blocks.forEach((b, k) => {
      lines.push(...b);
      for (let g = 0; g < gaps[k]; g++) lines.push('');
    });
    return lines.join(eol);
  });

test('property: a markdown cell added anywhere comes back as its own cell, the others unchanged', () => {
  const added = fc.constantFrom('A note the user added.', 'Two lines\nof prose', '- plain item', '# Added heading', '- [ ] added task', '> a quote', '| a | b |\n|---|---|\n| 1 | 2 |', '1. first', '<!-- comment -->', '***', 'Setext\n===', '**bold** start');
  let inserted = 0;
  fc.assert(fc.property(notebook, fc.nat(), added, (text, at, value) => {
    const before = parseRunbook(text);
    let i = at % (before.cells.length + 1);
    if (i === 0 && before.cells[0]?.role === 'frontMatter') i = 1; // front matter is only front matter at the top
    const cells = [...before.cells.slice(0, i), { kind: 'markup' as const, language: 'markdown', value }, ...before.cells.slice(i)];
    const out = serializeRunbook(cells, { eol: before.eol, bom: before.bom });
    const after = parseRunbook(out);
    const shape = (cs: readonly { kind: string; value: string }[]) => cs.map((c) => `${c.kind}: ${c.value}`);
    assert.deepEqual(shape(after.cells), shape(cells), `inserted at ${i}:\n${JSON.stringify(out)}`);
    // the cells around it keep their bytes
    for (const c of before.cells) assert.ok(out.includes(c.source!.raw.replace(/(\r?\n)+$/, '')));
    inserted++;
  }), { seed: SEED + 9, numRuns: RUNS * 2 });
  assert.ok(inserted >= RUNS);
});

test('property: the split reuses markdown-it\'s line table: line starts are those of the text (front matter, BOM, CR, a last line of spaces)', () => {
  const piece = fc.constantFrom('---\n', '---', '...\n', 'title: x\n', '# h\n', '- [ ] t\n', '```sh\n', '```\n', '  ', '\t', ' \n', '\n', '\r\n', '\r', 'a', '\ufeff', '> q\n', '| a |\n|---|\n');
  fc.assert(fc.property(fc.array(piece, { maxLength: 16 }).map((a) => a.join('')), (t) => {
    assert.deepEqual(splitSpans(t).starts, lineStarts(t), JSON.stringify(t));
    assert.equal(splitSpans(t).cr, t.includes('\r'));
  }), { seed: SEED + 12, numRuns: 20000 });
  for (const t of ['', ' ', 'a\n  ', '\ufeff  ', '---\nx: 1\n---', '---\nx: 1\n---\n  ', '\ufeff---\n---\n\t']) assert.deepEqual(splitSpans(t).starts, lineStarts(t), JSON.stringify(t));
});
