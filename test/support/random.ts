/**
 * Reproducible random input for property-style tests that compare a linear scan with the regex
 * it replaces: a seeded generator (the same numbers on every run and machine) and strings made
 * of random runs of given parts.
 */

/**
 * A seeded generator: `rnd(n)` is an integer in [0, n). A linear congruential generator mod 2^31,
 * scaled from its high bits: its low bits repeat with short periods (the lowest one alternates), so
 * `s % n` would pick parts in a fixed rhythm and never make some strings at all.
 */
export function seededRandom(seed: number): (n: number) => number {
  let s = seed;
  return (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return Math.floor((s / 0x80000000) * n);
  };
}

/** `count` strings, each `minParts + rnd(maxParts - minParts + 1)` parts picked at random and joined. */
export function* randomJoins(parts: readonly string[], options: { count: number; seed: number; minParts: number; maxParts: number }): Generator<string> {
  const rnd = seededRandom(options.seed);
  for (let k = 0; k < options.count; k++) {
    let s = '';
    const n = options.minParts + rnd(options.maxParts - options.minParts + 1);
    for (let i = 0; i < n; i++) s += parts[rnd(parts.length)];
    yield s;
  }
}
