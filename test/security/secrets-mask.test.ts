/**
 * The masker against every form a secret can take on the way out, computed independently
 * (test/support/secrets.ts), embedded in hostile surroundings, split across stream chunks at every
 * position, and inside serialisers (JSON, JUnit XML, markdown report) that must stay well-formed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmentSecrets, isSecretEnvName, MASK, Masker, MIN_SECRET_LENGTH, secretProblem } from '../../src/core/secrets/mask';
import { renderJUnit } from '../../src/core/evidence/junit';
import { assertNoSecret, holdsNoSecret, secretForms } from '../support/secrets';
import { count } from './tally';
import { assertWellFormedXml } from './xml';

/** Secrets with the characters that make encodings differ. */
const SECRETS = [
  'eng_live_4f9a2b7c1d8e6f30a5b4c3d2',
  'p@ss w0rd/with?odd&chars=+%41#frag',
  'sk-ünïcødé-✓-秘密-key-0001',
  `quote"and'apos<tag>&amp;`,
  'abcdefgh',
  'AAAAAAAAAAAAAAAAAAAA',
  'ends with \\ backslash \\',
];

const SURROUNDINGS: [string, string][] = [
  ['', ''],
  ['x', 'y'],
  ['Authorization: Basic ', '\n'],
  ['{"k":"', '"}'],
  ['…ünï…', '…'],
  ['a'.repeat(1000), 'b'.repeat(1000)],
];

test('every form of every secret is masked wherever it sits in the text', () => {
  for (const secret of SECRETS) {
    const masker = new Masker([secret]);
    for (const form of secretForms(secret)) {
      for (const [before, after] of SURROUNDINGS) {
        const text = `${before}${form.text}${after}`;
        const out = masker.mask(text);
        count(holdsNoSecret(out, secret));
        assertNoSecret(out, secret, `${form.name} in "${before.slice(0, 20)}…"`);
        assert.ok(out.includes(MASK), `${form.name} was not replaced`);
      }
    }
  }
});

test('base64 and base64url of the secret inside longer base64 streams, at every prefix length', () => {
  for (const secret of SECRETS) {
    const masker = new Masker([secret]);
    for (let pre = 0; pre < 7; pre++) {
      for (const enc of ['base64', 'base64url'] as const) {
        const stream = Buffer.concat([Buffer.from('P'.repeat(pre)), Buffer.from(secret), Buffer.from('tail bytes')]).toString(enc);
        const out = masker.mask(`data: ${stream}`);
        count(holdsNoSecret(out, secret));
        assertNoSecret(out, secret, `${enc} after ${pre} bytes`);
      }
    }
    // HTTP Basic with the secret as password and as user name.
    for (const pair of [`admin:${secret}`, `${secret}:`, `${secret}:x`]) {
      const out = masker.mask(`Authorization: Basic ${Buffer.from(pair).toString('base64')}`);
      count(holdsNoSecret(out, secret));
      assertNoSecret(out, secret, `Basic ${pair.length}`);
    }
  }
});

test('a stream split at every position never shows a secret form, and loses nothing else', () => {
  const secret = 'p@ss w0rd/with?odd&chars=+%41#frag';
  const masker = new Masker([secret]);
  for (const form of secretForms(secret)) {
    const text = `line one\nprefix ${form.text} middle ${form.text}\nlast`;
    const whole = masker.mask(text);
    for (let cut = 0; cut <= text.length; cut += Math.max(1, Math.floor(text.length / 60))) {
      const s = masker.stream();
      const parts = [s.push(text.slice(0, cut)), s.push(text.slice(cut)), s.end()];
      const joined = parts.join('');
      for (const p of parts) assertNoSecret(p, secret, `chunk of ${form.name}`);
      count(holdsNoSecret(joined, secret));
      assert.equal(joined, whole, `${form.name} cut at ${cut}`);
    }
  }
});

