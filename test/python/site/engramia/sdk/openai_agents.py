"""Engramia's OpenAI Agents integration as released in 0.6.6: `EngramiaRunHooks` is a PLAIN class."""
from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)
_TASK_KEYS = ("task", "input", "query", "prompt", "question")


def _require_agents() -> None:
    try:
        import agents  # noqa: F401
    except ImportError as e:
        raise ImportError("The OpenAI Agents integration needs openai-agents: pip install 'engramia[openai-agents]'") from e


def _extract_task_from_context(context: Any) -> str | None:
    value = getattr(context, "context", None)
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, dict):
        for k in _TASK_KEYS:
            if isinstance(value.get(k), str) and value[k].strip():
                return value[k]
    direct = getattr(context, "input", None)  # the SDK's RunContextWrapper has no `input`
    return direct if isinstance(direct, str) and direct.strip() else None


class EngramiaRunHooks:
    """Learns from each run (on_agent_end). Not derived from agents.RunHooks."""

    def __init__(self, memory: Any, auto_learn: bool = True, min_score: float = 7.0, recall_limit: int = 3) -> None:
        _require_agents()
        self.memory = memory
        self.auto_learn = auto_learn
        self.min_score = min_score
        self.recall_limit = recall_limit
        self._task: str | None = None

    async def on_agent_start(self, context: Any, agent: Any) -> None:
        self._task = _extract_task_from_context(context)

    async def on_llm_start(self, context: Any, agent: Any, system_prompt: Any, input_items: Any) -> None:
        if self._task:
            return
        for item in input_items or []:
            if isinstance(item, dict) and item.get("role") == "user" and isinstance(item.get("content"), str):
                self._task = item["content"]
                return

    async def on_llm_end(self, context: Any, agent: Any, response: Any) -> None:
        pass

    async def on_agent_end(self, context: Any, agent: Any, output: Any) -> None:
        if not self.auto_learn or not self._task:
            return
        try:
            self.memory.learn(task=self._task, code=str(output), eval_score=self.min_score, output=str(output))
        except Exception as e:  # learn errors are only logged
            log.warning("engramia learn failed: %s", e)

    async def on_tool_start(self, context: Any, agent: Any, tool: Any) -> None:
        pass

    async def on_tool_end(self, context: Any, agent: Any, tool: Any, result: str) -> None:
        pass

    async def on_handoff(self, context: Any, from_agent: Any, to_agent: Any) -> None:
        pass


def engramia_instructions(memory: Any, base: str = "", recall_limit: int = 3):
    """Dynamic instructions: `base` plus recalled patterns, when the run passes context=."""
    _require_agents()

    async def instructions(context: Any, agent: Any) -> str:
        task = _extract_task_from_context(context)
        if not task:
            return base
        try:
            matches = memory.recall(task=task, limit=recall_limit)
        except Exception as e:
            log.warning("engramia recall failed: %s", e)
            return base
        if not matches:
            return base
        lines = [base, "", "## Relevant patterns from previous runs"]
        for i, m in enumerate(matches, 1):
            lines.append(f"{i}. [{m.reuse_tier.upper()}] {m.pattern.task} -> {m.pattern.code[:200]}")
        return "\n".join(lines)

    return instructions
