import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { oneLine } from '../../../src/core/text';

test('first-line: the first non-blank line, trimmed; inner spacing kept', () => {
  assert.equal(oneLine('\n  \n  exit 1:  no such file\nmore'), 'exit 1:  no such file');
  assert.equal(oneLine('a\r\nb'), 'a');
  assert.equal(oneLine(''), '');
  assert.equal(oneLine(undefined), '');
  assert.equal(oneLine(' \n\t\n'), '');
});

test('joined: every line, each run of whitespace one space', () => {
  assert.equal(oneLine('Internal\n  Server\tError \r\n', 240, 'joined'), 'Internal Server Error');
});

test('longer than max: cut with … to exactly max characters', () => {
  assert.equal(oneLine('abcdefghij', 5), 'abcd…');
  assert.equal(oneLine('abcde', 5), 'abcde');
  assert.equal(oneLine('x'.repeat(300)).length, 240);
});

test('a cut never splits a surrogate pair', () => {
  const t = 'abc😀def';
  const cut = oneLine(t, 5); // the 4th and 5th code units are the emoji's halves
  assert.equal(cut, 'abc…');
  assert.doesNotThrow(() => encodeURIComponent(cut));
});

test('property: one line, at most max characters, well-formed', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 1, max: 300 }), fc.constantFrom('first-line' as const, 'joined' as const), (s, max, how) => {
    const r = oneLine(s, max, how);
    assert.ok(!/[\r\n]/.test(r));
    assert.ok(r.length <= max);
    assert.doesNotThrow(() => encodeURIComponent(r)); // no lone surrogate
  }));
});
