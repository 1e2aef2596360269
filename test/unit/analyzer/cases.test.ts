/**
 * The whole case table of the rule specification (§6): every row is a small module; the test checks
 * the expected findings, the fix text, that each fix compiles, that a second analysis after fix-all
 * leaves nothing fixable, RUNS every fixed file against the stand-in SDK and Engramia packages
 * (test/python) — each agent run must learn exactly once — and pins every fix's full output in
 * cases.golden.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, parser, pyCompiles, pyCompilesAll, runFixed } from './helpers';
import { analyzeText } from '../../../src/core/analyzer/document';
import { analyzeFile } from '../../../src/core/analyzer/workspace';
import { applyTextEdits } from '../../../src/core/analyzer/text';
import { RULE_IDS, type RuleId } from '../../../src/core/analyzer/rules';
import { tempDir } from '../../support/tempDir';

const RUN_HEAD = 'from agents import Agent, Runner, RunConfig\n\n';
const MEM = 'from engramia import Memory\nfrom engramia.sdk.openai_agents import engramia_instructions\nmemory = Memory(embeddings=None, storage=None)\n';
/** What the ENG001 fix puts after a file's imports when it has no hooks class and no memory. */
const HOOKS_PRELUDE_HEAD = (agentsImport: string) => [
  agentsImport,
  'from engramia import Memory',
  'from engramia.providers import JSONStorage',
  'from engramia.sdk.openai_agents import EngramiaRunHooks',
  '',
  '',
  'class EngramiaAgentsHooks(EngramiaRunHooks, RunHooks):',
  '    """EngramiaRunHooks as an agents.RunHooks: the Runner accepts only RunHooks instances."""',
  '',
  '',
  'memory = Memory(embeddings=None, storage=JSONStorage(path="./engramia_data"))',
  '',
].join('\n');
/** Puts lines into an async function so `await` compiles. */
const inMain = (...lines: string[]) => `async def main(agent, a, x, args, run_kwargs, my_hooks, extra, cfg, r, user_name, agent_cfg, songs):\n${lines.map((l) => l.split('\n').map((s) => `    ${s}`).join('\n')).join('\n')}\n`;

interface Case {
  readonly id: string;
  readonly code: string;
  readonly expect: readonly RuleId[];
  /** Text that the first finding's fix must produce in the file. */
  readonly fixContains?: string;
  /** Exact file after the first finding's fix. */
  readonly fixed?: string;
  readonly noFix?: boolean;
  /** Text the file must contain after fix-all. */
  readonly allContains?: string;
}

