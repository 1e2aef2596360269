import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deploy, engineLogs, RUNBOOK, type Deployment } from './fixture';
import { scriptedUi } from '../process/harness';

let d: Deployment;
before(async () => {
  d = await deploy();
});
after(async () => {
  await d.close();
});

test('every check in the September runbook has an explicit, unique id and validates', async () => {
  const { registry } = await import('../process/harness');
  const reg = registry();
  assert.ok(d.checks.size >= 30, `only ${d.checks.size} checks`);
  const written = [...readFileSync(RUNBOOK, 'utf8').matchAll(/^\s*```\w+ \{id=([\w.:-]+)/gm)].map((m) => m[1]);
  assert.equal(new Set(written).size, written.length, 'duplicate ids');
  assert.equal(written.length, d.checks.size);
  for (const c of d.checks.values()) {
    const kind = reg.resolve(c.kind);
    assert.ok(kind, `${c.id}: unknown kind ${c.kind}`);
    const { id: _id, ...rest } = c.attributes;
    const v = reg.validate(kind, c.attributes);
    assert.ok(v.ok, `${c.id}: ${!v.ok && v.error}`);
    assert.equal(kind.validate?.(c.body, v.ok ? v.value.specific : rest), undefined, c.id);
    assert.match(c.id, /^(drill|decide|prepare|rollback|restore|verify|post)\./);
  }
});

test('decide.health-poll: healthy → pass, showing elapsed time per poll', async () => {
  const r = await d.run('decide.health-poll');
  assert.equal(r.run.verdict, 'pass', r.run.reason);
  assert.match(r.run.reason, /ok on all 3 polls/);
  assert.match(r.output, /\[\s*0\.\d s\] poll 1\/3: ok/);
  assert.match(r.output, /poll 3\/3: ok/);
});

test('decide.health-poll streams each poll as it happens: poll 3 is answered only after 2 poll lines reached the output', async () => {
  // The Engine holds the 3rd /health request until two poll lines have been streamed out of the
  // running check. Output that arrived only at the end would leave poll 3 unanswered until
  // urllib's 5 s timeout: "unreachable", and the check would not pass.
  let release!: () => void;
  const twoPolls = new Promise<void>((resolve) => (release = resolve));
  let streamedPolls = 0;
  let pollsWhenHeld = -1;
  d.engine.holdHealth((n) => {
    if (n !== 3) return Promise.resolve();
    pollsWhenHeld = streamedPolls;
    return twoPolls;
  });
  try {
    const r = await d.run('decide.health-poll', {
      onChunk: (c) => {
        if (c.stream !== 'stdout') return;
        streamedPolls += (c.text.match(/poll \d\/3: /g) ?? []).length;
        if (streamedPolls >= 2) release();
      },
    });
    assert.equal(r.run.verdict, 'pass', r.run.reason);
    assert.match(r.run.reason, /ok on all 3 polls/);
    assert.ok(pollsWhenHeld >= 0, 'the 3rd poll reached the Engine');
    const pollChunks = r.chunks.filter((c) => c.stream === 'stdout' && /poll [12]\/3: ok/.test(c.text));
    assert.ok(pollChunks.length >= 2, 'polls 1 and 2 came as chunks of their own');
  } finally {
    d.engine.holdHealth(undefined);
    release();
  }
});

test('decide.health-poll: non-ok on every poll → fail (rollback trigger), subsystems shown verbatim', async () => {
  d.engine.setState('degraded');
  try {
    const r = await d.run('decide.health-poll');
    assert.equal(r.run.verdict, 'fail');
    assert.match(r.run.reason, /not ok on all 3 polls.*rollback trigger/);
    assert.match(r.output, /"llm": "unreachable"/);
  } finally {
    d.engine.setState('ok');
  }
});

test('decide.health-poll: 503 then ok → warn (flapping)', async () => {
  d.engine.setSequence(['starting', 'ok', 'ok']);
  const r = await d.run('decide.health-poll');
  assert.equal(r.run.verdict, 'warn', r.run.reason);
  assert.match(r.output, /HTTP 503/);
  d.engine.setState('ok');
});

test('decide.error-rate: above 5 % → fail (Sev2 trigger); below → pass; no traffic → warn', async () => {
  d.setFile('logs', engineLogs({ requests: 100, errors: 12 }));
  const bad = await d.run('decide.error-rate');
  assert.equal(bad.run.verdict, 'fail');
  assert.match(bad.run.reason, /error rate 12\.0 % over 5 min is above 5 %/);
  d.setFile('logs', engineLogs({ requests: 100, errors: 2 }));
  const ok = await d.run('decide.error-rate');
  assert.equal(ok.run.verdict, 'pass', ok.run.reason);
  d.setFile('logs', '');
  assert.equal((await d.run('decide.error-rate')).run.verdict, 'warn');
  assert.ok(d.calls().some((c) => /compose -f docker-compose\.yml logs --no-color --no-log-prefix --since 5m engine/.test(c)));
});

test('decide.latency: P99 above 2× baseline → fail; from p99Current or log durations; none → warn', async () => {
  d.setFile('logs', engineLogs({ requests: 100, errors: 0, durationsMs: Array.from({ length: 100 }, (_, i) => (i < 97 ? 300 : 2500)) }));
  const fromLogs = await d.run('decide.latency');
  assert.equal(fromLogs.run.verdict, 'fail', fromLogs.run.reason);
  assert.match(fromLogs.run.reason, /P99 2500 ms is above 2 × baseline \(1600 ms\)/);
  const given = await d.run('decide.latency', { inputs: { ...d.inputs, p99Current: '900' } });
  assert.equal(given.run.verdict, 'pass', given.run.reason);
  d.setFile('logs', engineLogs({ requests: 10, errors: 0 }));
  const none = await d.run('decide.latency');
  assert.equal(none.run.verdict, 'warn');
  assert.match(none.run.next ?? '', /p99Current/);
});

test('decide.regression-eval runs the eval command from the input; a failing eval is a trigger', async () => {
  const ok = await d.run('decide.regression-eval', { inputs: { ...d.inputs, regressionEvalCommand: 'echo "48/48 cases pass"' } });
  assert.equal(ok.run.verdict, 'pass', ok.run.reason);
  const bad = await d.run('decide.regression-eval', { inputs: { ...d.inputs, regressionEvalCommand: 'echo "2 regressions"; exit 3' } });
  assert.equal(bad.run.verdict, 'fail');
  assert.match(bad.run.reason, /exit 3/);
});

test('decide.decision is an operator-confirmed step with the inputs filled in', async () => {
  const ui = scriptedUi({ answer: 'yes' });
  const r = await d.run('decide.decision', { ui });
  assert.equal(r.run.verdict, 'pass');
  assert.match(ui.asked[0]!.text, /roll back from 2\.4\.0 to 2\.3\.1 because error rate 12 % after the 2\.4\.0 upgrade/);
  assert.match(ui.asked[0]!.text, /twice 800 ms/);
  const no = await d.run('decide.not-expected-change', { ui: scriptedUi({ answer: 'no' }) });
  assert.equal(no.run.verdict, 'fail');
});
