import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateConditions, parseConditionLine, parseConditions, summarizeConditions, jsonPathsOf, needsJson, parsePath, walkPath } from '../../../../src/core/checks/conditions';
import type { SubjectResolver } from '../../../../src/core/checks/conditions';

const recall = {
  matches: [
    { similarity: 1.0, reuse_tier: 'duplicate', pattern: { task: 'Build a CSV parser' } },
    { similarity: 0.75, reuse_tier: 'adapt', pattern: { task: 'Parse CSV files' } },
    { similarity: 0.09, reuse_tier: 'fresh', pattern: { task: 'Sum a list' } },
  ],
  has_more: false,
  next_offset: null,
  status: 'ok',
  pattern_count: 1204,
  patterns_limit: null,
  data: { items: [{ name: 'engramia' }, { name: 'other' }] },
};

const http = (json: unknown = recall, extra: Record<string, unknown> = {}): SubjectResolver => (s) => {
  switch (s.name) {
    case 'status': return 200;
    case 'duration': return 84;
    case 'header': return ({ 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'abc' } as Record<string, string>)[s.arg!];
    case 'json': return json;
    case 'body': return JSON.stringify(json);
    default: return extra[s.name];
  }
};

function run(line: string, resolver: SubjectResolver = http()) {
  const parsed = parseConditions(line);
  assert.deepEqual(parsed.errors, [], `parse errors for ${line}`);
  assert.equal(parsed.conditions.length, 1);
  return evaluateConditions(parsed.conditions, resolver)[0]!;
}
const passes = (line: string, r?: SubjectResolver) => assert.equal(run(line, r).verdict, 'pass', `${line} should pass: ${run(line, r).message}`);
const fails = (line: string, r?: SubjectResolver) => assert.equal(run(line, r).verdict, 'fail', `${line} should fail`);
const parseError = (line: string): string => {
  const p = parseConditions(line);
  assert.equal(p.conditions.length, 0, `${line} should not parse`);
  assert.equal(p.errors.length, 1);
  return p.errors[0]!;
};

test('comparison operators on numbers', () => {
  passes('?? status == 200');
  fails('?? status == 201');
  passes('?? status != 500');
  fails('?? status != 200');
  passes('?? status==200');
  passes('?? duration < 2000');
  fails('?? duration < 84');
  passes('?? duration <= 84');
  passes('?? json pattern_count > 1200');
  fails('?? json pattern_count > 1204');
  passes('?? json pattern_count >= 1204');
  fails('?? json pattern_count >= 1205');
});

test('equality of strings, quoted and bare, null and booleans', () => {
  passes('?? json status == "ok"');
  passes("?? json status == 'ok'");
  passes('?? json status == ok');
  fails('?? json status == "OK"');
  passes('?? json patterns_limit == null');
  fails('?? json pattern_count == null');
  passes('?? json has_more == false');
  fails('?? json has_more == true');
  passes('?? json matches[0].pattern.task == Build a CSV parser');
  passes('?? json matches[0].pattern.task == "Build a CSV parser"');
  // a header holding "200" equals the number 200, and a number equals the string "84"
  passes('?? header x-num == 200', (s) => (s.name === 'header' ? '200' : undefined));
  passes('?? duration == "84"');
});

test('includes on strings and lists', () => {
  passes('?? header content-type includes json');
  fails('?? header content-type includes xml');
  passes('?? header Content-Type includes json'); // header names are case-insensitive
  passes('?? json tags includes b', http({ tags: ['a', 'b'] }));
  fails('?? json tags includes c', http({ tags: ['a', 'b'] }));
  passes('?? body includes "reuse_tier"');
  passes('?? body contains duplicate');
  fails('?? json pattern_count includes 1', http());
});

test('exists, !exists, not exists', () => {
  passes('?? json matches exists');
  fails('?? json nothing exists');
  fails('?? json patterns_limit exists'); // null counts as absent
  passes('?? json nothing !exists');
  passes('?? json nothing not exists');
  passes('?? json patterns_limit !exists');
  fails('?? json matches !exists');
  passes('?? header x-request-id exists');
  fails('?? header retry-after exists');
  passes('?? header retry-after !exists');
});

test('matches with bare, slash and quoted regexes', () => {
  passes('?? json data.items[0].name matches ^eng');
  fails('?? json data.items[1].name matches ^eng');
  passes('?? json data.items[0].name matches /^ENG/i');
  passes('?? json status matches "^o k?"'.replace('o k?', 'ok?'));
  passes('?? status matches ^2\\d\\d$');
  passes('?? json data.items[0].name matches /a #b|eng/ -- slash form may hold " # "');
});

test('in and between', () => {
  passes('?? json matches[1].reuse_tier in [duplicate, adapt]');
  fails('?? json matches[2].reuse_tier in [duplicate, adapt]');
  passes('?? status in [200, 201]');
  passes('?? json status in ["ok", "degraded"]');
  passes('?? json pattern_count between 1000 and 2000');
  passes('?? json pattern_count between 1204 and 1204');
  fails('?? json pattern_count between 1 and 3');
});