const cases: Case[] = [
  { id: 'H1', code: RUN_HEAD + inMain('r = await Runner.run(agent, "hi")'), expect: ['ENG001'],
    fixed: HOOKS_PRELUDE_HEAD('from agents import Agent, Runner, RunConfig, RunHooks') + '\n' + inMain('r = await Runner.run(agent, "hi", hooks=EngramiaAgentsHooks(memory))') },
  { id: 'H2', code: RUN_HEAD + 'Runner.run_sync(agent, "hi")\n', expect: ['ENG001'], fixContains: 'Runner.run_sync(agent, "hi", hooks=EngramiaAgentsHooks(memory))' },
  { id: 'H3', code: RUN_HEAD + 'Runner.run_streamed(agent, input="hi")\n', expect: ['ENG001'], fixContains: 'Runner.run_streamed(agent, input="hi", hooks=EngramiaAgentsHooks(memory))' },
  { id: 'H4', code: RUN_HEAD + inMain('await Runner.run(\n    agent,\n    "hi",\n    context={"task": "hi"},\n)'), expect: ['ENG001'],
    fixContains: '        context={"task": "hi"},\n        hooks=EngramiaAgentsHooks(memory),\n    )' },
  { id: 'H4b (no trailing comma, comment kept on its line)', code: RUN_HEAD + inMain('await Runner.run(\n    agent,\n    "hi"  # the prompt\n)'), expect: ['ENG001'],
    fixContains: '        "hi",  # the prompt\n        hooks=EngramiaAgentsHooks(memory),\n    )' },
  { id: 'H5', code: 'import agents\n\n' + inMain('await agents.Runner.run(starting_agent=a, input=x)'), expect: ['ENG001'], fixContains: 'agents.Runner.run(starting_agent=a, input=x, hooks=EngramiaAgentsHooks(memory))' },
  { id: 'H6', code: 'from agents import Runner as OAIRunner\n\n' + inMain('await OAIRunner.run(a, x)'), expect: ['ENG001'], fixContains: 'OAIRunner.run(a, x, hooks=EngramiaAgentsHooks(memory))' },
  { id: 'H7', code: RUN_HEAD + inMain('await Runner().run(a, x)'), expect: ['ENG001'], fixContains: 'Runner().run(a, x, hooks=EngramiaAgentsHooks(memory))' },
  { id: 'H8', code: RUN_HEAD + inMain('await Runner.run(a, x, hooks=None)'), expect: ['ENG001'], fixContains: 'Runner.run(a, x, hooks=EngramiaAgentsHooks(memory))' },
  { id: 'H9', code: RUN_HEAD + inMain('await Runner.run(a, x, run_config=RunConfig(workflow_name="w"))'), expect: ['ENG001'], fixContains: 'run_config=RunConfig(workflow_name="w"), hooks=EngramiaAgentsHooks(memory))' },
  { id: 'H10', code: 'import asyncio\n' + RUN_HEAD + 'asyncio.run(Runner.run(a, x))\n', expect: ['ENG001'], fixContains: 'asyncio.run(Runner.run(a, x, hooks=EngramiaAgentsHooks(memory)))' },
  { id: 'H11', code: RUN_HEAD + inMain('await Runner.run(*args)'), expect: ['ENG001'], fixContains: 'Runner.run(*args, hooks=EngramiaAgentsHooks(memory))' },
  { id: 'H12', code: 'from agents import *\n\nRunner.run_sync(a, x)\n', expect: ['ENG001'], fixContains: 'Runner.run_sync(a, x, hooks=EngramiaAgentsHooks(memory))' },
  { id: 'H13', code: 'import os\n\ndef go(a, x):\n    try:\n        from agents import Runner as R\n    except ImportError:\n        return None\n    return R.run_sync(a, x)\n', expect: ['ENG001'],
    fixed: 'import os\n\ndef go(a, x):\n    try:\n        from agents import Runner as R, RunHooks\n        from engramia import Memory\n        from engramia.providers import JSONStorage\n        from engramia.sdk.openai_agents import EngramiaRunHooks\n        class EngramiaAgentsHooks(EngramiaRunHooks, RunHooks):\n            """EngramiaRunHooks as an agents.RunHooks: the Runner accepts only RunHooks instances."""\n        memory = Memory(embeddings=None, storage=JSONStorage(path="./engramia_data"))\n    except ImportError:\n        return None\n    return R.run_sync(a, x, hooks=EngramiaAgentsHooks(memory))\n' },
  { id: 'H14', code: RUN_HEAD + inMain('r = await Runner.run(a, "x"', 's = await Runner.run_sync(a, "y")'), expect: ['ENG001'] },
  { id: 'N1 (the guide\'s wiring: EngramiaRunHooks is not a RunHooks)', code: RUN_HEAD + 'from engramia.sdk.openai_agents import EngramiaRunHooks\n' + inMain('await Runner.run(a, x, hooks=EngramiaRunHooks(memory))'), expect: ['ENG001'], fixContains: 'await Runner.run(a, x, hooks=EngramiaAgentsHooks(memory))' },
  { id: 'N1b (a RunHooks subclass of EngramiaRunHooks)', code: 'from agents import Runner, RunHooks\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n\nclass Hooks(EngramiaRunHooks, RunHooks):\n    pass\n\n' + inMain('await Runner.run(a, x, hooks=Hooks(memory))'), expect: [] },
  { id: 'N2', code: RUN_HEAD + inMain('await Runner.run(a, x, hooks=my_hooks)'), expect: [] },
  { id: 'N3', code: RUN_HEAD + inMain('await Runner.run(a, x, **run_kwargs)'), expect: [] },
  { id: 'N4', code: RUN_HEAD + 'Runner.run_streamed(a, x, None, 10, my_hooks)\n', expect: [] },
  { id: 'N5', code: RUN_HEAD + 'Runner.run_streamed(*args)\n', expect: [] },
  { id: 'N6', code: RUN_HEAD + inMain('# await Runner.run(a, x)', 'pass'), expect: [] },
  { id: 'N7', code: RUN_HEAD + '"""await Runner.run(a, \'x\')"""\ns = "await Runner.run(a, \'x\')"\n', expect: [] },
  { id: 'N8', code: 'import subprocess\n' + RUN_HEAD + 'subprocess.run(["ls"])\nclass C:\n    def f(self, a):\n        self.runner.run(a)\n', expect: [] },
  { id: 'N9', code: 'from mylib.runners import Runner\n\nRunner.run(job)\n', expect: [] },
  { id: 'N10', code: RUN_HEAD + 'fn = Runner.run\n', expect: [] },
  { id: 'N11', code: RUN_HEAD + inMain('await Runner.run(a, x)  # engramia: ignore[ENG001]'), expect: [] },
  { id: 'N11b (own line, readable name)', code: RUN_HEAD + inMain('# engramia: ignore[missing-run-hooks]', 'await Runner.run(a, x)'), expect: [] },
  { id: 'N11c (bare ignore)', code: RUN_HEAD + inMain('await Runner.run(a, x)  # engramia: ignore'), expect: [] },
  { id: 'N11d (file-ignore)', code: '# engramia: file-ignore[ENG001]\n' + RUN_HEAD + inMain('await Runner.run(a, x)'), expect: [] },
  { id: 'N11e (other rule ignored only)', code: RUN_HEAD + inMain('await Runner.run(a, x)  # engramia: ignore[ENG002]'), expect: ['ENG001'] },
  { id: 'N12 (explicit plain hooks next to **extra)', code: RUN_HEAD + 'from engramia.sdk.openai_agents import EngramiaRunHooks\n' + inMain('await Runner.run(a, x, hooks=EngramiaRunHooks(memory), **extra)'), expect: ['ENG001'], fixContains: 'hooks=EngramiaAgentsHooks(memory), **extra)' },
  { id: 'N13', code: RUN_HEAD + inMain('r = await Runner.run(agent, "typing...'), expect: [] },
  { id: 'I1', code: RUN_HEAD + 'a = Agent(name="a", instructions="You are helpful.")\n', expect: ['ENG002'],
    fixed: 'from agents import Agent, Runner, RunConfig\nfrom engramia import Memory\nfrom engramia.providers import JSONStorage\nfrom engramia.sdk.openai_agents import engramia_instructions\n\n\nmemory = Memory(embeddings=None, storage=JSONStorage(path="./engramia_data"))\n\na = Agent(name="a", instructions=engramia_instructions(memory, base="You are helpful."))\n' },
  { id: 'I2', code: RUN_HEAD + 'a = Agent(name="a", instructions="""You are a\nmulti-line agent.""")\n', expect: ['ENG002'], fixContains: 'instructions=engramia_instructions(memory, base="""You are a\nmulti-line agent."""))' },
  { id: 'I3', code: RUN_HEAD + 'a = Agent(\n    name="a",\n    instructions=(\n        "You are a helpful agent. "\n        "Be concise."\n    ),\n)\n', expect: ['ENG002'],
    fixContains: 'instructions=engramia_instructions(memory, base=(\n        "You are a helpful agent. "\n        "Be concise."\n    )),' },
  { id: 'I4', code: RUN_HEAD + 'user_name = "x"\na = Agent(name="a", instructions=f"You help {user_name}.")\n', expect: ['ENG002'], fixContains: 'base=f"You help {user_name}."' },
  { id: 'I5', code: 'from agents import Agent\nfrom agents.extensions.handoff_prompt import RECOMMENDED_PROMPT_PREFIX\n\na = Agent(name="t", instructions=f"""{RECOMMENDED_PROMPT_PREFIX}\nYou triage.""")\n', expect: ['ENG002'], fixContains: 'base=f"""{RECOMMENDED_PROMPT_PREFIX}\nYou triage.""")' },
  { id: 'I6', code: 'from agents import Agent\nfrom agents.extensions.handoff_prompt import prompt_with_handoff_instructions\n\na = Agent(name="r", instructions=prompt_with_handoff_instructions("Route tasks."))\n', expect: ['ENG002'], fixContains: 'base=prompt_with_handoff_instructions("Route tasks."))' },
  { id: 'I7', code: 'from agents import Agent\nfrom agents.extensions.handoff_prompt import RECOMMENDED_PROMPT_PREFIX\n\na = Agent(name="r", instructions=RECOMMENDED_PROMPT_PREFIX + "Do X")\n', expect: ['ENG002'], fixContains: 'base=RECOMMENDED_PROMPT_PREFIX + "Do X")' },
  { id: 'I8', code: RUN_HEAD + 'a = Agent[UserCtx](name="h", instructions="...")\n', expect: ['ENG002'], fixContains: 'Agent[UserCtx](name="h", instructions=engramia_instructions(memory, base="..."))' },
  { id: 'I9', code: 'import agents\n\na = agents.Agent(name="i", instructions="...")\n', expect: ['ENG002'], fixContains: 'agents.Agent(name="i", instructions=engramia_instructions(memory, base="..."))' },
  { id: 'I10', code: 'from agents import Agent as OAIAgent\n\na = OAIAgent(name="j", instructions="...")\n', expect: ['ENG002'], fixContains: 'OAIAgent(name="j", instructions=engramia_instructions(memory, base="..."))' },
  { id: 'I11', code: RUN_HEAD + 'a01 = Agent(name="a", instructions=engramia_instructions(memory, base="x"))\na02 = a01.clone(instructions="New instructions")\na03 = a02.clone(instructions="Again")\n', expect: ['ENG002', 'ENG002'], fixContains: 'a01.clone(instructions=engramia_instructions(memory, base="New instructions"))' },
  { id: 'I12', code: RUN_HEAD + 'SYSTEM_PROMPT = "You are k."\na = Agent(name="k", instructions=SYSTEM_PROMPT)\n', expect: ['ENG002'], fixContains: 'SYSTEM_PROMPT = "You are k."\na = Agent(name="k", instructions=engramia_instructions(memory, base=SYSTEM_PROMPT))' },
  { id: 'I13', code: RUN_HEAD + 'a = Agent(name="f", instructions="You are {role}".format(role=r))\n', expect: ['ENG002'], fixContains: 'base="You are {role}".format(role=r))' },
  { id: 'I14', code: RUN_HEAD + 'a = Agent(name="r", instructions=r"raw \\d prompt")\n', expect: ['ENG002'], fixContains: 'base=r"raw \\d prompt")' },
  { id: 'I15', code: 'from agents.sandbox import SandboxAgent\n\na = SandboxAgent(name="n", instructions="...")\n', expect: ['ENG002'], fixContains: 'SandboxAgent(name="n", instructions=engramia_instructions(memory, base="..."))' },
  { id: 'I16', code: RUN_HEAD + 'a = Agent(name="o", instructions="x", **{"model": "gpt-4.1"})\n', expect: ['ENG002'], fixContains: 'instructions=engramia_instructions(memory, base="x"), **{"model": "gpt-4.1"})' },
  { id: 'I17', code: RUN_HEAD + 'songs = {"a": 1}\na = Agent(name="p", instructions=f"Use {songs["a"]} and {\'nested\'}")\n', expect: ['ENG002'], fixContains: 'base=f"Use {songs["a"]} and {\'nested\'}")' },
  { id: 'J1', code: RUN_HEAD + 'from engramia.sdk.openai_agents import engramia_instructions\na = Agent(name="a", instructions=engramia_instructions(memory, base="..."))\n', expect: [] },
  { id: 'J2', code: RUN_HEAD + 'def dyn(ctx, agent):\n    return "x"\na = Agent(name="a", instructions=dyn)\n', expect: [] },
  { id: 'J3', code: RUN_HEAD + 'a = Agent(name="a", instructions=lambda ctx, agent: "x")\n', expect: [] },
  { id: 'J4', code: RUN_HEAD + 'a = Agent(name="s")\n', expect: [] },
  { id: 'J5', code: RUN_HEAD + 'a = Agent(name="s", instructions=None)\n', expect: [] },
  { id: 'J6', code: 'from agents.realtime import RealtimeAgent\n\na = RealtimeAgent(name="u", instructions="...")\n', expect: [] },
  { id: 'J7', code: RUN_HEAD + 'a = Agent(name="v", instructions=load_prompt("v.md"))\n', expect: [] },
  { id: 'J8', code: RUN_HEAD + 'a = Agent(name="w", instructions=cfg.instructions)\n', expect: [] },
  { id: 'J9', code: RUN_HEAD + '# Agent(name="x", instructions="...")\n', expect: [] },
  { id: 'J10', code: 'from pydantic_ai import Agent as PAgent\n\na = PAgent("openai:gpt-4o", instructions="...")\n', expect: [] },
  { id: 'J11', code: 'from crewai import Agent\n\na = Agent(role="r", goal="g", backstory="b", instructions="x")\n', expect: [] },
  { id: 'J12', code: RUN_HEAD + 'a = Agent(name="y", **agent_cfg)\n', expect: [] },
  { id: 'J13', code: RUN_HEAD + 's = "Agent(name=\'z\', instructions=\'inside a string\')"\n', expect: [] },
  { id: 'J14', code: RUN_HEAD + 'a = Agent(name="z", instructions="ok")  # engramia: ignore[ENG002]\n', expect: [] },
  { id: 'J15', code: RUN_HEAD + 'thing = make_agent()\nb = thing.clone(instructions="...")\n', expect: [] },
  { id: 'J16', code: RUN_HEAD + 'a = Agent("name", None, [], [], {}, "positional instructions")\n', expect: [] },
  { id: 'T1 (off by default)', code: RUN_HEAD + 'agent = Agent(name="t")\ntool = agent.as_tool("name", "desc")\n', expect: [] },
];

