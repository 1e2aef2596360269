"""The SDK's handoff prompt helpers (static strings)."""

RECOMMENDED_PROMPT_PREFIX = "# System context\nYou are part of a multi-agent system.\n"


def prompt_with_handoff_instructions(prompt: str) -> str:
    return f"{RECOMMENDED_PROMPT_PREFIX}\n\n{prompt}"
