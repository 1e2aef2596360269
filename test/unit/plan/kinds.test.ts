import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRegistry, isDestructiveCheck } from '../../../src/core/kinds';
import { planRun, DESTRUCTIVE_REASON } from '../../../src/core/plan/plan';
import { buildDoc } from './docBuilder';

test('defaultRegistry registers all six kinds with their aliases', () => {
  const reg = defaultRegistry();
  assert.deepEqual(reg.kinds().map((k) => k.name).sort(), ['analyze', 'engramia', 'http', 'manual', 'python', 'shell']);
  for (const w of ['sh', 'bash', 'py', 'confirm']) assert.ok(reg.resolve(w), `alias ${w}`);
});

test('isDestructiveCheck: delete-project probe, http DELETE and destructive=true; plans skip them unless named', () => {
  const reg = defaultRegistry();
  const c = (kind: string, attributes: Record<string, string>, body = '') => ({ kind, attributes, body });
  assert.equal(isDestructiveCheck(reg, c('engramia', { probe: 'delete-project' })), true);
  assert.equal(isDestructiveCheck(reg, c('engramia', { probe: 'quota' })), false);
  assert.equal(isDestructiveCheck(reg, c('http', {}, 'DELETE http://x/v1/governance/projects/p')), true);
  assert.equal(isDestructiveCheck(reg, c('http', {}, 'GET http://x/v1/health')), false);
  assert.equal(isDestructiveCheck(reg, c('shell', { destructive: 'true' }, 'rm -rf x')), true);

  const doc = buildDoc([{ h: 1, title: 'R' }, { check: 'a', kind: 'engramia', attrs: { probe: 'delete-project' }, free: true }, { check: 'b', kind: 'engramia', attrs: { probe: 'quota' }, free: true }]);
  const isDestructive = (x: Parameters<typeof isDestructiveCheck>[1]) => isDestructiveCheck(reg, x);
  assert.deepEqual(planRun(doc, { isDestructive }).entries.map((e) => e.skip), [DESTRUCTIVE_REASON, undefined]);
  assert.deepEqual(planRun(doc, { isDestructive, only: ['a'] }).entries.map((e) => e.skip), [undefined]);
});