// ENG003–ENG007 (§5.3, §5.4), with every rule on except ENG008 (its cases follow)
const extraCases: (Case & { version?: string })[] = [
  { id: 'T1 (enabled)', code: RUN_HEAD + 'agent = Agent(name="t")\ntool = agent.as_tool("name", "desc")\n', expect: ['ENG003'], fixContains: 'agent.as_tool("name", "desc", hooks=EngramiaAgentsHooks(memory))' },
  { id: 'T2 (as_tool with hooks)', code: RUN_HEAD + 'agent = Agent(name="t")\ntool = agent.as_tool("name", "desc", hooks=h)\n', expect: [] },
  { id: 'C1 (engramia agent, no context; plain hooks)', code: RUN_HEAD + MEM + 'from engramia.sdk.openai_agents import EngramiaRunHooks, engramia_instructions\nag = Agent(name="c", instructions=engramia_instructions(memory, base="x"))\n' + inMain('await Runner.run(ag, x, hooks=EngramiaRunHooks(memory))'),
    expect: ['ENG001', 'ENG004'], allContains: 'Runner.run(ag, x, hooks=EngramiaAgentsHooks(memory), context=x)' },
  { id: 'C2 (context given)', code: RUN_HEAD + MEM + 'ag = Agent(name="c", instructions=engramia_instructions(memory, base="x"))\n' + inMain('await Runner.run(ag, x, hooks=h, context={"task": x})'), expect: [] },
  { id: 'C3 (run_streamed positional context)', code: RUN_HEAD + MEM + 'ag = Agent(name="c", instructions=engramia_instructions(memory, base="x"))\nRunner.run_streamed(ag, x, x, hooks=h)\n', expect: [] },
  { id: 'C4 (clone keeps engramia instructions)', code: RUN_HEAD + MEM + 'ag = Agent(name="c", instructions=engramia_instructions(memory, base="x"))\nb2 = ag.clone(name="d")\nRunner.run_sync(b2, "task text", hooks=h)\n', expect: ['ENG004'], fixContains: 'Runner.run_sync(b2, "task text", hooks=h, context="task text")' },
  { id: 'C5 (context=None)', code: RUN_HEAD + MEM + 'ag = Agent(name="c", instructions=engramia_instructions(memory, base="x"))\nRunner.run_sync(ag, x, hooks=h, context=None)\n', expect: ['ENG004'], fixContains: 'context=x)' },
  { id: 'C6 (complex input: no automatic fix)', code: RUN_HEAD + MEM + 'ag = Agent(name="c", instructions=engramia_instructions(memory, base="x"))\nRunner.run_sync(ag, build(x), hooks=h)\n', expect: ['ENG004'], noFix: true },
  { id: 'M1 (Memory())', code: 'from engramia import Memory\n\nmemory = Memory()\n', expect: ['ENG005'],
    fixed: 'from engramia import Memory\nfrom engramia.providers import JSONStorage, OpenAIEmbeddings\n\nmemory = Memory(embeddings=OpenAIEmbeddings(), storage=JSONStorage(path="./engramia_data"))\n' },
  { id: 'M2 (engramia.Memory())', code: 'import engramia\n\nmem = engramia.Memory()\n', expect: ['ENG005'] },
  { id: 'M3 (Memory with args)', code: MEM, expect: [] },
  { id: 'M4 (other Memory)', code: 'from langchain.memory import Memory\n\nm = Memory()\n', expect: [] },
  { id: 'D1 (on_duplicate, 0.6.6)', version: '0.6.6', code: MEM + 'memory.learn(task="t", code="c", eval_score=5.0, on_duplicate="skip")\n', expect: ['ENG006'], noFix: true },
  { id: 'D2 (on_duplicate, 0.7.0)', version: '0.7.0', code: MEM + 'memory.learn(task="t", code="c", eval_score=5.0, on_duplicate="skip")\n', expect: [] },
  { id: 'D3 (on_duplicate, version unknown)', code: MEM + 'memory.learn(task="t", code="c", eval_score=5.0, on_duplicate="skip")\n', expect: [] },
  { id: 'D4 (no on_duplicate, 0.6.6)', version: '0.6.6', code: MEM + 'memory.learn(task="t", code="c", eval_score=5.0)\n', expect: [] },
  // Runner instances and hooks given to the Runner (ENG007)
  { id: 'R1 (runner = Runner() then runner.run)', code: RUN_HEAD + 'runner = Runner()\nrunner.run_sync(a, x)\n', expect: ['ENG001'], fixContains: 'runner.run_sync(a, x, hooks=EngramiaAgentsHooks(memory))' },
  { id: 'R2 (Runner(hooks=...))', code: RUN_HEAD + 'runner = Runner(hooks=my_hooks)\nrunner.run_sync(a, x)\n', expect: ['ENG007', 'ENG001'], fixContains: 'runner = Runner()\n', allContains: 'runner = Runner()\nrunner.run_sync(a, x, hooks=EngramiaAgentsHooks(memory))' },
  { id: 'R3 (hooks set on a Runner instance)', code: RUN_HEAD + 'runner = Runner()\nrunner.hooks = my_hooks\nrunner.run_sync(a, x)\n', expect: ['ENG007', 'ENG001'] },
  { id: 'R4 (self.runner = Runner())', code: RUN_HEAD + 'class App:\n    def __init__(self):\n        self.runner = Runner()\n\n    def go(self, a, x):\n        return self.runner.run_sync(a, x)\n\nApp().go(agent, "hi")\n', expect: ['ENG001'] },
  // hooks= values: resolved through assignments and classes of the file
  { id: 'P1 (plain hooks through a variable: the guide\'s smoke test)', code: RUN_HEAD + 'from engramia.sdk.openai_agents import EngramiaRunHooks\nhooks = EngramiaRunHooks(memory)\n' + inMain('result = await Runner.run(agent, "Hello, are you there?", hooks=hooks)'),
    expect: ['ENG001'], fixContains: 'hooks = EngramiaAgentsHooks(memory)\n' },
  { id: 'P2 (a local RunHooks subclass is reused by the fix)', code: 'from agents import Runner, RunHooks\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n\nclass MyHooks(EngramiaRunHooks, RunHooks):\n    pass\n\nRunner.run_sync(a, x, hooks=MyHooks(memory))\nRunner.run_sync(a, x)\n',
    expect: ['ENG001'], fixContains: 'Runner.run_sync(a, x, hooks=MyHooks(memory))\nRunner.run_sync(a, x, hooks=MyHooks(memory))' },
  { id: 'P3 (a subclass of EngramiaRunHooks only: still rejected, no automatic fix)', code: 'from agents import Runner\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n\nclass MyHooks(EngramiaRunHooks):\n    pass\n\nRunner.run_sync(a, x, hooks=MyHooks(memory))\n', expect: ['ENG001'], noFix: true },
  { id: 'P4 (a forwarding RunHooks that holds an EngramiaRunHooks)', code: 'import agents\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n\nclass Fwd(agents.RunHooks):\n    def __init__(self, memory):\n        self._e = EngramiaRunHooks(memory)\n\nagents.Runner.run_sync(a, x, hooks=Fwd(memory))\n', expect: [] },
  { id: 'P5 (memory is a parameter: no binding inserted)', code: RUN_HEAD + 'def go(a, x, memory):\n    return Runner.run_sync(a, x)\n', expect: ['ENG001'] },
];

