import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration } from '../../../src/core/text';

test('every form of a duration', () => {
  const cases: [number, string][] = [
    [0, '0 ms'], [41, '41 ms'], [999.4, '999 ms'],
    [999.6, '1 s'], [1000, '1 s'], [1050, '1.1 s'], [1500, '1.5 s'], [5000, '5 s'], [9949, '9.9 s'],
    [9950, '10 s'], [12_345, '12 s'], [59_499, '59 s'],
    [59_500, '1 min 00 s'], [90_000, '1 min 30 s'], [125_000, '2 min 05 s'], [3_599_499, '59 min 59 s'],
    [3_599_500, '1 h 00 min'], [3_725_000, '1 h 02 min'], [86_400_000, '24 h 00 min'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
});

test('nonsense (negative, NaN, Infinity) reads as 0 ms, never "NaN s"', () => {
  for (const ms of [-5, NaN, Infinity, -Infinity]) assert.equal(formatDuration(ms), '0 ms');
});

test('the clock form counts down in whole seconds, rounded down', () => {
  assert.equal(formatDuration(0, 'clock'), '0:00');
  assert.equal(formatDuration(999, 'clock'), '0:00');
  assert.equal(formatDuration(65_999, 'clock'), '1:05');
  assert.equal(formatDuration(30 * 60_000, 'clock'), '30:00');
  assert.equal(formatDuration(90 * 60_000, 'clock'), '90:00');
});

test('longer never reads shorter (property)', () => {
  const rank = (t: string): number => {
    let m = /^(\d+) ms$/.exec(t);
    if (m) return Number(m[1]);
    m = /^(\d+(?:\.\d)?) s$/.exec(t);
    if (m) return Number(m[1]) * 1000;
    m = /^(\d+) min (\d\d) s$/.exec(t);
    if (m) return (Number(m[1]) * 60 + Number(m[2])) * 1000;
    m = /^(\d+) h (\d\d) min$/.exec(t);
    assert.ok(m, `unexpected form ${t}`);
    return (Number(m[1]) * 3600 + Number(m[2]) * 60) * 1000;
  };
  fc.assert(fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.double({ min: 0, max: 1e9, noNaN: true }), (a, b) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    assert.ok(rank(formatDuration(lo)) <= rank(formatDuration(hi)), `${lo} → ${formatDuration(lo)}, ${hi} → ${formatDuration(hi)}`);
  }));
});
