"""`Memory(embeddings, storage, llm=None, redaction=None)`: both first arguments are required."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any


@dataclass
class Pattern:
    task: str
    code: str
    success_score: float


@dataclass
class Match:
    pattern: Pattern
    similarity: float
    reuse_tier: str
    pattern_key: str


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


class Memory:
    def __init__(self, embeddings, storage, llm=None, redaction=None) -> None:
        self._embeddings = embeddings
        self._storage = storage
        self._llm = llm

    def learn(self, task: str, code: str, eval_score: float, output: str | None = None, *, run_id=None,
              classification: str = "internal", source: str = "api", author=None) -> dict[str, Any]:
        trace = os.environ.get("ENGRAMIA_FAKE_TRACE")
        if trace:  # one line per learn call, for tests
            with open(trace, "a", encoding="utf-8") as f:
                f.write(json.dumps({"task": task, "eval_score": eval_score}) + "\n")
        key = self._storage.save({"task": task, "code": code, "eval_score": eval_score, "output": output, "source": source})
        return {"stored": True, "pattern_key": key}

    def recall(self, task: str, limit: int = 5) -> list[Match]:
        wanted = _words(task)
        scored = []
        for key, p in self._storage.load():
            have = _words(p["task"])
            sim = len(wanted & have) / max(1, len(wanted | have))
            if sim > 0:
                tier = "duplicate" if sim >= 0.92 else "adapt" if sim >= 0.5 else "fresh"
                scored.append(Match(Pattern(p["task"], p["code"], p["eval_score"]), sim, tier, key))
        scored.sort(key=lambda m: -m.similarity)
        return scored[:limit]
