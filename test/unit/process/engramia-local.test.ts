/**
 * The four local checks of the Engramia runbook, run as written in the runbook against FAKE
 * packages on PYTHONPATH (PyPI is not reachable in CI): a fake `engramia` with dist-info
 * metadata, a fake `engramia.sdk.openai_agents` with a plain EngramiaRunHooks, and a fake
 * `agents` whose Runner validates hooks the way openai-agents does (nominal isinstance check on
 * RunHooksBase, same TypeError text).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { run } from './harness';
import { removeTempDir, tempDir } from '../../support/tempDir';
import { whichSync } from '../../../src/core/process/python';
import { fencedChecks, REPO } from './runbook-fences';

const RUNBOOK = path.join(REPO, 'runbooks/engramia-verification-and-rollback.runbook.md');
const checks = fencedChecks(RUNBOOK);

function write(root: string, rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const AGENTS_LIFECYCLE = `
from typing import Any, Generic, TypeVar
TContext = TypeVar("TContext")
TAgent = TypeVar("TAgent")

class RunHooksBase(Generic[TContext, TAgent]):
    async def on_agent_start(self, context, agent): pass
    async def on_agent_end(self, context, agent, output): pass
    async def on_llm_start(self, context, agent, system_prompt, input_items): pass
    async def on_llm_end(self, context, agent, response): pass
    async def on_tool_start(self, context, agent, tool): pass
    async def on_tool_end(self, context, agent, tool, result): pass
    async def on_handoff(self, context, from_agent, to_agent): pass

class AgentHooksBase(Generic[TContext, TAgent]):
    pass

RunHooks = RunHooksBase[TContext, Any]
AgentHooks = AgentHooksBase[TContext, Any]
`;

const AGENTS_INIT = `
from dataclasses import dataclass
from typing import Any
from .lifecycle import RunHooks, RunHooksBase, AgentHooks, AgentHooksBase
__version__ = "0.13.6"

class Agent:
    def __init__(self, name, instructions=None, reply="echo"):
        self.name, self.instructions, self.reply = name, instructions, reply

@dataclass
class RunContextWrapper:
    context: Any

@dataclass
class RunResult:
    final_output: Any

class Runner:
    @classmethod
    async def run(cls, starting_agent, input, *, context=None, hooks=None, **kwargs):
        if hooks is None:
            hooks = RunHooks()
        elif isinstance(hooks, AgentHooksBase):
            raise TypeError(f"Run hooks must be instances of RunHooks. Received agent-scoped hooks ({type(hooks).__name__}). Attach AgentHooks to an Agent via Agent(..., hooks=...).")
        elif not isinstance(hooks, RunHooksBase):
            raise TypeError(f"Run hooks must be instances of RunHooks. Received {type(hooks).__name__}.")
        wrapper = RunContextWrapper(context)
        await hooks.on_agent_start(wrapper, starting_agent)
        output = "" if starting_agent.reply == "" else f"{starting_agent.reply}: {input}"
        await hooks.on_agent_end(wrapper, starting_agent, output)
        return RunResult(final_output=output)
`;

const ENGRAMIA_INIT = `
class Memory:
    def __init__(self, embeddings, storage, llm=None, redaction=None):
        self.storage, self.learned = storage, []
    def learn(self, task, code, eval_score, output=None, **kwargs):
        self.learned.append(task)
    def recall(self, task, limit=5):
        return []
`;

const ENGRAMIA_OPENAI_AGENTS = (base: 'plain' | 'subclass') => `
def _check_import():
    try:
        import agents  # noqa: F401
    except ImportError:
        raise ImportError("OpenAI Agents integration requires openai-agents. Install with: pip install engramia[openai-agents]")

${base === 'subclass' ? 'import agents\n_Base = agents.RunHooks\n' : '_Base = object\n'}
class EngramiaRunHooks(_Base):
    def __init__(self, memory, auto_learn=True, min_score=7.0, recall_limit=3):
        _check_import()
        self._memory, self._tasks = memory, {}
    async def on_agent_start(self, context, agent):
        if isinstance(context.context, str):
            self._tasks[agent.name] = context.context
    async def on_agent_end(self, context, agent, output):
        task = self._tasks.get(agent.name)
        if task and output:
            self._memory.learn(task=task, code=str(output), eval_score=7.0, output=str(output))
    async def on_llm_start(self, context, agent, system_prompt, input_items): pass
    async def on_llm_end(self, context, agent, response): pass
    async def on_tool_start(self, context, agent, tool): pass
    async def on_tool_end(self, context, agent, tool, result): pass
    async def on_handoff(self, context, from_agent, to_agent): pass

def engramia_instructions(memory, base="", recall_limit=3):
    async def instructions(context, agent):
        return base
    return instructions
`;

interface Site {
  readonly dir: string;
  readonly pythonPath: string;
}

let tmp: string;

/** A site-packages folder with the chosen fakes. */
function site(name: string, o: { engramia?: string; hooks?: 'plain' | 'subclass'; agents?: boolean; app?: boolean }): Site {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  if (o.engramia) {
    write(dir, 'engramia/__init__.py', ENGRAMIA_INIT);
    write(dir, 'engramia/providers/__init__.py', 'class JSONStorage:\n    def __init__(self, path="./engramia_data"):\n        self.path = path\n');
    write(dir, 'engramia/sdk/__init__.py', '');
    write(dir, 'engramia/sdk/openai_agents.py', ENGRAMIA_OPENAI_AGENTS(o.hooks ?? 'plain'));
    write(dir, `engramia-${o.engramia}.dist-info/METADATA`, `Metadata-Version: 2.1\nName: engramia\nVersion: ${o.engramia}\n`);
  }
  if (o.agents) {
    write(dir, 'agents/__init__.py', AGENTS_INIT);
    write(dir, 'agents/lifecycle.py', AGENTS_LIFECYCLE);
    write(dir, 'openai_agents-0.13.6.dist-info/METADATA', 'Metadata-Version: 2.1\nName: openai-agents\nVersion: 0.13.6\n');
  }
  return { dir, pythonPath: dir };
}

