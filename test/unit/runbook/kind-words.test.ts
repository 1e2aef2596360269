/**
 * One truth about which fences are checks: the registry. The serializer's built-in word list
 * (light enough for the parser bundle, which must not load the kinds) is the registry's words,
 * and the CLI and the extension's notebook view see the same checks in every bundled runbook and
 * fixture.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRunbook } from '../../../src/cli/commands/run';
import { defaultRegistry } from '../../../src/core/kinds';
import { DEFAULT_CHECK_KINDS, deriveRunbook, parseRunbook } from '../../../src/core/runbook';

const ROOT = join(__dirname, '..', '..', '..');

function runbooks(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? runbooks(p) : /\.md$/.test(n) ? [p] : [];
  });
}

test('the parser\'s built-in check words are exactly the registry\'s words', () => {
  assert.deepEqual([...DEFAULT_CHECK_KINDS].sort(), [...defaultRegistry().words()].sort());
});

test('the CLI and the extension see the same checks in both bundled runbooks and every fixture', () => {
  const files = [...runbooks(join(ROOT, 'runbooks')), ...runbooks(join(ROOT, 'test', 'fixtures'))];
  assert.ok(files.length > 20);
  let compared = 0;
  for (const file of files) {
    const cli = loadRunbook(file);
    if ('error' in cli) continue;
    // The extension: the serializer's parse (built-in words), then the live view derived from the cells with the registry.
    const nb = parseRunbook(readFileSync(file));
    const isCheckKind = (w: string) => !!defaultRegistry().resolve(w);
    const derived = deriveRunbook(nb.cells.map((c) => ({ kind: c.kind, value: c.value, languageId: c.language, source: c.source })) as never, { isCheckKind });
    const ids = (cells: readonly { check?: { id: string; kind: string } }[]) => cells.flatMap((c) => (c.check ? [`${c.check.id}:${c.check.kind}`] : []));
    assert.deepEqual(ids(nb.cells), ids(cli.doc.cells), file);
    assert.deepEqual(ids(derived.cells), ids(cli.doc.cells), file);
    compared++;
  }
  assert.ok(compared >= 10, `compared ${compared} runbooks`);
});
