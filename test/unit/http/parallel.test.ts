/**
 * runIndependent: order kept, concurrency respected, failures do not stop the others, shared pool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runIndependent } from '../../../src/core/checks/parallel';
import type { CheckSpec } from '../../../src/core/checks/engine';
import { makeEnv, useFaultyServer } from './helpers';
import type { HttpKind } from '../../../src/core/http';

const fx = useFaultyServer();

const spec = (id: string, body: string): CheckSpec => ({ id, kind: 'http', attributes: {}, body });

test('results come back in spec order, with mixed verdicts', async () => {
  const env = makeEnv(fx.kind, { baseUrl: fx.server.url });
  const specs = [
    spec('a', 'GET {{baseUrl}}/slow?ms=80&p=a'),
    spec('b', 'GET {{baseUrl}}/401'),
    spec('c', 'GET {{baseUrl}}/health\n\n?? json pattern_count > 1'),
    spec('d', 'GET http://nowhere.invalid/x'),
  ];
  const runs = await runIndependent(specs, env, 4);
  assert.deepEqual(runs.map((r) => r.checkId), ['a', 'b', 'c', 'd']);
  assert.deepEqual(runs.map((r) => r.verdict), ['pass', 'fail', 'pass', 'fail']);
});

test('at most `concurrency` checks are in flight', async () => {
  let inFlight = 0;
  let peak = 0;
  const specs = Array.from({ length: 6 }, (_, i) => spec(`s${i}`, `GET {{baseUrl}}/slow?ms=40&k=${i}`));
  const seen: number[] = [];
  // A kind that counts how many of its runs overlap, delegating to the real http kind.
  const counting = {
    ...fx.kind,
    async run(inv: Parameters<HttpKind['run']>[0], ctx: Parameters<HttpKind['run']>[1]) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        return await fx.kind.run(inv, ctx);
      } finally {
        inFlight--;
      }
    },
  };
  const env2 = makeEnv(counting as HttpKind, { baseUrl: fx.server.url });
  const runs = await runIndependent(specs, env2, 2, { onResult: (i) => seen.push(i) });
  assert.equal(runs.every((r) => r.verdict === 'pass'), true);
  assert.equal(peak, 2);
  assert.equal(seen.length, 6);
});
