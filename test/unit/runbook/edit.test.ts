/** Edits in the notebook: only the edited span changes in the file. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRunbook, serializeRunbook, serializeRunbookBytes, type CellLike, type RunbookDocument } from '../../../src/core/runbook';

const base = [
  '# Deploy',
  '',
  'Intro.',
  '',
  '- [ ] Health answers',
  '  ```http { id=health timeout=5s }',
  '  GET http://127.0.0.1/health',
  '  ?? status == 200',
  '  ```',
  '- [ ] Json style',
  '  ```sh {"id":"js","timeout":"3s"}',
  '  echo hi',
  '  ```',
  '',
  '## After',
  '',
  'Bye.',
  '',
].join('\n');

function edit(doc: RunbookDocument, index: number, change: Partial<CellLike>): CellLike[] {
  return doc.cells.map((c, i) => (i === index ? { ...c, ...change } : c));
}
const cellOf = (doc: RunbookDocument, value: string) => doc.cells.findIndex((c) => c.value.startsWith(value));

test('editing a fence body changes only its body lines', () => {
  const doc = parseRunbook(base);
  const i = cellOf(doc, 'GET');
  const out = serializeRunbook(edit(doc, i, { value: 'GET http://127.0.0.1/ready\n?? status == 200' }), { eol: doc.eol });
  assert.equal(out, base.replace('/health\n', '/ready\n'));
});

test('a body line that would close the fence lengthens the marker on both fence lines', () => {
  const doc = parseRunbook(base);
  const i = cellOf(doc, 'echo hi');
  const out = serializeRunbook(edit(doc, i, { value: 'cat <<EOF\n```\nEOF' }), { eol: doc.eol });
  assert.equal(out, base.replace('  ```sh {"id":"js","timeout":"3s"}\n  echo hi\n  ```', '  ````sh {"id":"js","timeout":"3s"}\n  cat <<EOF\n  ```\n  EOF\n  ````'));
  const again = parseRunbook(out);
  assert.equal(again.cells[cellOf(again, 'cat')].value, 'cat <<EOF\n```\nEOF');
});

test('CRLF is accepted from the editor and the file keeps its own line ends', () => {
  const crlf = base.replace(/\n/g, '\r\n');
  const doc = parseRunbook(crlf);
  assert.equal(doc.eol, '\r\n');
  const i = cellOf(doc, 'GET');
  const same = serializeRunbook(edit(doc, i, { value: doc.cells[i].value.replace(/\n/g, '\r\n') }), { eol: doc.eol });
  assert.equal(same, crlf);
  const added = serializeRunbook(edit(doc, i, { value: doc.cells[i].value + '\n?? time < 500ms' }), { eol: doc.eol });
  assert.equal(added, crlf.replace('?? status == 200\r\n', '?? status == 200\r\n  ?? time < 500ms\r\n'));
});

test('adding a new code cell in the middle: a fresh fence, the rest unchanged', () => {
  const doc = parseRunbook(base);
  const at = cellOf(doc, '## After');
  const cells: CellLike[] = [...doc.cells.slice(0, at), { kind: 'code', language: 'http', value: 'GET http://127.0.0.1/x\n```', attributes: { id: 'new one' } }, ...doc.cells.slice(at)];
  const out = serializeRunbook(cells, { eol: doc.eol });
  const fresh = '````http { id="new one" }\nGET http://127.0.0.1/x\n```\n````\n\n';
  assert.equal(out, base.replace('## After', fresh + '## After'));
  const again = parseRunbook(out);
  assert.equal(again.cells[at].value, 'GET http://127.0.0.1/x\n```');
  assert.equal(again.cells[at].check?.id, 'new one');
});

test('a new code cell right after a task item is indented under it and belongs to it', () => {
  const doc = parseRunbook('# T\n\n- [ ] Do it\n- [ ] Other\n');
  const cells: CellLike[] = [...doc.cells.slice(0, 2), { kind: 'code', language: 'sh', value: 'echo do' }, ...doc.cells.slice(2)];
  const out = serializeRunbook(cells, { eol: doc.eol });
  assert.equal(out, '# T\n\n- [ ] Do it\n  ```sh\n  echo do\n  ```\n\n- [ ] Other\n');
  const again = parseRunbook(out);
  const check = again.cells.find((c) => c.check)!.check!;
  assert.equal(again.cells[check.taskCell!].task!.label, 'Do it');
});

test('adding markup cells: separated by blank lines; a file without a final EOL gets one first', () => {
  const doc = parseRunbook('# T\n\ntext');
  const out = serializeRunbook([...doc.cells, { kind: 'markup', language: 'markdown', value: '- [ ] new task' }], { eol: doc.eol });
  assert.equal(out, '# T\n\ntext\n\n- [ ] new task\n');
  assert.equal(parseRunbook(out).cells[1].task?.label, 'new task');
});

test('deleting a cell removes exactly its span', () => {
  const doc = parseRunbook(base);
  const i = cellOf(doc, '- [ ] Json style');
  const cells = doc.cells.filter((_, k) => k !== i && k !== i + 1);
  // the deleted fence's trailing blank line (its gap) goes with it
  assert.equal(serializeRunbook(cells, { eol: doc.eol }), base.replace('- [ ] Json style\n  ```sh {"id":"js","timeout":"3s"}\n  echo hi\n  ```\n\n', ''));
});

test('changing a code cell language rewrites the first word of the info string only', () => {
  const doc = parseRunbook(base);
  const i = cellOf(doc, 'echo hi');
  const out = serializeRunbook(edit(doc, i, { language: 'bash' }), { eol: doc.eol });
  assert.equal(out, base.replace('```sh {"id"', '```bash {"id"'));
});

test('attribute rewrites keep the original style (key=value and JSON)', () => {
  const doc = parseRunbook(base);
  const h = cellOf(doc, 'GET');
  const j = cellOf(doc, 'echo hi');
  const out1 = serializeRunbook(edit(doc, h, { attributes: { id: 'health', timeout: '10s', title: 'two words' } }), { eol: doc.eol });
  assert.equal(out1, base.replace('```http { id=health timeout=5s }', '```http { id=health timeout=10s title="two words" }'));
  const out2 = serializeRunbook(edit(doc, j, { attributes: { id: 'js', timeout: '9s' } }), { eol: doc.eol });
  assert.equal(out2, base.replace('{"id":"js","timeout":"3s"}', '{"id":"js","timeout":"9s"}'));
  const same = serializeRunbook(edit(doc, j, { attributes: { timeout: '3s', id: 'js' } }), { eol: doc.eol });
  assert.equal(same, base, 'same attributes in another order: untouched');
});

test('a one-line markup edit keeps indentation, trailing spaces and other lines', () => {
  const text = '- [ ] outer\n  - [ ] inner  \n    more text  \n\n';
  const doc = parseRunbook(text);
  const i = cellOf(doc, '- [ ] inner');
  assert.equal(doc.cells[i].value, '- [ ] inner  \n  more text  ');
  const out = serializeRunbook(edit(doc, i, { value: '- [ ] inner  \n  changed text' }), { eol: doc.eol });
  assert.equal(out, '- [ ] outer\n  - [ ] inner  \n    changed text\n\n');
});

test('an edit of the last line keeps "no EOL at end of file"', () => {
  const doc = parseRunbook('# T\n\nlast line');
  const out = serializeRunbook(edit(doc, 0, { value: '# T\n\nlast line edited\nand one more' }), { eol: doc.eol });
  assert.equal(out, '# T\n\nlast line edited\nand one more');
});

test('a file that failed to parse serializes back to its original bytes unless the error cell is edited', () => {
  const bytes = new Uint8Array([0x23, 0x20, 0xff, 0xfe, 0x0a, 0x00, 0x41]);
  const doc = parseRunbook(bytes);
  assert.ok(doc.failure);
  assert.equal(doc.cells.length, 1);
  assert.equal(doc.cells[0].role, 'error');
  assert.match(doc.cells[0].value, /not valid UTF-8/);
  assert.deepEqual(Buffer.from(serializeRunbookBytes(doc.cells, { eol: doc.eol, failure: doc.failure })), Buffer.from(bytes));
  const edited = serializeRunbookBytes([{ ...doc.cells[0], value: '# Fixed' }], { eol: doc.eol, failure: doc.failure });
  assert.equal(Buffer.from(edited).toString('utf8'), '# Fixed\n');
  const added = serializeRunbookBytes([doc.cells[0], { kind: 'markup', language: 'markdown', value: 'note' }], { eol: doc.eol, failure: doc.failure });
  assert.deepEqual(Buffer.from(added), Buffer.concat([Buffer.from(bytes), Buffer.from('\n\nnote\n')]), 'original bytes kept when a cell is added');
  const nul = parseRunbook('text\u0000more');
  assert.match(nul.failure!.message, /NUL/);
});

test('invalid front matter keeps its bytes and reports the error; editing it re-parses', () => {
  const text = '---\ninputs:\n  - name: 9lives\n---\n\n- [ ] x\n';
  const doc = parseRunbook(text);
  assert.match(doc.frontMatter!.error!, /^front matter: inputs\.0\.name: /);
  assert.equal(serializeRunbook(doc.cells, { eol: doc.eol }), text);
  const out = serializeRunbook(edit(doc, 0, { value: 'inputs:\n  - name: lives' }), { eol: doc.eol });
  assert.equal(out, '---\ninputs:\n  - name: lives\n---\n\n- [ ] x\n');
  assert.equal(parseRunbook(out).frontMatter!.error, undefined);
});

test('a markup cell turned into code (or the reverse) is rendered fresh', () => {
  const doc = parseRunbook('para\n\n```sh\necho\n```\n');
  const out = serializeRunbook([{ ...doc.cells[0], kind: 'code', language: 'sh', value: 'ls' }, doc.cells[1]], { eol: doc.eol });
  assert.equal(out, '```sh\nls\n```\n\n```sh\necho\n```\n');
});

const editFence = (text: string, value: (old: string) => string): string => {
  const doc = parseRunbook(text);
  const i = doc.cells.findIndex((c) => c.kind === 'code');
  return serializeRunbook(edit(doc, i, { value: value(doc.cells[i].value) }), { eol: doc.eol });
};

test('an edited fence body line keeps its own indentation (less indented than the fence)', () => {
  // minimal reproduction: fence indented, body line at the margin
  const out = editFence('  ```sh\nab\n  ```\n', () => 'cd');
  assert.equal(out, '  ```sh\ncd\n  ```\n');
  assert.equal(parseRunbook(out).cells[0].value, 'cd');
});

test('an edited fence body line keeps its tabs; added lines take the indentation of the line above', () => {
  const text = '- [ ] t\n    ```go\n\tfunc a() {\n\t\tx := 1\n\t}\n    ```\n';
  const out = editFence(text, (v) => v.replace('x := 1', 'x := 2\ny := 3'));
  assert.equal(out, '- [ ] t\n    ```go\n\tfunc a() {\n\t\tx := 2\n\t\ty := 3\n\t}\n    ```\n');
  // a new line whose text starts with whitespace, above a line indented less than the fence:
  // the fence's indentation, so that re-reading gives the text back as typed
  const out2 = editFence('  ```sh\nab\n  ```\n', () => 'ab\n  spaced');
  assert.equal(out2, '  ```sh\nab\n    spaced\n  ```\n');
  assert.equal(parseRunbook(out2).cells[0].value, 'ab\n  spaced');
});

test('fence markers are not lengthened for a backtick line that cannot close the fence', () => {
  // minimal reproduction: a backtick line indented 4+ columns past an indented fence
  const text = '  ```sh\n  a\n  ```\n';
  const out = editFence(text, () => 'b\n    ```');
  assert.equal(out, '  ```sh\n  b\n      ```\n  ```\n');
  assert.equal(parseRunbook(out).cells[0].value, 'b\n    ```');
  // three columns deeper can still close it: lengthened
  assert.equal(editFence(text, () => 'b\n   ```'), '  ````sh\n  b\n     ```\n  ````\n');
});

test('a byte order mark stays first when the top cell is deleted or a cell is inserted above it', () => {
  // minimal reproduction: BOM, front matter, a heading
  const text = '\ufeff---\ntitle: T\n---\n# Top\n\n- [ ] item\n';
  const doc = parseRunbook(text);
  assert.equal(doc.bom, true);
  const meta = { eol: doc.eol, bom: doc.bom };
  const deleted = serializeRunbook(doc.cells.slice(1), meta);
  assert.equal(deleted, '\ufeff# Top\n\n- [ ] item\n');
  assert.equal(parseRunbook(deleted).cells[0].role, 'section', 'the heading is still read as a heading');
  const inserted = serializeRunbook([{ kind: 'markup', language: 'markdown', value: '# New' }, ...doc.cells], meta);
  assert.equal(inserted.indexOf('\ufeff'), 0);
  assert.equal(inserted.lastIndexOf('\ufeff'), 0, 'exactly one BOM');
  const moved = serializeRunbook([doc.cells[2], doc.cells[1], doc.cells[0]], meta);
  assert.equal(moved.lastIndexOf('\ufeff'), 0, 'the top cell moved down: the BOM stays first');
  const bytes = Buffer.from(serializeRunbookBytes(doc.cells.slice(1), meta));
  assert.deepEqual([...bytes.subarray(0, 4)], [0xef, 0xbb, 0xbf, 0x23], 'bytes: BOM then "#"');
  assert.equal(bytes.indexOf(Buffer.from([0xef, 0xbb, 0xbf]), 1), -1);
  // a file without a BOM never gets one
  const plain = parseRunbook('# A\n\ntext\n');
  assert.equal(plain.bom, undefined);
  assert.ok(!serializeRunbook(plain.cells.slice(1), { eol: plain.eol, bom: plain.bom }).includes('\ufeff'));
});

test('a markdown cell added after a section or a task item comes back as its own cell', () => {
  // minimal reproduction: the note merged into the section above (and into the task item) on reopen
  const doc = parseRunbook('# T\n\nIntro.\n\n- [ ] a\n');
  const note: CellLike = { kind: 'markup', language: 'markdown', value: 'Note.' };
  const out = serializeRunbook([doc.cells[0], note, doc.cells[1], note], { eol: doc.eol });
  assert.equal(out, '# T\n\nIntro.\n\n\nNote.\n\n- [ ] a\n\n\nNote.\n');
  assert.deepEqual(parseRunbook(out).cells.map((c) => c.value), ['# T\n\nIntro.', 'Note.', '- [ ] a', 'Note.']);
  // before prose (the text after a check), two blank lines after the added cell as well
  const fenced = parseRunbook('- [ ] a\n  ```sh\n  x\n  ```\n\nAfter.\n');
  const out2 = serializeRunbook([...fenced.cells.slice(0, 2), note, fenced.cells[2]], { eol: fenced.eol });
  assert.deepEqual(parseRunbook(out2).cells.map((c) => c.value), ['- [ ] a', 'x', 'Note.', 'After.']);
  // inside a list item (between an item and its check), the added cell is indented into the item
  const nested = parseRunbook('- [ ] a\n\n    ```sh\n    x\n    ```\n');
  const out3 = serializeRunbook([nested.cells[0], note, nested.cells[1]], { eol: nested.eol });
  assert.equal(out3, '- [ ] a\n\n\n    Note.\n\n    ```sh\n    x\n    ```\n');
  const again = parseRunbook(out3);
  assert.deepEqual(again.cells.map((c) => c.value), ['- [ ] a', 'Note.', 'x']);
  assert.equal(again.cells[2].check?.taskCell, 0, 'the check still belongs to its item');
});