test('a stream of one-character chunks is masked like the whole text; complete lines are not held back', () => {
  const secret = 'eng_live_4f9a2b7c1d8e6f30a5b4c3d2';
  const masker = new Masker([secret]);
  const text = secretForms(secret).map((f) => `form ${f.name}: ${f.text}`).join('\n') + '\n';
  const s = masker.stream();
  let joined = '';
  for (const ch of text) joined += s.push(ch);
  joined += s.end();
  assertNoSecret(joined, secret, 'one-character chunks');
  count(holdsNoSecret(joined, secret));
  assert.equal(joined, masker.mask(text));
  // A finished line comes out at once, without waiting for the stream to end.
  const t = masker.stream();
  assert.equal(t.push('done\n'), 'done\n');
  assert.equal(t.push('no newline yet'), '');
  assert.equal(t.end(), 'no newline yet');
});

test('JSON, JUnit XML and deep values: masked before serialising, still well-formed', () => {
  for (const secret of SECRETS) {
    const masker = new Masker([secret]);
    const value = { reason: `got ${secret}`, nested: [{ [secret]: secret }], n: 1 };
    const json = JSON.stringify(masker.maskDeep(value));
    count(holdsNoSecret(json, secret));
    assertNoSecret(json, secret, 'JSON');
    JSON.parse(json);
    const run = {
      checkId: 'a.b', kind: 'shell', verdict: 'fail' as const, reason: `echoed ${secret}`, next: `unset ${encodeURIComponent(secret)}`,
      details: `stdout:\n${secret}\n${Buffer.from(secret).toString('hex')}`, startedAt: '2026-12-03T09:00:00.000Z', durationMs: 5,
      sectionPath: [`Section ${secret}`], label: `label ${secret}`,
    };
    const xml = renderJUnit(`Title ${secret}`, [run], { masker });
    count(holdsNoSecret(xml, secret));
    assertNoSecret(xml, secret, 'JUnit');
    assertWellFormedXml(xml);
  }
});

test('secrets shorter than 8 characters are refused with one line; env secrets follow the naming rules', () => {
  assert.equal(MIN_SECRET_LENGTH, 8);
  const msg = secretProblem('short', 'apiKey');
  assert.ok(msg && !msg.includes('\n'));
  assert.match(msg!, /apiKey is 5 characters long; secrets must have at least 8 characters/);
  assert.equal(secretProblem('12345678'), undefined);
  for (const n of ['ENGRAMIA_API_KEY', 'GITHUB_TOKEN', 'DB_PASSWORD', 'AWS_SECRET', 'STRIPE_KEY', 'my_token']) assert.ok(isSecretEnvName(n), n);
  for (const n of ['PATH', 'HOME', 'KEYBOARD', 'TOKEN_URL', 'SECRETS_DIR']) assert.ok(!isSecretEnvName(n), n);
  const env = { GITHUB_TOKEN: 'ghp_abcdefghijklmnop', SHORT_TOKEN: 'abc', HOME: '/home/someone-long', CUSTOM: 'declared-secret-1', OTHER: 'not-a-secret-value' };
  assert.deepEqual(environmentSecrets(env, ['CUSTOM']).sort(), ['declared-secret-1', 'ghp_abcdefghijklmnop']);
});

test('masking is linear enough for large outputs (many secrets, 1 MB of text, overlapping forms)', () => {
  const secrets = Array.from({ length: 10 }, (_, i) => `secret-value-${i}-${'x'.repeat(20)}`);
  const masker = new Masker(secrets);
  const text = ('lorem ipsum ' + secrets[3] + ' ' + 'a'.repeat(100) + '\n').repeat(6000);
  const out = masker.mask(text);
  for (const s of secrets) assertNoSecret(out, s);
  assert.equal(out.split(MASK).length - 1, 6000);
  // A self-overlapping secret repeated back to back.
  const m2 = new Masker(['abababab']);
  const o2 = m2.mask('ab'.repeat(50));
  assertNoSecret(o2, 'abababab');
});
