"""`Runner` (classmethods run / run_sync / run_streamed) with the SDK's run-hooks check and a fake model."""
from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from typing import Any

from .agent import Agent
from .lifecycle import AgentHooksBase, RunHooks, RunHooksBase


@dataclass
class RunConfig:
    """Run settings. Like the SDK's, it has no hooks field."""

    model: Any = None
    workflow_name: str = "Agent workflow"
    tracing_disabled: bool = False


class RunContextWrapper:
    """What hooks and dynamic instructions receive. Like the SDK's: `context`, `usage`, no `input`."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.usage = {"requests": 0}


@dataclass
class RunResult:
    input: Any
    final_output: Any
    last_agent: Agent


def validate_run_hooks(hooks: Any) -> RunHooksBase:
    if hooks is None:
        return RunHooks()
    if isinstance(hooks, AgentHooksBase):
        raise TypeError(
            "Run hooks must be instances of RunHooks. "
            f"Received agent-scoped hooks ({type(hooks).__name__}). "
            "Attach AgentHooks to an Agent via Agent(..., hooks=...)."
        )
    if not isinstance(hooks, RunHooksBase):
        raise TypeError(f"Run hooks must be instances of RunHooks. Received {type(hooks).__name__}.")
    return hooks


class FakeModel:
    """Answers without a network: `echo: <the user's input>`."""

    async def get_response(self, system_prompt: str | None, input_items: list[dict]) -> str:
        return "echo: " + " ".join(str(i.get("content", "")) for i in input_items if i.get("role") == "user")


def _trace(event: dict) -> None:
    path = os.environ.get("AGENTS_FAKE_TRACE")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(event) + "\n")


async def _run(starting_agent: Agent, input: Any, context: Any, hooks: RunHooksBase, run_config: Any) -> RunResult:
    if isinstance(run_config, dict):
        run_config = RunConfig(**run_config)
    wrapper = RunContextWrapper(context)
    agent = starting_agent
    input_items = [{"role": "user", "content": input}] if isinstance(input, str) else list(input)
    await hooks.on_agent_start(wrapper, agent)
    system_prompt = await agent.get_system_prompt(wrapper)
    await hooks.on_llm_start(wrapper, agent, system_prompt, input_items)
    model = agent.model if hasattr(agent.model, "get_response") else FakeModel()
    output = await model.get_response(system_prompt, input_items)
    wrapper.usage["requests"] += 1
    _trace({"agent": agent.name, "system_prompt": system_prompt, "input": input_items})
    await hooks.on_llm_end(wrapper, agent, output)
    await hooks.on_agent_end(wrapper, agent, output)
    return RunResult(input=input, final_output=output, last_agent=agent)


#: Streamed runs not consumed yet (the test runner drives them after the module ran).
pending_streams: list["RunResultStreaming"] = []


class RunResultStreaming:
    def __init__(self, coro_factory) -> None:
        self._factory = coro_factory
        self.final_output = None
        self.is_complete = False
        pending_streams.append(self)

    async def stream_events(self):
        if self in pending_streams:
            pending_streams.remove(self)
        result = await self._factory()
        self.final_output = result.final_output
        self.is_complete = True
        yield {"type": "run_item_stream_event", "output": result.final_output}


class Runner:
    """Classmethods only: `Runner()` takes no arguments (and ignores attributes set on it)."""

    @classmethod
    async def run(cls, starting_agent: Agent, input: Any, *, context: Any = None, max_turns: int = 10,
                  hooks: Any = None, run_config: Any = None, error_handlers: Any = None,
                  previous_response_id: str | None = None, auto_previous_response_id: bool = False,
                  conversation_id: str | None = None, session: Any = None) -> RunResult:
        checked = validate_run_hooks(hooks)
        return await _run(starting_agent, input, context, checked, run_config)

    @classmethod
    def run_sync(cls, starting_agent: Agent, input: Any, *, context: Any = None, max_turns: int = 10,
                 hooks: Any = None, run_config: Any = None, error_handlers: Any = None,
                 previous_response_id: str | None = None, auto_previous_response_id: bool = False,
                 conversation_id: str | None = None, session: Any = None) -> RunResult:
        checked = validate_run_hooks(hooks)
        return asyncio.run(_run(starting_agent, input, context, checked, run_config))

    @classmethod
    def run_streamed(cls, starting_agent: Agent, input: Any, context: Any = None, max_turns: int = 10,
                     hooks: Any = None, run_config: Any = None, previous_response_id: str | None = None,
                     auto_previous_response_id: bool = False, conversation_id: str | None = None,
                     session: Any = None, *, error_handlers: Any = None) -> RunResultStreaming:
        checked = validate_run_hooks(hooks)
        return RunResultStreaming(lambda: _run(starting_agent, input, context, checked, run_config))