test('paths: dots, indexes, $., length', () => {
  passes('?? json matches.length == 3');
  passes('?? json matches.length > 0');
  passes('?? json $.matches[0].similarity == 1');
  passes('?? json status.length == 2'); // string length
  passes('?? json data.length == 1'); // object key count
  passes('?? json obj.length == 7', http({ obj: { length: 7, a: 1 } })); // real field wins
  passes('?? json [1] == b', http(['a', 'b']));
  passes('?? json == 3', http(3));
  assert.deepEqual(parsePath('a.b[0].c'), { ok: true, path: ['a', 'b', 0, 'c'] });
  assert.deepEqual(walkPath({ a: [] }, ['a', 0, 'b']), { found: false, missing: 'a[0]' });
});

test('count with and without where', () => {
  passes('?? count matches == 3');
  passes('?? count matches where reuse_tier in [duplicate, adapt] between 1 and 3');
  passes('?? count matches where reuse_tier in [duplicate, adapt] == 2');
  passes('?? count matches where similarity >= 0.7 == 2');
  passes('?? count matches where pattern.task matches CSV == 2');
  passes('?? count matches where reuse_tier == fresh == 1');
  passes('?? count matches where nothing exists == 0');
  const r = run('?? count matches where reuse_tier == duplicate between 2 and 3');
  assert.equal(r.verdict, 'fail');
  assert.equal(r.actual, '1');
  assert.match(r.message!, /count of matches where reuse_tier == duplicate is 1, expected between 2 and 3/);
  const notList = run('?? count status > 0');
  assert.equal(notList.verdict, 'fail');
  assert.match(notList.message!, /status is not a list/);
});

test('schema drift: a missing field fails and names the field', () => {
  const r = run('?? json pattern_count_used < 100');
  assert.equal(r.verdict, 'fail');
  assert.equal(r.missing, 'pattern_count_used');
  assert.equal(r.message, 'field "pattern_count_used" is missing');
  const deep = run('?? count results where x == 1 > 0');
  assert.equal(deep.missing, 'results');
  assert.equal(run('?? json matches[5].reuse_tier == adapt').missing, 'matches[5]');
});

test('a resolver that throws fails the condition with its message', () => {
  const r = run('?? json status == ok', (s) => {
    if (s.name === 'json') throw new Error('response body is not JSON');
    return undefined;
  });
  assert.equal(r.verdict, 'fail');
  assert.equal(r.subjectError, 'response body is not JSON');
  assert.equal(r.message, 'response body is not JSON');
});

test('warn severity and summaries', () => {
  const parsed = parseConditions('?? status == 200\n??warn json pattern_count < 1000 -- the project is near its quota');
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.conditions[1]!.severity, 'warn');
  const out = evaluateConditions(parsed.conditions, http());
  assert.deepEqual(out.map((o) => o.verdict), ['pass', 'warn']);
  const s = summarizeConditions(out);
  assert.equal(s.verdict, 'warn');
  assert.equal(s.reason, 'pattern_count is 1204, expected < 1000');
  assert.equal(s.next, 'the project is near its quota');

  const both = evaluateConditions(parseConditions('??warn status == 500\n?? status == 404 # start the server').conditions, http());
  const s2 = summarizeConditions(both);
  assert.equal(s2.verdict, 'fail');
  assert.equal(s2.next, 'start the server');
  assert.match(s2.reason, /status is 200, expected == 404 \(\+1 more\)/);

  const ok = summarizeConditions(evaluateConditions(parseConditions('?? status == 200\n?? json status == ok').conditions, http()));
  assert.deepEqual(ok, { verdict: 'pass', reason: '2 conditions passed' });
});

test('next step after -- or #, but not inside quotes', () => {
  const c = parseConditionLine('?? json status == "a # b -- c" -- fix it');
  assert.deepEqual(c.predicate, { op: '==', value: 'a # b -- c' });
  assert.equal(c.next, 'fix it');
  assert.equal(c.text, 'json status == "a # b -- c"');
  const d = parseConditionLine('?? duration < 2000     # ms');
  assert.equal(d.next, 'ms');
  assert.equal(d.text, 'duration < 2000');
  assert.equal(parseConditionLine('?? json task == Build a parser -- check the import').predicate.op, '==');
  assert.deepEqual(parseConditionLine('?? json task == Build a parser -- check the import').predicate, { op: '==', value: 'Build a parser' });
});

test('{{input}} substitution before parsing, missing inputs reported', () => {
  const p = parseConditions('?? json pattern_count >= {{expectedPatterns}}\n?? json matches[0].pattern.task == "{{sampleTask}}"', {
    inputs: { expectedPatterns: '1200', sampleTask: 'Build a CSV parser' },
  });
  assert.deepEqual(p.errors, []);
  assert.deepEqual(p.conditions[0]!.predicate, { op: '>=', value: 1200 });
  const out = evaluateConditions(p.conditions, http());
  assert.deepEqual(out.map((o) => o.verdict), ['pass', 'pass']);
  const missing = parseConditions('?? json pattern_count >= {{expectedPatterns}}', { inputs: {} });
  assert.deepEqual(missing.errors, ['line 1: missing input: expectedPatterns']);
});

