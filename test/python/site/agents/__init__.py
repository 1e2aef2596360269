"""Offline stand-in for the `openai-agents` package (see test/python/README.md)."""
from .agent import Agent
from .lifecycle import AgentHooks, AgentHooksBase, RunHooks, RunHooksBase
from .run import RunConfig, RunContextWrapper, RunResult, Runner

__version__ = "0.22.0"

__all__ = ["Agent", "AgentHooks", "AgentHooksBase", "RunConfig", "RunContextWrapper", "RunHooks", "RunHooksBase", "RunResult", "Runner"]