// ENG008 (Information, off by default): hooks the analyzer cannot show to wire Engramia
const unverifiedCases: Case[] = [
  { id: 'U1 (unresolvable hooks)', code: RUN_HEAD + inMain('await Runner.run(a, x, hooks=my_hooks)'), expect: ['ENG008'], noFix: true },
  { id: 'U2 (a RunHooks without Engramia)', code: 'from agents import Runner, RunHooks\n\nclass Log(RunHooks):\n    pass\n\nRunner.run_sync(a, x, hooks=Log())\n', expect: ['ENG008'], noFix: true },
  { id: 'U3 (a RunHooks subclass of EngramiaRunHooks)', code: 'from agents import Runner, RunHooks\nfrom engramia.sdk.openai_agents import EngramiaRunHooks\n\nclass H(EngramiaRunHooks, RunHooks):\n    pass\n\nh = H(memory)\nRunner.run_sync(a, x, hooks=h)\n', expect: [] },
];

const NO_ENG008 = { rules: RULE_IDS.filter((r) => r !== 'ENG008') };

async function check(c: Case & { version?: string }, options: Parameters<typeof analyze>[1]): Promise<void> {
  const r = await analyze(c.code, options);
  assert.deepEqual(r.findings.map((f) => f.rule), [...c.expect], `${c.id}: ${JSON.stringify(r.findings.map((f) => f.message))}`);
  // every text this case compiles, compiled in one interpreter start
  pyCompilesAll([
    c.code,
    ...r.findings.flatMap((f) => [applyTextEdits(c.code, f.suppress.edits), ...(f.fix ? [applyTextEdits(c.code, f.fix.edits)] : [])]),
    ...(!r.hasSyntaxErrors && r.findings.some((f) => f.fix) ? [applyTextEdits(c.code, r.fixAll())] : []),
  ]);
  const compiledBefore = pyCompiles(c.code);
  for (const f of r.findings) {
    assert.ok(f.suppress.edits.length === 1, 'a suppression edit is offered');
    const suppressed = applyTextEdits(c.code, f.suppress.edits);
    const again = await analyze(suppressed, options);
    assert.ok(!again.findings.some((g) => g.rule === f.rule && g.range.start.line === f.range.start.line + (suppressed.split('\n').length - c.code.split('\n').length)), `${c.id}: suppression silences ${f.rule}:\n${suppressed}`);
    if (compiledBefore) assert.equal(pyCompiles(suppressed), true, `${c.id}: suppressed code compiles:\n${suppressed}`);
    if (c.noFix || f.rule === 'ENG006' || f.rule === 'ENG008' || (f.rule === 'ENG007' && !f.fix)) {
      if (c.noFix || f.rule !== 'ENG007') assert.equal(f.fix, undefined, `${c.id}: no automatic fix`);
      continue;
    }
    assert.ok(f.fix, `${c.id}: ${f.rule} has a fix`);
    const fixed = applyTextEdits(c.code, f.fix.edits);
    if (compiledBefore) assert.equal(pyCompiles(fixed), true, `${c.id}: fixed code compiles:\n${fixed}`);
  }
  const first = r.findings[0];
  if (first?.fix) {
    const fixed = applyTextEdits(c.code, first.fix.edits);
    if (c.fixed !== undefined) assert.equal(fixed, c.fixed, c.id);
    if (c.fixContains !== undefined) assert.ok(fixed.includes(c.fixContains), `${c.id}: expected\n${c.fixContains}\nin\n${fixed}`);
  }
  if (!r.hasSyntaxErrors && r.findings.some((f) => f.fix)) {
    const all = applyTextEdits(c.code, r.fixAll());
    if (c.allContains !== undefined) assert.ok(all.includes(c.allContains), `${c.id}: expected\n${c.allContains}\nafter fix-all in\n${all}`);
    const second = await analyze(all, options);
    assert.deepEqual(second.findings.filter((f) => f.fix).map((f) => f.rule), [], `${c.id}: nothing fixable after fix-all:\n${all}`);
    if (compiledBefore) assert.equal(pyCompiles(all), true, `${c.id}: fix-all result compiles:\n${all}`);
    // idempotent: fixing again changes nothing
    assert.equal(applyTextEdits(all, second.fixAll()), all, `${c.id}: fix-all is idempotent`);
  }
}