test('rest is the body without condition lines; line numbers count from 1', () => {
  const body = 'GET http://x/v1/health\nAuthorization: Bearer k\n\n?? status == 200\n  ?? json status == ok\n';
  const p = parseConditions(body);
  assert.equal(p.rest, 'GET http://x/v1/health\nAuthorization: Bearer k\n\n');
  assert.deepEqual(p.conditions.map((c) => c.line), [4, 5]);
  assert.deepEqual(jsonPathsOf(p.conditions), ['status']);
  assert.equal(needsJson(p.conditions), true);
  assert.equal(needsJson(parseConditions('?? status == 200').conditions), false);
});

test('invalid lines give clear one-line errors', () => {
  assert.match(parseError('?? foo == 1'), /^line 1: unknown subject "foo" \(use status, header, json/);
  assert.match(parseError('?? status => 200'), /unknown operator "=>"/);
  assert.match(parseError('?? status = 200'), /use == to compare/);
  assert.match(parseError('?? status'), /missing operator/);
  assert.match(parseError('??'), /empty condition/);
  assert.match(parseError('??status == 200'), /put a space after "\?\?"/);
  assert.match(parseError('?? status < abc'), /"<" needs a number, got "abc"/);
  assert.match(parseError('?? status in 200'), /"in" needs a list like \[a, b\]/);
  assert.match(parseError('?? status in [200, 201'), /unclosed list/);
  assert.match(parseError('?? status between 1 3'), /"between" needs two numbers/);
  assert.match(parseError('?? status between 3 and 1'), /must not be larger/);
  assert.match(parseError('?? json x matches ('), /invalid regex "\(":/);
  assert.match(parseError('?? json x == "open'), /unterminated string/);
  assert.match(parseError('?? header == 1'), /"header" needs a name/);
  assert.match(parseError('?? count > 1'), /"count" needs the path of an array/);
  assert.match(parseError('?? json a..b == 1'), /empty segment in path "a..b"/);
  assert.match(parseError('?? json a[x] == 1'), /is not an index/);
  assert.match(parseError('?? status == 200 201'.replace('== 200 201', '< 200 201')), /unexpected "201"/);
  assert.match(parseError('?? json x not there'), /"not" must be followed by "exists"/);
  assert.match(parseError('?? status == [1, 2]'), /a list is only allowed after "in"/);
  const p = parseConditions('?? status == 200\n?? bogus\n?? json x exists');
  assert.equal(p.conditions.length, 2);
  assert.deepEqual(p.errors.map((e) => e.slice(0, 7)), ['line 2:']);
});

test('a kind may restrict subjects', () => {
  const p = parseConditions('?? exit == 0\n?? status == 200\n?? count items > 0', { subjects: ['exit', 'stdout', 'stderr', 'json', 'duration'] });
  assert.equal(p.conditions.length, 2);
  assert.match(p.errors[0]!, /line 2: this check kind has no "status"/);
  const outs = evaluateConditions(p.conditions, (s) => (s.name === 'exit' ? 0 : s.name === 'json' ? { items: [1] } : undefined));
  assert.deepEqual(outs.map((o) => o.verdict), ['pass', 'pass']);
});

test('verdicts carry the actual value rendered short', () => {
  const big = { items: Array.from({ length: 50 }, (_, i) => ({ i })) };
  assert.equal(run('?? json items exists', http(big)).actual, '[50 items]');
  assert.equal(run('?? json status == ok').actual, '"ok"');
  assert.equal(run('?? status == 200').actual, '200');
  assert.equal(run('?? json nothing == 1').actual, 'absent');
  const longText = 'x'.repeat(200);
  assert.ok(run('?? json s exists', http({ s: longText })).actual!.length <= 60);
});

test('an absent non-JSON subject fails with a readable message', () => {
  const r = run('?? header retry-after == 60');
  assert.equal(r.verdict, 'fail');
  assert.equal(r.message, 'header retry-after is absent, expected == 60');
});

test('without inputs, placeholders still parse (validation) but fail if evaluated', () => {
  const p = parseConditions('?? json pattern_count >= {{expectedPatterns}} -- backfill first\n?? json matches[0].pattern.task == "{{sampleTask}}"\n?? json x in [{{a}}, b]');
  assert.deepEqual(p.errors, []);
  assert.equal(p.conditions.length, 3);
  assert.equal(p.conditions[0]!.text, 'json pattern_count >= {{expectedPatterns}}');
  assert.deepEqual(p.conditions[0]!.unresolved, ['expectedPatterns']);
  assert.equal(p.conditions[0]!.next, 'backfill first');
  const out = evaluateConditions(p.conditions, http());
  assert.equal(out[0]!.verdict, 'fail');
  assert.equal(out[0]!.message, 'input expectedPatterns not substituted in the condition');
  // a real syntax error is still reported
  assert.match(parseConditions('?? json x >= {{n}} {{m}}').errors[0]!, /unexpected "0"/);
});
