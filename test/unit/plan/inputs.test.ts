import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveInputs, inputEnvName } from '../../../src/core/plan/inputs';
import type { RunbookInput } from '../../../src/core/runbook/model';
import { assertNoSecret } from '../../support/secrets';

const input = (over: Partial<RunbookInput> & { name: string }): RunbookInput => ({ type: 'string', secret: false, required: false, ...over });

test('secrets come from the environment (env: name, else envName); others from flags, declared env, default', () => {
  const declared = [
    input({ name: 'apiKey', secret: true, required: true, env: 'ENGRAMIA_API_KEY' }),
    input({ name: 'adminToken', secret: true, required: false }),
    input({ name: 'baseUrl', type: 'url', default: 'https://api.example.dev' }),
    input({ name: 'region', env: 'DEPLOY_REGION', default: 'eu' }),
    input({ name: 'count', type: 'number', default: 3 }),
  ];
  const r = resolveInputs(declared, { count: '5' }, { ENGRAMIA_API_KEY: 'k-123456', ADMIN_TOKEN: 't-abcdef', DEPLOY_REGION: 'us', BASE_URL: 'http://ignored' });
  assert.deepEqual(r.values, { apiKey: 'k-123456', adminToken: 't-abcdef', baseUrl: 'https://api.example.dev', region: 'us', count: '5' });
  assert.deepEqual(r.secrets, ['k-123456', 't-abcdef']);
  assert.deepEqual(r.missing, []);
  assert.deepEqual(r.warnings, []);
  assert.equal(inputEnvName(declared[1]!), 'ADMIN_TOKEN');
});

test('missing required inputs say where the value comes from; bad types are reported; secret flags warn', () => {
  const declared = [
    input({ name: 'apiKey', secret: true, required: true, env: 'ENGRAMIA_API_KEY' }),
    input({ name: 'projectId', required: true }),
    input({ name: 'count', type: 'number' }),
    input({ name: 'mode', type: 'enum', options: ['a', 'b'] }),
    input({ name: 'url', type: 'url' }),
  ];
  const r = resolveInputs(declared, { count: 'x', mode: 'c', url: 'ftp://h' }, {});
  assert.deepEqual(r.missing, [
    { name: 'apiKey', how: 'set the environment variable ENGRAMIA_API_KEY' },
    { name: 'projectId', how: 'pass --input projectId=…' },
  ]);
  assert.deepEqual(r.invalid, ['count: "x" is not a number', 'mode: "c" is not one of a, b', 'url: "ftp://h" is not an http(s) URL']);
  const f = resolveInputs(declared.slice(0, 1), { apiKey: 'flag-secret', extra: '1' }, {});
  assert.equal(f.values['apiKey'], 'flag-secret');
  assert.deepEqual(f.secrets, ['flag-secret']);
  assert.match(f.warnings[0]!, /sets a secret on the command line.*ENGRAMIA_API_KEY/);
  assertNoSecret(f.warnings.join('\n'), 'flag-secret', 'the warnings');
  assert.match(f.warnings[1]!, /declares no input "extra"/);
});
