"""Run-wide and agent-scoped hooks, shaped like openai-agents' `agents.lifecycle`."""
from __future__ import annotations

from typing import Any, Generic, TypeVar

TContext = TypeVar("TContext")
TAgent = TypeVar("TAgent")


class RunHooksBase(Generic[TContext, TAgent]):
    """Receives callbacks for every agent of a run. Subclass it (or `RunHooks`) and override."""

    async def on_llm_start(self, context, agent, system_prompt, input_items) -> None:
        pass

    async def on_llm_end(self, context, agent, response) -> None:
        pass

    async def on_agent_start(self, context, agent) -> None:
        pass

    async def on_agent_end(self, context, agent, output: Any) -> None:
        pass

    async def on_handoff(self, context, from_agent, to_agent) -> None:
        pass

    async def on_tool_start(self, context, agent, tool) -> None:
        pass

    async def on_tool_end(self, context, agent, tool, result: str) -> None:
        pass


class AgentHooksBase(Generic[TContext, TAgent]):
    """Callbacks of one agent, set with Agent(hooks=...)."""

    async def on_start(self, context, agent) -> None:
        pass

    async def on_end(self, context, agent, output: Any) -> None:
        pass


# As in the SDK: generic aliases. They can be base classes, but not isinstance() targets.
RunHooks = RunHooksBase[Any, Any]
AgentHooks = AgentHooksBase[Any, Any]
