import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { listChecks, parseRunbook } from '../../../src/core/runbook';
import { fencedChecks, REPO } from '../process/runbook-fences';
import { defaultRegistry, isDestructiveCheck } from '../../../src/core/kinds';
import { RUNBOOK } from './fixture';

test('the product parser reads the September runbook: valid front matter, explicit ids, every check under a task, same bodies', () => {
  const doc = parseRunbook(readFileSync(RUNBOOK, 'utf8'));
  assert.equal(doc.failure?.message, undefined);
  assert.equal(doc.frontMatter?.error, undefined);
  assert.ok(doc.frontMatter!.inputs.some((i) => i.name === 'engineKey' && i.secret));
  const listed = listChecks(doc);
  const mine = fencedChecks(RUNBOOK);
  assert.equal(listed.length, mine.size);
  for (const c of listed) {
    assert.equal(c.error, undefined, c.id);
    assert.equal(c.explicitId, true, c.id);
    assert.notEqual(c.taskCell, null, `${c.id} is not under a task item`);
    assert.equal(c.body.trimEnd(), mine.get(c.id)!.body.trimEnd(), `${c.id}: body differs`);
  }
});

test('the product parser reads the four filled Engramia bodies as the tests run them', () => {
  const file = path.join(REPO, 'runbooks/engramia-verification-and-rollback.runbook.md');
  const listed = new Map(listChecks(parseRunbook(readFileSync(file, 'utf8'))).map((c) => [c.id, c]));
  const mine = fencedChecks(file);
  for (const id of ['code.engramia-version', 'code.deep-import', 'data.backup-today', 'smoke.1-round-trip']) {
    assert.ok(listed.get(id), id);
    assert.equal(listed.get(id)!.body.trimEnd(), mine.get(id)!.body.trimEnd(), id);
  }
});

test('the steps that change the running system are destructive (left out of run-all) and the rest are not', () => {
  const registry = defaultRegistry();
  const destructive = listChecks(parseRunbook(readFileSync(RUNBOOK, 'utf8')))
    .filter((c) => isDestructiveCheck(registry, c))
    .map((c) => c.id);
  assert.deepEqual(destructive, ['rollback.compose-edit', 'rollback.stop', 'rollback.start', 'restore.stop', 'restore.start']);
});

test('task labels carry no {{input}} (the manual question shows the label as written)', () => {
  for (const c of listChecks(parseRunbook(readFileSync(RUNBOOK, 'utf8')))) assert.doesNotMatch(c.label ?? '', /\{\{/, c.id);
});

test('the brain-restore section is left out of run-all (it runs only when the image rollback was not enough)', () => {
  for (const c of listChecks(parseRunbook(readFileSync(RUNBOOK, 'utf8')))) {
    assert.equal(c.attributes['excludeFromRunAll'] === 'true', c.id.startsWith('restore.') || /regression-eval$/.test(c.id), c.id);
  }
});
