/** Golden corpus: every fixture parses and serializes back to its exact bytes; every tick is one character. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRunbook, serializeRunbookBytes } from '../../../src/core/runbook';
import { assertSingleBoxToggles, roundTrip } from './helpers';

const dir = join(import.meta.dirname, '../../fixtures/roundtrip');
const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();

test('the golden corpus has at least 15 fixtures', () => {
  assert.ok(files.length >= 15, `${files.length} fixtures`);
});

for (const file of files) {
  test(`round-trip: ${file}`, () => {
    const bytes = new Uint8Array(readFileSync(join(dir, file)));
    const doc = parseRunbook(bytes);
    assert.equal(doc.failure, undefined, 'parses');
    const out = serializeRunbookBytes(doc.cells, { eol: doc.eol });
    assert.deepEqual(Buffer.from(out), Buffer.from(bytes), 'bytes identical');
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    roundTrip(text);
    assertSingleBoxToggles(text, doc);
  });
}

const load = (name: string) => parseRunbook(new Uint8Array(readFileSync(join(dir, name))));
const tasks = (name: string) => load(name).cells.filter((c) => c.task).map((c) => c.task!.label);

test('basic: roles, checks tied to their task items, explicit and derived ids', () => {
  const doc = load('01-basic.md');
  assert.deepEqual(doc.cells.map((c) => c.role), ['frontMatter', 'section', 'section', 'task', 'fence', 'task', 'fence', 'task', 'section', 'task', 'fence', 'task']);
  const checks = doc.cells.filter((c) => c.check).map((c) => ({ id: c.check!.id, kind: c.check!.kind, task: c.check!.taskCell, label: c.check!.label }));
  assert.deepEqual(checks, [
    { id: 'health', kind: 'http', task: 3, label: 'Service answers on /health' },
    { id: 'basic-runbook/preflight/operator-confirmed-the-window', kind: 'manual', task: 5, label: 'Operator confirmed the window' },
    { id: 'stop-writers', kind: 'shell', task: 9, label: 'Stop writers' },
  ]);
  assert.equal(doc.frontMatter?.title, 'Basic runbook');
  assert.deepEqual(doc.frontMatter?.inputs.map((i) => [i.name, i.secret, i.required]), [['baseUrl', false, false], ['apiKey', true, true]]);
  assert.equal(doc.cells[10].value, 'systemctl stop writer');
  assert.equal(doc.eol, '\n');
});

test('CRLF file: same cells as LF, eol detected, values use LF', () => {
  const lf = load('01-basic.md');
  const crlf = load('02-crlf.md');
  assert.equal(crlf.eol, '\r\n');
  assert.deepEqual(crlf.cells.map((c) => c.value), lf.cells.map((c) => c.value));
});

test('nested lists: checks at 2 and 4 spaces and tabs belong to their items', () => {
  const doc = load('11-nested-lists.md');
  const byLabel = Object.fromEntries(doc.cells.filter((c) => c.check).map((c) => [c.value.split('\n')[0], c.check!.taskCell === null ? null : doc.cells[c.check!.taskCell].task!.label]));
  assert.deepEqual(byLabel, {
    'GET http://127.0.0.1/x': 'inner task with 2-space check',
    'echo four-space': 'inner done (capital X)',
    'print("indented 4 under a loose item")': 'second outer',
    'echo tab': 'tab indented',
  });
  assert.deepEqual(tasks('11-nested-lists.md'), ['outer task', 'inner task with 2-space check', 'inner done (capital X)', 'second outer', 'tab indented', 'star marker', 'plus marker']);
});

test('indented code and blockquotes do not make tasks or checks', () => {
  assert.deepEqual(tasks('12-indented-code.md'), []);
  const quotes = load('20-blockquote.md');
  assert.deepEqual(quotes.cells.filter((c) => c.check), []);
  assert.deepEqual(tasks('20-blockquote.md'), ['real task']);
});

test('long fences keep inner fences in the value', () => {
  const doc = load('13-tilde-and-long-fences.md');
  const values = doc.cells.filter((c) => c.kind === 'code').map((c) => [c.language, c.value]);
  assert.deepEqual(values, [
    ['sh', 'echo "tilde fence with ``` inside"\n```'],
    ['markdown', '```http\nGET /inner\n```'],
    ['text', '````\nstill inside\n````'],
    ['text', 'empty info with trailing space'],
  ]);
});

test('an unclosed fence runs to the end of its item or the document', () => {
  const doc = load('21-unclosed-fence.md');
  const fences = doc.cells.filter((c) => c.kind === 'code');
  assert.deepEqual(fences.map((c) => [c.value, c.source!.fence!.closeLine]), [
    ['echo never closed', null],
    ['print("runs to the end")', null],
  ]);
  assert.deepEqual(tasks('21-unclosed-fence.md'), ['item with unclosed check', 'next item']);
});

test('front matter: invalid YAML and invalid schema are reported in one line, cells still open', () => {
  const bad = load('08-invalid-front-matter.md');
  assert.match(bad.frontMatter!.error!, /^front matter: /);
  assert.ok(!bad.frontMatter!.error!.includes('\n'));
  assert.deepEqual(bad.frontMatter!.inputs, []);
  assert.deepEqual(tasks('08-invalid-front-matter.md'), ['tick me']);
  const schema = load('09-schema-invalid-front-matter.md');
  assert.equal(schema.frontMatter!.error, 'front matter: inputs.0.name: expected string');
  const unclosed = load('10-unclosed-front-matter.md');
  assert.equal(unclosed.frontMatter, undefined);
  assert.notEqual(unclosed.cells[0].role, 'frontMatter');
});

test('BOM: kept in the first cell raw, not in values; front matter still recognised', () => {
  const doc = load('18-bom.md');
  assert.equal(doc.cells[0].role, 'frontMatter');
  assert.ok(doc.cells[0].source!.raw.startsWith('\ufeff'));
  assert.equal(doc.frontMatter!.title, 'BOM');
  const noFm = load('19-bom-no-fm.md');
  assert.equal(noFm.cells[0].role, 'task');
  assert.ok(!noFm.cells[0].value.startsWith('\ufeff'));
});

test('sections: setext and ATX headings, headings in lists are not sections', () => {
  const doc = load('22-setext-and-headings-in-lists.md');
  assert.deepEqual(doc.sections.map((s) => [s.title, s.level, s.id]), [
    ['Setext title', 1, 'setext-title'],
    ['Sub', 2, 'setext-title/sub'],
    ['ATX closed', 2, 'setext-title/atx-closed'],
  ]);
});

test('empty and blank-only files', () => {
  assert.deepEqual(load('23-empty.md').cells, []);
  const blank = load('24-only-blank.md');
  assert.equal(blank.cells.length, 1);
  assert.equal(blank.cells[0].value, '');
});

test('text after a check inside a loose item is its own cell', () => {
  const doc = load('25-ordered-and-loose.md');
  assert.deepEqual(doc.cells.map((c) => c.role), ['section', 'task', 'fence', 'prose', 'task', 'task']);
  assert.equal(doc.cells[3].value, 'After the check, more text in item one.');
  assert.equal(doc.cells[2].check!.taskCell, 1);
});

const bundled = join(import.meta.dirname, '../../../runbooks');
for (const file of (() => {
  try {
    return readdirSync(bundled).filter((f) => f.endsWith('.runbook.md'));
  } catch {
    return [];
  }
})()) {
  test(`bundled runbook round-trips and ticks one character: ${file}`, () => {
    const text = readFileSync(join(bundled, file), 'utf8');
    const doc = roundTrip(text);
    assert.equal(doc.frontMatter?.error, undefined);
    assert.ok(assertSingleBoxToggles(text, doc) > 0);
  });
}

test('every fixture splits into exactly the cells it did before two blank lines started a cell', () => {
  // splits.json: each fixture's cells (line range and role), recorded with the parser before the rule
  const before = JSON.parse(readFileSync(join(dir, 'splits.json'), 'utf8')) as Record<string, string[]>;
  assert.deepEqual(Object.keys(before).sort(), files);
  for (const file of files) assert.deepEqual(load(file).cells.map((c) => `${c.lines.start}-${c.lines.end} ${c.role}`), before[file], file);
});

test('two blank lines start a cell; one blank line does not', () => {
  const one = parseRunbook('# T\n\nfirst\n\nsecond\n');
  assert.deepEqual(one.cells.map((c) => c.value), ['# T\n\nfirst\n\nsecond']);
  const two = parseRunbook('# T\n\nfirst\n\n\nsecond\n\n- [ ] item\n\n\n  indented in the item\n');
  assert.deepEqual(two.cells.map((c) => [c.role, c.value]), [['section', '# T\n\nfirst'], ['prose', 'second'], ['task', '- [ ] item'], ['prose', 'indented in the item']]);
  const quoted = parseRunbook('> a\n>\n>\n> b\n');
  assert.equal(quoted.cells.length, 1, 'not inside blockquotes');
});
