/** Shared helpers for the runbook tests: round-trip and single-box toggle assertions. */
import assert from 'node:assert/strict';
import { parseRunbook, serializeRunbook, setTaskChecked, type RunbookDocument } from '../../../src/core/runbook';

export function roundTrip(text: string): RunbookDocument {
  const doc = parseRunbook(text);
  assert.equal(doc.cells.map((c) => c.source?.raw ?? '').join(''), doc.failure ? '' : text, 'cells tile the source');
  assert.equal(serializeRunbook(doc.cells, { eol: doc.eol, failure: doc.failure }), text, 'unchanged cells serialize to the input');
  // As the editor hands cells back: plain copies (no values memoised on the source objects).
  const copies = JSON.parse(JSON.stringify(doc.cells));
  assert.equal(serializeRunbook(copies, { eol: doc.eol, failure: doc.failure }), text, 'copied cells serialize to the input');
  return doc;
}

/** Toggles every task cell in turn; each toggle must change exactly one character, inside the box. */
export function assertSingleBoxToggles(text: string, doc: RunbookDocument = parseRunbook(text)): number {
  let toggled = 0;
  doc.cells.forEach((cell, i) => {
    if (!cell.task) return;
    const next = setTaskChecked(cell.value, !cell.task.checked);
    assert.ok(next !== undefined, `cell ${i} is a task`);
    const cells = JSON.parse(JSON.stringify(doc.cells)).map((c: RunbookDocument['cells'][number], k: number) => (k === i ? { ...c, value: next } : c));
    const out = serializeRunbook(cells, { eol: doc.eol });
    assert.equal(out.length, text.length, `toggling cell ${i} keeps the length`);
    const diffs: number[] = [];
    for (let k = 0; k < out.length; k++) if (out[k] !== text[k]) diffs.push(k);
    assert.equal(diffs.length, 1, `toggling cell ${i} changes exactly one character (changed: ${diffs.length})`);
    const at = diffs[0];
    assert.equal(out[at - 1], '[', 'the change is inside a box');
    assert.equal(out[at + 1], ']', 'the change is inside a box');
    assert.match(text[at] + out[at], /^( [xX]|[xX] )$/);
    toggled++;
  });
  return toggled;
}
