import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineDiff } from '../../../src/core/process';

test('lineDiff: changed lines with two lines of context, distant unchanged lines elided', () => {
  const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n');
  const after = ['a', 'b', 'C', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'].join('\n');
  assert.equal(lineDiff(before, after), ['  a', '  b', '- c', '+ C', '  d', '  e', '  …', '  i', '  j', '+ k'].join('\n'));
});

test('lineDiff: identical texts give only context-free output', () => {
  assert.equal(lineDiff('x\ny', 'x\ny'), '  …');
});
