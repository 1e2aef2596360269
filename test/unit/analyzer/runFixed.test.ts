/**
 * Quick-fixed agent programs RUN: a hello-world style file and the migration guide's step-2 code,
 * fixed by the analyzer, are executed as scripts against the stand-in openai-agents and engramia
 * packages (test/python/site). Each run must learn exactly once, and with context= the second run
 * recalls the first. The fixes the analyzer wrote before (plain `EngramiaRunHooks(memory)`,
 * `Memory()`) fail against the same packages with the real packages' errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, PYTHON_SITE, pyCompiles } from './helpers';
import { applyTextEdits } from '../../../src/core/analyzer/text';
import { tempDir } from '../../support/tempDir';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'analyzer');
const hasPython = pyCompiles('x = 1\n') === true;

interface ScriptRuns {
  readonly status: number | null;
  readonly stderr: string;
  /** Model calls (one per agent run) and learn calls, over all runs of the script. */
  readonly runs: { system_prompt: string }[];
  readonly learns: { task: string }[];
}

/** Runs `text` as a script `times` times in one folder (the JSONStorage persists between runs). */
function runScript(text: string, times: number): ScriptRuns {
  const dir = tempDir('eng-script');
  try {
    writeFileSync(join(dir, 'app.py'), text);
    const env = { ...process.env, PYTHONPATH: PYTHON_SITE, PYTHONDONTWRITEBYTECODE: '1', AGENTS_FAKE_TRACE: join(dir, 'runs.jsonl'), ENGRAMIA_FAKE_TRACE: join(dir, 'learns.jsonl') };
    let r = { status: 0 as number | null, stderr: '' };
    for (let i = 0; i < times && r.status === 0; i++) {
      const p = spawnSync('python3', ['app.py'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
      r = { status: p.status, stderr: p.stderr };
    }
    const lines = (f: string) => {
      try {
        return readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    };
    return { ...r, runs: lines('runs.jsonl'), learns: lines('learns.jsonl') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const read = (f: string) => readFileSync(join(FIXTURES, f), 'utf8');

test('hello world: the ENG001 quick fix runs and learns once per run; fix-all also recalls on the next run', { skip: !hasPython && 'python3 is missing' }, async () => {
  const src = read('hello_world.py');
  const r = await analyze(src);
  assert.deepEqual(r.findings.map((f) => f.rule), ['ENG002', 'ENG001']);
  const quick = applyTextEdits(src, r.findings.find((f) => f.rule === 'ENG001')!.fix!.edits);
  const one = runScript(quick, 2);
  assert.equal(one.status, 0, one.stderr);
  assert.equal(one.runs.length, 2);
  assert.equal(one.learns.length, 2, 'one learn per run');
  assert.deepEqual(one.learns.map((l) => l.task), ['Tell me about recursion in programming.', 'Tell me about recursion in programming.']);

  const all = applyTextEdits(src, r.fixAll());
  assert.deepEqual((await analyze(all)).findings, [], 'nothing left after fix-all');
  const two = runScript(all, 2);
  assert.equal(two.status, 0, two.stderr);
  assert.equal(two.learns.length, 2);
  assert.equal(two.runs[0]!.system_prompt, 'You only answer in haiku.', 'nothing to recall on the first run');
  assert.match(two.runs[1]!.system_prompt, /^You only answer in haiku\.\n\n## Relevant patterns from previous runs\n1\. \[DUPLICATE\] Tell me about recursion in programming\./, 'the second run recalls the first');
});

test("the guide's step-2 code: as written it crashes; fix-all makes it run, learn once per run and recall", { skip: !hasPython && 'python3 is missing' }, async () => {
  const src = read('guide_step2.py');
  const asWritten = runScript(src, 1);
  assert.notEqual(asWritten.status, 0);
  assert.match(asWritten.stderr, /TypeError: Memory\.__init__\(\) missing 2 required positional arguments: 'embeddings' and 'storage'/);

  const r = await analyze(src);
  assert.deepEqual(r.findings.map((f) => f.rule), ['ENG005', 'ENG001', 'ENG004']);
  assert.match(r.findings[1]!.message, /Run hooks must be instances of RunHooks\. Received EngramiaRunHooks\./);
  const all = applyTextEdits(src, r.fixAll());
  assert.ok(all.includes('class EngramiaAgentsHooks(EngramiaRunHooks, RunHooks):'), all);
  assert.ok(all.includes('result = await Runner.run(support_agent, message, hooks=EngramiaAgentsHooks(memory), context=message)'), all);
  assert.equal(all.split('class EngramiaAgentsHooks').length, 2, 'the class once');
  assert.deepEqual((await analyze(all)).findings, []);
  const runs = runScript(all, 2);
  assert.equal(runs.status, 0, runs.stderr);
  assert.equal(runs.learns.length, 2, 'one learn per run');
  assert.match(runs.runs[1]!.system_prompt, /Relevant patterns from previous runs\n1\. \[DUPLICATE\] How do I reset my password\?/);
});

test('the old fixes fail against the same packages (the stand-ins reject what the real ones reject)', { skip: !hasPython && 'python3 is missing' }, () => {
  // what the ENG001 fix used to write into hello world: the class the guide names, and no memory
  const hello = read('hello_world.py')
    .replace('from agents import Agent, Runner\n', 'from agents import Agent, Runner\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n')
    .replace('"Tell me about recursion in programming.")', '"Tell me about recursion in programming.", hooks=EngramiaRunHooks(memory))');
  const noMemory = runScript(hello, 1);
  assert.notEqual(noMemory.status, 0);
  assert.match(noMemory.stderr, /NameError: name 'memory' is not defined/);
  // with the guide's Memory()
  const guideMemory = runScript(hello.replace('haiku_agent = ', 'from engramia import Memory\nmemory = Memory()\nhaiku_agent = '), 1);
  assert.match(guideMemory.stderr, /TypeError: Memory\.__init__\(\) missing 2 required positional arguments: 'embeddings' and 'storage'/);
  // with a working memory: the Runner rejects the plain class, exactly as openai-agents 0.17–0.22 do
  const plain = runScript(hello.replace('haiku_agent = ', 'from engramia import Memory\nfrom engramia.providers import JSONStorage\nmemory = Memory(embeddings=None, storage=JSONStorage(path="./engramia_data"))\nhaiku_agent = '), 1);
  assert.notEqual(plain.status, 0);
  assert.match(plain.stderr, /TypeError: Run hooks must be instances of RunHooks\. Received EngramiaRunHooks\.\n?$/);
  assert.equal(plain.learns.length, 0);
});
