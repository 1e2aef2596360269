"""Runs a Python file the analyzer fixed, against the stand-in packages in ./site, and reports.

    PYTHONPATH=test/python/site python3 test/python/run_fixed.py FILE

The file runs as a script with stand-ins for names the case snippets leave free (`agent`, `x`, ...);
then every function it defines is called with stand-ins by parameter name (awaited when async),
streamed runs still pending are consumed, and every Agent it defines renders its system prompt.
Prints one JSON line: {"runs": model calls, "learns": memory.learn calls, "prompts": [...]}.
Any exception propagates (non-zero exit, traceback on stderr).
"""
import asyncio
import inspect
import json
import os
import runpy
import shutil
import sys
import tempfile

from agents import Agent, RunContextWrapper, RunHooks
from agents import run as agents_run

path = sys.argv[1]
trace_dir = tempfile.mkdtemp(prefix="run-fixed-")
os.environ["AGENTS_FAKE_TRACE"] = os.path.join(trace_dir, "runs.jsonl")
os.environ["ENGRAMIA_FAKE_TRACE"] = os.path.join(trace_dir, "learns.jsonl")


class Cfg:
    instructions = "From a config object."


stand_in_agent = Agent(name="stand-in", instructions="You help.")
stand_ins = {
    "agent": stand_in_agent, "a": stand_in_agent, "ag": stand_in_agent, "x": "Say hi", "question": "Say hi",
    "args": (stand_in_agent, "Say hi"), "run_kwargs": {}, "my_hooks": RunHooks(), "extra": {}, "cfg": Cfg(),
    "r": "helper", "user_name": "Ada", "agent_cfg": {}, "songs": {"a": 1}, "h": RunHooks(), "UserCtx": dict,
}

module = runpy.run_path(path, init_globals=dict(stand_ins), run_name="__fixed__")
# a memory only as a function argument (never a global: a fix must bind its own)
from engramia import Memory  # noqa: E402
from engramia.providers import JSONStorage  # noqa: E402

parameters = {**stand_ins, "memory": Memory(embeddings=None, storage=JSONStorage(path="./engramia_data"))}
for name, fn in list(module.items()):
    if not inspect.isfunction(fn) or fn.__module__ != "__fixed__":
        continue
    params = inspect.signature(fn).parameters
    if not all(p in parameters for p in params):
        continue
    value = fn(**{p: parameters[p] for p in params})
    if inspect.isawaitable(value):
        asyncio.run(value)


async def drain() -> None:
    while agents_run.pending_streams:
        async for _ in agents_run.pending_streams[0].stream_events():
            pass


asyncio.run(drain())
prompts = []
for name, value in module.items():
    if isinstance(value, Agent) and value is not stand_in_agent:
        prompts.append(asyncio.run(value.get_system_prompt(RunContextWrapper(None))))


def count(file: str) -> int:
    try:
        with open(file, encoding="utf-8") as f:
            return sum(1 for line in f if line.strip())
    except FileNotFoundError:
        return 0


report = {"runs": count(os.environ["AGENTS_FAKE_TRACE"]), "learns": count(os.environ["ENGRAMIA_FAKE_TRACE"]), "prompts": prompts}
shutil.rmtree(trace_dir, ignore_errors=True)
print(json.dumps(report))
