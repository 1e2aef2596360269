/**
 * Where secrets may go (src/core/secrets/approvals.ts): the planner finds the origin and the inputs
 * a network check would send, exactly as the kinds build their requests; the policy decides allow /
 * ask / refuse from the trust state, the workspace's approvals and the secret's bound origins.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  approvalQuestion, decideSend, notSentResult, originOf, planNetworkSend, withApproval, withoutOrigins,
  type SendPlan, type SentInput,
} from '../../../src/core/secrets/approvals';

const A = 'http://127.0.0.1:4001';
const B = 'http://127.0.0.1:4002';

function plan(kind: string, body: string, inputs: Record<string, string>, attributes: Record<string, string> = {}): SendPlan {
  const p = planNetworkSend(kind, body, attributes, inputs);
  assert.ok(p && !('error' in p), `planned: ${JSON.stringify(p)}`);
  return p;
}

test('http: the origin is the built request URL; sent = placeholders of the request line, headers and body, not of ?? lines', () => {
  const body = [
    'POST {{baseUrl}}/v1/things?q={{query}}',
    'Authorization: Bearer {{apiKey}}',
    '',
    '{"note": "{{note}}"}',
    '?? json.owner == {{owner}}',
  ].join('\n');
  const p = plan('http', body, { baseUrl: `${A}/api`, query: 'x y', apiKey: 'k'.repeat(20), note: 'n', owner: 'o' });
  assert.equal(p.origin, A);
  assert.deepEqual([...p.sent].sort(), ['apiKey', 'baseUrl', 'note', 'query']);
  assert.deepEqual([...p.used].sort(), ['apiKey', 'baseUrl', 'note', 'owner', 'query']);
  assert.deepEqual(p.overrides, []);
});

test('http: a literal URL is the origin (a secret in its header is sent there); default ports and case are normalised', () => {
  const p = plan('http', 'GET HTTP://LOCALHOST:80/x\nX-Api-Key: {{apiKey}}', { apiKey: 'secret-value-1' });
  assert.equal(p.origin, 'http://localhost');
  assert.deepEqual(p.sent, ['apiKey']);
});

test('http: an input value cannot smuggle another origin past the planner (the planner builds what the kind sends)', () => {
  const p = plan('http', 'GET {{baseUrl}}/health', { baseUrl: `http://user@127.0.0.1:4002/#` });
  assert.equal(p.origin, B);
});

test('http: an unbuildable request is an error, never a plan (the kind then fails before sending)', () => {
  assert.match((planNetworkSend('http', 'GET {{baseUrl}}/x', {}, {}) as { error: string }).error, /missing input: baseUrl/);
  assert.match((planNetworkSend('http', 'GET ftp://x/y', {}, {}) as { error: string }).error, /scheme/);
  assert.equal(planNetworkSend('shell', 'curl http://x', {}, {}), undefined);
  assert.equal(planNetworkSend('manual', 'Do it', {}, {}), undefined);
});

test('engramia: origin from the baseUrl input; the key and every referenced input are sent', () => {
  const p = plan('engramia', 'task: {{sampleTask}}\n?? json patternCount >= {{min}}', { baseUrl: `${A}/v1`, apiKey: 'engramia_sk_x', sampleTask: 't', min: '3' }, { probe: 'quota' });
  assert.equal(p.origin, A);
  assert.deepEqual([...p.sent].sort(), ['apiKey', 'baseUrl', 'min', 'sampleTask']);
  assert.deepEqual(p.overrides, []);
});

test('engramia: a baseUrl or apiKey line in the body (or attribute) is an override, and its origin is the one planned', () => {
  const p = plan('engramia', `baseUrl: ${B}\n`, { baseUrl: A, apiKey: 'engramia_sk_x' }, { probe: 'version' });
  assert.equal(p.origin, B, 'the kind would send to the body\'s baseUrl');
  assert.deepEqual(p.overrides, ['baseUrl']);
  assert.ok(p.sent.includes('apiKey'));
  const q = plan('engramia', '', { baseUrl: A }, { probe: 'version', baseUrl: B });
  assert.equal(q.origin, B);
  assert.deepEqual(q.overrides, ['baseUrl']);
  const r = plan('engramia', 'apiKey: {{otherKey}}', { baseUrl: A, apiKey: 'a', otherKey: 'b' }, { probe: 'role' });
  assert.deepEqual(r.overrides, ['apiKey']);
  assert.ok(!r.sent.includes('apiKey') && r.sent.includes('otherKey'));
  // `baseUrl: {{baseUrl}}` only names the input: not an override.
  assert.deepEqual(plan('engramia', 'baseUrl: {{baseUrl}}', { baseUrl: A }, { probe: 'version' }).overrides, []);
});

test('engramia: an input whose value holds a line break cannot inject a baseUrl unnoticed', () => {
  const p = plan('engramia', 'task: {{task}}', { baseUrl: A, apiKey: 'k', task: `x\nbaseUrl: ${B}` }, { probe: 'quota' });
  assert.equal(p.origin, B);
  assert.deepEqual(p.overrides, ['baseUrl']);
});

const secret = (over: Partial<SentInput> = {}): SentInput => ({ name: 'apiKey', secret: true, source: 'secret-storage', boundOrigins: [A], ...over });
const base: SendPlan = { origin: A, sent: ['apiKey', 'baseUrl'], used: ['apiKey', 'baseUrl'], overrides: [] };
const userUrl: SentInput = { name: 'baseUrl', secret: false, source: 'user' };

test('trusted: a stored secret goes to the origin it was entered for without asking', () => {
  assert.deepEqual(decideSend({ trusted: true, plan: base, inputs: [secret(), userUrl], approved: [] }), { verdict: 'allow' });
});

test('trusted or not: a stored secret bound elsewhere (or nowhere) asks first, naming the origin and where it was entered for', () => {
  for (const trusted of [true, false]) {
    const d = decideSend({ trusted, plan: { ...base, origin: B }, inputs: [secret(), userUrl], approved: trusted ? [] : ['apiKey'] });
    assert.equal(d.verdict, 'ask');
    assert.ok(d.verdict === 'ask');
    assert.equal(d.origin, B);
    assert.deepEqual(d.inputs.map((i) => i.name), ['apiKey']);
    assert.match(d.inputs[0]!.why, new RegExp(`entered for ${A}`));
  }
  const unbound = decideSend({ trusted: true, plan: base, inputs: [secret({ boundOrigins: [] })], approved: [] });
  assert.ok(unbound.verdict === 'ask' && /not yet bound/.test(unbound.inputs[0]!.why));
});

test('trusted: environment values and non-secret inputs go without asking (the CLI\'s rule)', () => {
  const env: SentInput = { name: 'apiKey', secret: true, source: 'environment', envVar: 'ENGRAMIA_API_KEY' };
  assert.deepEqual(decideSend({ trusted: true, plan: base, inputs: [env, userUrl], approved: [] }), { verdict: 'allow' });
});

test('restricted: a stored secret or an environment value needs this workspace\'s approval for the origin, input by input', () => {
  const env: SentInput = { name: 'token', secret: false, source: 'environment', envVar: 'DEPLOY_TOKEN' };
  const p: SendPlan = { ...base, sent: ['apiKey', 'token', 'baseUrl'] };
  const d = decideSend({ trusted: false, plan: p, inputs: [secret(), env, userUrl], approved: [] });
  assert.ok(d.verdict === 'ask');
  assert.deepEqual(d.inputs.map((i) => i.name), ['apiKey', 'token']);
  assert.match(d.inputs[1]!.why, /environment variable DEPLOY_TOKEN.*not trusted/);
  // Approved for apiKey only: the new input still asks.
  const partly = decideSend({ trusted: false, plan: p, inputs: [secret(), env, userUrl], approved: ['apiKey'] });
  assert.ok(partly.verdict === 'ask');
  assert.deepEqual(partly.inputs.map((i) => i.name), ['token']);
  assert.deepEqual(decideSend({ trusted: false, plan: p, inputs: [secret(), env, userUrl], approved: ['apiKey', 'token'] }), { verdict: 'allow' });
});

test('restricted: user-typed values go without asking; inputs the request does not send are not asked about', () => {
  const p: SendPlan = { ...base, sent: ['baseUrl'], used: ['baseUrl', 'apiKey'] };
  assert.deepEqual(decideSend({ trusted: false, plan: p, inputs: [secret({ boundOrigins: [] }), userUrl], approved: [] }), { verdict: 'allow' });
});

test('restricted: a check that sets its own baseUrl is refused with one line, whatever was approved', () => {
  const d = decideSend({ trusted: false, plan: { ...base, overrides: ['baseUrl'] }, inputs: [userUrl], approved: ['apiKey', 'baseUrl'] });
  assert.equal(d.verdict, 'refuse');
  const r = notSentResult(d as Exclude<typeof d, { verdict: 'allow' }>);
  assert.equal(r.verdict, 'skipped');
  assert.match(r.reason, /restricted mode a check cannot set its own baseUrl.*nothing was sent/);
  assert.doesNotMatch(r.reason, /\n/);
  // Trusted: the runbook may pick its own target (the secret binding still applies).
  assert.equal(decideSend({ trusted: true, plan: { ...base, overrides: ['baseUrl'] }, inputs: [userUrl], approved: [] }).verdict, 'allow');
});

test('the question names the origin and every input; the skip reason is one line', () => {
  const d = decideSend({ trusted: false, plan: base, inputs: [secret({ boundOrigins: [] }), userUrl], approved: [] });
  assert.ok(d.verdict === 'ask');
  const q = approvalQuestion(d, 'Health');
  assert.equal(q.message, `Send apiKey to ${A}?`);
  assert.match(q.detail, /"Health".*127\.0\.0\.1:4001/);
  assert.match(q.detail, /• apiKey \(stored secret; this workspace is not trusted; stored secret not yet bound/);
  assert.match(q.detail, /Revoke Approved Origins/);
  assert.equal(notSentResult(d).reason, `not sent: apiKey not approved for ${A}`);
});

test('approvals: merged per origin, revoked per origin; originOf normalises and rejects non-http', () => {
  let a = withApproval({}, A, ['apiKey']);
  a = withApproval(a, A, ['token', 'apiKey']);
  a = withApproval(a, B, ['apiKey']);
  assert.deepEqual(a, { [A]: ['apiKey', 'token'], [B]: ['apiKey'] });
  assert.deepEqual(withoutOrigins(a, [A]), { [B]: ['apiKey'] });
  assert.equal(originOf('HTTPS://Example.COM:443/a?b'), 'https://example.com');
  assert.equal(originOf('file:///etc/passwd'), undefined);
  assert.equal(originOf('not a url'), undefined);
});