for (const c of cases) test(`case ${c.id}`, () => check(c, {}));
for (const c of extraCases) test(`case ${c.id}`, () => check(c, { ...NO_ENG008, ...(c.version ? { engramiaVersion: c.version } : {}) }));
for (const c of unverifiedCases) test(`case ${c.id}`, () => check(c, { rules: ['ENG001', 'ENG008'] }));

test('H14: no fix-all while the file has syntax errors, single fixes stay', async () => {
  const r = await analyze(RUN_HEAD + inMain('r = await Runner.run(a, "x"', 's = await Runner.run_sync(a, "y")'));
  assert.equal(r.hasSyntaxErrors, true);
  assert.deepEqual(r.fixAll(), []);
  assert.ok(r.findings[0]?.fix);
});

// ---------------------------------------------------------------------------------------------
// Every fix RUN: the fixed files execute against the stand-in SDK and Engramia (test/python)

const optionsOf = (c: Case & { version?: string }, table: string) => (table === 'cases' ? {} : table === 'extra' ? { ...NO_ENG008, ...(c.version ? { engramiaVersion: c.version } : {}) } : { rules: ['ENG001', 'ENG008'] as RuleId[] });
const tables = [['cases', cases], ['extra', extraCases], ['unverified', unverifiedCases]] as const;