async function runLocal(id: string, s: Site, inputs: Record<string, string> = {}, cwd?: string) {
  const check = checks.get(id);
  assert.ok(check, `${id} is not in the Engramia runbook`);
  assert.doesNotMatch(check.body, /filled in by the process-cells work/);
  return run(check.kind, check.body, { id, inputs, cwd: cwd ?? tmp, services: interpreterWith(s) });
}

/**
 * An interpreter that has the site's fakes installed: a wrapper around python3 that puts the site
 * on PYTHONPATH (checks do not inherit PYTHONPATH from the test process).
 */
function interpreterWith(s: Site): { pythonInterpreter: () => Promise<{ path: string; source: string }> } {
  const wrapper = path.join(s.dir, 'python-with-site');
  const py = whichSync('python3') ?? 'python3';
  writeFileSync(wrapper, `#!/bin/sh\nPYTHONPATH='${s.pythonPath.replace(/'/g, `'\\''`)}' exec '${py}' "$@"\n`, { mode: 0o755 });
  return { pythonInterpreter: async () => ({ path: wrapper, source: 'test interpreter' }) };
}

before(() => {
  tmp = tempDir('engramia-local');
});
after(() => removeTempDir(tmp));

test('code.engramia-version: installed ≥ pinned passes, older fails, missing fails, compared as versions not strings', async () => {
  const s = site('v066', { engramia: '0.6.6' });
  const ok = await runLocal('code.engramia-version', s, { pinnedVersion: '0.6.6' });
  assert.equal(ok.run.verdict, 'pass', ok.run.reason);
  assert.match(ok.run.reason, /engramia 0\.6\.6 >= pinned 0\.6\.6/);
  assert.match(ok.output, /python: .* chosen by/);
  const old = await runLocal('code.engramia-version', s, { pinnedVersion: '0.7.0' });
  assert.equal(old.run.verdict, 'fail');
  assert.match(old.run.reason, /engramia 0\.6\.6 is older than the pinned 0\.7\.0/);
  // "0.10.0" > "0.9.1" as versions (a string comparison would say the opposite).
  const s10 = site('v0100', { engramia: '0.10.0' });
  assert.equal((await runLocal('code.engramia-version', s10, { pinnedVersion: '0.9.1' })).run.verdict, 'pass');
  // Without packaging the built-in PEP 440 ordering decides, with the same result.
  const noPackaging = site('v0100-nopkg', { engramia: '0.10.0' });
  write(noPackaging.dir, 'packaging/__init__.py', 'raise ImportError("packaging hidden for the test")\n');
  const pep = await runLocal('code.engramia-version', noPackaging, { pinnedVersion: '0.9.1' });
  assert.equal(pep.run.verdict, 'pass', pep.run.reason);
  assert.match(pep.run.reason, /compared with PEP 440\)/);
  // A post-release pin is newer than the release; 0.10.0.0 is the same version as 0.10.0.
  assert.equal((await runLocal('code.engramia-version', noPackaging, { pinnedVersion: '0.10.0.post1' })).run.verdict, 'fail');
  assert.equal((await runLocal('code.engramia-version', noPackaging, { pinnedVersion: '0.10.0.0' })).run.verdict, 'pass');
  assert.equal((await runLocal('code.engramia-version', noPackaging, { pinnedVersion: '0.10.1' })).run.verdict, 'fail');
  assert.equal((await runLocal('code.engramia-version', noPackaging, { pinnedVersion: '0.10.0rc2' })).run.verdict, 'pass');
  const junk = await runLocal('code.engramia-version', noPackaging, { pinnedVersion: 'latest' });
  assert.equal(junk.run.verdict, 'fail');
  assert.match(junk.run.reason, /'latest' is not a PEP 440 version/);
  const none = await runLocal('code.engramia-version', site('empty', {}), { pinnedVersion: '0.6.6' });
  assert.equal(none.run.verdict, 'fail');
  assert.match(none.run.reason, /not installed in this interpreter/);
  const unpinned = await runLocal('code.engramia-version', s, { pinnedVersion: '' });
  assert.equal(unpinned.run.verdict, 'warn');
});

test('code.engramia-version: PEP 440 order without packaging — pre-releases are below the release (0.6.6rc1 does not meet a 0.6.6 pin)', async () => {
  // Installed → pinned → verdict. Each pair is the order packaging.version gives.
  const cases: [string, string, 'pass' | 'fail'][] = [
    ['0.6.6rc1', '0.6.6', 'fail'],
    ['0.6.6', '0.6.6rc1', 'pass'],
    ['0.6.6.dev1', '0.6.6a1', 'fail'],
    ['0.6.6a1', '0.6.6b1', 'fail'],
    ['0.6.6b2', '0.6.6rc1', 'fail'],
    ['0.6.6.post1', '0.6.6', 'pass'],
    ['0.6.6-1', '0.6.6.post1', 'pass'],
    ['0.6.6+local.7', '0.6.6', 'pass'],
    ['1!0.1', '2.0', 'pass'],
    ['0.7.0.dev3', '0.6.6', 'pass'],
    ['v0.6.6', '0.6.6', 'pass'],
    ['0.6.6RC1', '0.6.6', 'fail'],
  ];
  for (const [installed, pinned, want] of cases) {
    const s = site(`pep-${installed.replace(/[^\w]/g, '_')}`, { engramia: installed });
    write(s.dir, 'packaging/__init__.py', 'raise ImportError("packaging hidden for the test")\n');
    const r = await runLocal('code.engramia-version', s, { pinnedVersion: pinned });
    assert.equal(r.run.verdict, want, `${installed} vs pin ${pinned}: ${r.run.reason}`);
    assert.match(r.run.reason, want === 'pass' ? /compared with PEP 440/ : /is older than the pinned/);
  }
});

test('code.deep-import: agents missing → fail with the install hint', async () => {
  const r = await runLocal('code.deep-import', site('no-agents', { engramia: '0.6.6' }));
  assert.equal(r.run.verdict, 'fail');
  assert.match(r.run.reason, /openai-agents is not installed/);
  assert.match(r.run.next!, /pip install 'engramia\[openai-agents\]'/);
});

test('code.deep-import: plain EngramiaRunHooks → fail with the exact TypeError and the forwarding workaround', async () => {
  const r = await runLocal('code.deep-import', site('plain', { engramia: '0.6.6', agents: true }));
  assert.equal(r.run.verdict, 'fail', r.run.reason);
  assert.match(r.run.reason, /TypeError: Run hooks must be instances of RunHooks\. Received EngramiaRunHooks\./);
  assert.match(r.run.next!, /subclass of agents\.RunHooks/);
  assert.match(r.output, /class EngramiaAgentsHooks\(agents\.RunHooks\)/);
});

test('code.deep-import: the printed workaround really is accepted by the (fake) Runner', async () => {
  const s = site('plain2', { engramia: '0.6.6', agents: true });
  const r = await runLocal('code.deep-import', s);
  const lines = r.output.split('\n');
  const from = lines.findIndex((l) => /a forwarding subclass:$/.test(l));
  const to = lines.findIndex((l) => l.startsWith('RESULT:'));
  assert.ok(from > 0 && to > from);
  const snippet = lines.slice(from + 1, to).map((l) => l.slice(2)).join('\n');
  assert.match(snippet, /setattr\(EngramiaAgentsHooks/);
  const program = `${snippet}\nimport asyncio\nclass M:\n    def __init__(self): self.learned = []\n    def learn(self, **kw): self.learned.append(kw["task"])\nm = M()\nres = asyncio.run(agents.Runner.run(agents.Agent("a"), "hi", hooks=EngramiaAgentsHooks(m), context="hi"))\nprint(res.final_output, "learned=" + ",".join(m.learned))\n?? stdout includes learned=hi`;
  const ran = await run('python', program, { cwd: tmp, services: interpreterWith(s) });
  assert.equal(ran.run.verdict, 'pass', ran.run.reason + ran.output);
});

test('code.deep-import: EngramiaRunHooks derived from agents.RunHooks → pass', async () => {
  const r = await runLocal('code.deep-import', site('fixed', { engramia: '0.7.1', hooks: 'subclass', agents: true }));
  assert.equal(r.run.verdict, 'pass', r.run.reason);
  assert.match(r.run.reason, /is accepted/);
});

test('smoke.1-round-trip: the agent answers through Runner.run with hooks and context=prompt', async () => {
  const s = site('smoke', { engramia: '0.6.6', hooks: 'subclass', agents: true });
  const ws = path.join(tmp, 'workspace');
  write(ws, 'myapp/__init__.py', '');
  write(ws, 'myapp/agent.py', 'import agents\nfrom engramia import Memory\nfrom engramia.providers import JSONStorage\nmemory = Memory(embeddings=None, storage=JSONStorage("./data"))\nagent = agents.Agent("assistant")\nsilent = agents.Agent("silent", reply="")\n');
  const ok = await runLocal('smoke.1-round-trip', s, { agentModule: 'myapp.agent:agent', sampleTask: 'Build a CSV parser' }, ws);
  assert.equal(ok.run.verdict, 'pass', ok.run.reason + ok.output);
  assert.match(ok.run.reason, /echo: Build a CSV parser/);
  assert.match(ok.output, /memory: myapp\.agent\.memory/);
  const empty = await runLocal('smoke.1-round-trip', s, { agentModule: 'myapp.agent:silent' }, ws);
  assert.equal(empty.run.verdict, 'fail');
  assert.match(empty.run.reason, /final_output is empty/);
  const unset = await runLocal('smoke.1-round-trip', s, {}, ws);
  assert.equal(unset.run.verdict, 'fail');
  assert.match(unset.run.next!, /agentModule/);
  assert.match(ok.run.reason, /with engramia's EngramiaRunHooks \(a RunHooks in this version\), and Engramia learned 1 time\(s\)/);
  // With the plain (rejected) hooks the smoke still shows the answer, but warns.
  const plain = await runLocal('smoke.1-round-trip', site('smoke-plain', { engramia: '0.6.6', agents: true }), { agentModule: 'myapp.agent:agent' }, ws);
  assert.equal(plain.run.verdict, 'warn', plain.run.reason);
  assert.match(plain.run.reason, /plain EngramiaRunHooks is rejected/);
  assert.match(plain.run.next!, /ENG001 quick fix/);
});

test('smoke.1-round-trip: any RunHooks-derived hooks that make Engramia learn pass, and the result says which', async () => {
  const s = site('smoke-fixed', { engramia: '0.6.6', agents: true }); // engramia's own hooks are plain here
  const ws = path.join(tmp, 'workspace-fixed');
  const fixedClass = 'class EngramiaAgentsHooks(EngramiaRunHooks, RunHooks):\n    pass\n';
  write(ws, 'svc/__init__.py', '');
  // What the ENG001 quick fix writes into the agent's module.
  write(ws, 'svc/agent.py', `from agents import Agent, RunHooks\nfrom engramia import Memory\nfrom engramia.providers import JSONStorage\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n\n\n${fixedClass}\n\nmemory = Memory(embeddings=None, storage=JSONStorage(path="./data"))\nagent = Agent("assistant")\n`);
  const found = await runLocal('smoke.1-round-trip', s, { agentModule: 'svc.agent:agent', sampleTask: 'Build a CSV parser' }, ws);
  assert.equal(found.run.verdict, 'pass', found.run.reason + found.output);
  assert.match(found.run.reason, /with svc\.agent\.EngramiaAgentsHooks, and Engramia learned 1 time\(s\)/);
  assert.match(found.output, /learn calls during the run: 1/);

  // hooksClass names a class elsewhere (the engramia.hooksClass setting's value).
  write(ws, 'svc/hooks.py', `from agents import RunHooks\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n\n\nclass TeamHooks(EngramiaRunHooks, RunHooks):\n    pass\n\n\nclass Silent(RunHooks):\n    def __init__(self, memory):\n        self.memory = memory\n\n\nclass NotHooks(EngramiaRunHooks):\n    pass\n`);
  write(ws, 'svc/bare.py', 'from agents import Agent\nfrom engramia import Memory\nfrom engramia.providers import JSONStorage\nmemory = Memory(embeddings=None, storage=JSONStorage(path="./data"))\nagent = Agent("assistant")\n');
  const named = await runLocal('smoke.1-round-trip', s, { agentModule: 'svc.bare:agent', hooksClass: 'svc.hooks:TeamHooks' }, ws);
  assert.equal(named.run.verdict, 'pass', named.run.reason + named.output);
  assert.match(named.run.reason, /with hooksClass svc\.hooks:TeamHooks, and Engramia learned 1 time\(s\)/);

  // RunHooks that never make Engramia learn: the run works, the smoke fails and says so.
  const silent = await runLocal('smoke.1-round-trip', s, { agentModule: 'svc.bare:agent', hooksClass: 'svc.hooks:Silent' }, ws);
  assert.equal(silent.run.verdict, 'fail', silent.run.reason);
  assert.match(silent.run.reason, /Engramia did not learn from the run/);

  // A hooks class that is not a RunHooks: the SDK's TypeError, before anything runs.
  const wrong = await runLocal('smoke.1-round-trip', s, { agentModule: 'svc.bare:agent', hooksClass: 'svc.hooks:NotHooks' }, ws);
  assert.equal(wrong.run.verdict, 'fail', wrong.run.reason);
  assert.match(wrong.run.reason, /not a RunHooks subclass: Runner\.run would raise TypeError: Run hooks must be instances of RunHooks\. Received NotHooks\./);
});

test('data.backup-today: today → pass; yesterday → fail; missing → fail; pg_dump file by its own time', async () => {
  const root = path.join(tmp, 'backups');
  const copy = path.join(root, 'engramia_data_backup');
  write(copy, 'patterns/p1.json', '{}');
  write(copy, 'metrics/default/default/_global.json', '{}');
  const today = await runLocal('data.backup-today', site('none1', {}), { backupPath: 'engramia_data_backup' }, root);
  assert.equal(today.run.verdict, 'pass', today.run.reason);
  assert.match(today.run.reason, /data-directory copy .* was written today/);

  const old = (Date.now() - 3 * 86400_000) / 1000;
  utimesSync(path.join(copy, 'patterns/p1.json'), old, old);
  utimesSync(path.join(copy, 'metrics/default/default/_global.json'), old, old);
  const stale = await runLocal('data.backup-today', site('none1', {}), { backupPath: 'engramia_data_backup' }, root);
  assert.equal(stale.run.verdict, 'fail');
  assert.match(stale.run.reason, /not today/);

  const missing = await runLocal('data.backup-today', site('none1', {}), { backupPath: 'nope' }, root);
  assert.equal(missing.run.verdict, 'fail');
  assert.match(missing.run.reason, /no backup at nope/);

  write(root, 'engramia_20260101.dump', 'PGDMP\u0001\u000e\u0000fake custom-format dump');
  const dump = await runLocal('data.backup-today', site('none1', {}), { backupPath: 'engramia_20260101.dump' }, root);
  assert.equal(dump.run.verdict, 'pass', dump.run.reason);
  assert.match(dump.run.reason, /database dump/);
  utimesSync(path.join(root, 'engramia_20260101.dump'), old, old);
  assert.equal((await runLocal('data.backup-today', site('none1', {}), { backupPath: 'engramia_20260101.dump' }, root)).run.verdict, 'fail');
});
