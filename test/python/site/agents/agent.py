"""`Agent`: a dataclass with instructions (str, 2-parameter callable, or None)."""
from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

TContext = TypeVar("TContext")


@dataclass
class Agent(Generic[TContext]):
    name: str
    handoff_description: str | None = None
    tools: list[Any] = field(default_factory=list)
    mcp_servers: list[Any] = field(default_factory=list)
    mcp_config: dict = field(default_factory=dict)
    instructions: str | Callable[..., Any] | None = None
    prompt: Any = None
    handoffs: list[Any] = field(default_factory=list)
    model: Any = None
    model_settings: Any = None
    hooks: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"Agent name must be a string, got {type(self.name).__name__}")
        if self.instructions is not None and not isinstance(self.instructions, str) and not callable(self.instructions):
            raise TypeError(f"Agent instructions must be a string, callable, or None, got {type(self.instructions).__name__}")

    def clone(self, **kwargs: Any) -> "Agent[TContext]":
        return dataclasses.replace(self, **kwargs)

    def as_tool(self, tool_name=None, tool_description=None, custom_output_extractor=None, is_enabled=True,
                on_stream=None, run_config=None, max_turns=None, hooks=None, **_: Any):
        agent = self

        async def run_agent(context, input: str):
            from .run import Runner

            result = await Runner.run(agent, input, context=context.context, hooks=hooks, run_config=run_config)
            return str(result.final_output)

        return {"name": tool_name or self.name, "description": tool_description, "run": run_agent}

    async def get_system_prompt(self, run_context) -> str | None:
        if isinstance(self.instructions, str):
            return self.instructions
        if callable(self.instructions):
            params = inspect.signature(self.instructions).parameters
            if len(params) != 2:
                raise TypeError(f"'instructions' callable must accept exactly 2 arguments (context, agent), but got {len(params)}")
            value = self.instructions(run_context, self)
            if inspect.isawaitable(value):
                value = await value
            return value
        return None