for (const [table, list] of tables) {
  for (const c of list) {
    test(`case ${c.id}: the fixed file runs; every run learns once`, async (t) => {
      const r = await analyze(c.code, optionsOf(c, table));
      const fixable = r.findings.filter((f) => f.fix);
      if (!fixable.length || r.hasSyntaxErrors) return t.skip('nothing to fix');
      if (pyCompiles(c.code) !== true) return t.skip('the case is not Python this interpreter runs');
      const outputs: [string, string][] = [['fix-all', applyTextEdits(c.code, r.fixAll())]];
      // a single fix runs on its own when it is the file's only fixable finding
      if (fixable.length === 1) outputs.push([fixable[0]!.fix!.title, applyTextEdits(c.code, fixable[0]!.fix!.edits)]);
      for (const [what, text] of outputs) {
        const run = runFixed(text);
        if (!run) return t.skip('python3 is missing');
        assert.equal(run.status, 0, `${c.id} (${what}) runs:\n${text}\n--- stderr\n${run.stderr}`);
        const report = run.report!;
        if (fixable.some((f) => f.rule === 'ENG001')) {
          assert.ok(report.runs >= 1, `${c.id} (${what}): the agent ran`);
          assert.equal(report.learns, report.runs, `${c.id} (${what}): one learn per run\n${text}`);
        }
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Golden: the full output of every fix of the table (UPDATE_GOLDEN=1 rewrites the file)

const GOLDEN = join(__dirname, 'cases.golden.md');

test('golden: every finding and every fix of the case table, byte for byte', async () => {
  const out: string[] = ['# Analyzer case table: findings and the full text of each fix', '', 'Generated by test/unit/analyzer/cases.test.ts (`UPDATE_GOLDEN=1` rewrites it). Each case shows its input, its findings, the file after each single fix, and the file after fix-all.', ''];
  const fence = (text: string) => ['````python', text.endsWith('\n') ? text.slice(0, -1) : text, '````'];
  for (const [table, list] of tables) {
    for (const c of list) {
      const r = await analyze(c.code, optionsOf(c, table));
      out.push(`## ${c.id}`, '', ...fence(c.code), '');
      if (!r.findings.length) out.push('No findings.', '');
      for (const f of r.findings) {
        out.push(`- **${f.rule}** ${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.message}`);
      }
      if (r.findings.length) out.push('');
      for (const f of r.findings) {
        if (!f.fix) continue;
        out.push(`### ${f.fix.title}`, '', ...fence(applyTextEdits(c.code, f.fix.edits)), '');
      }
      if (!r.hasSyntaxErrors && r.findings.filter((f) => f.fix).length > 1) out.push('### Fix all', '', ...fence(applyTextEdits(c.code, r.fixAll())), '');
    }
  }
  const text = out.join('\n');
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
  const golden = existsSync(GOLDEN) ? readFileSync(GOLDEN, 'utf8') : '';
  if (text !== golden) {
    const a = text.split('\n');
    const b = golden.split('\n');
    const i = a.findIndex((l, k) => l !== b[k]);
    assert.fail(`cases.golden.md differs at line ${i + 1}:\n  got:      ${JSON.stringify(a[i])}\n  expected: ${JSON.stringify(b[i])}\n(UPDATE_GOLDEN=1 after checking the change)`);
  }
});

test('a scan plans no fixes: every case gives the same findings, fix titles and workspace findings as the full analysis; asking it for an edit throws', async () => {
  const py = await parser();
  for (const [table, list] of tables) {
    for (const c of list) {
      const options = optionsOf(c, table);
      const full = analyzeText(py, c.code, options);
      const scan = analyzeText(py, c.code, options, false);
      const view = (r: typeof full) => r.findings.map((f) => ({ rule: f.rule, name: f.name, severity: f.severity, message: f.message, range: f.range, fix: f.fix?.title, suppress: f.suppress.title }));
      assert.deepEqual(view(scan), view(full), c.id);
      assert.deepEqual([scan.hasSyntaxErrors, scan.errorUnits, scan.memoryVariable, scan.hooksClasses, scan.relevantNames], [full.hasSyntaxErrors, full.errorUnits, full.memoryVariable, full.hooksClasses, full.relevantNames], c.id);
      // what a workspace scan reports of the file (`fixable` included) is the full analysis's
      assert.deepEqual(analyzeFile(py, 'a.py', '/w/a.py', c.code, options), full.findings.map((f) => ({
        file: 'a.py', absolutePath: '/w/a.py', line: f.range.start.line + 1, column: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1,
        rule: f.rule, severity: f.severity, message: f.message, fixable: !!f.fix,
      })), c.id);
      if (scan.findings.length) assert.throws(() => scan.findings[0]!.suppress.edits, /planned no fixes/);
      assert.throws(() => scan.fixAll(), /planned no fixes/);
    }
  }
});

test('the batched compile gives py_compile\'s verdict: valid code, syntax errors, a null byte, a lone surrogate, a coding cookie', (t) => {
  const texts = ['x = 1\n', 'def f(:\n    pass\n', 'x = 1\0\n', 'x = "\ud800"\n', '# -*- coding: ascii -*-\nx = "é"\n', 'async def f():\n    await g()\n', 'await g()\n', 'print("ok")'];
  const oneByOne = texts.map((text) => {
    const dir = tempDir('eng-compile');
    const file = join(dir, 'case.py');
    writeFileSync(file, text);
    return spawnSync('python3', ['-I', '-S', '-m', 'py_compile', file]).status === 0;
  });
  if (pyCompiles('x = 1\n') === undefined) return t.skip('python3 is missing');
  pyCompilesAll(texts);
  assert.deepEqual(texts.map((text) => pyCompiles(text)), oneByOne);
  assert.deepEqual(oneByOne, [true, false, false, true, false, true, false, true]);
});
