"""Storage and embedding providers (`JSONStorage(path)` keeps patterns in `<path>/patterns.json`)."""
from __future__ import annotations

import json
import os


class JSONStorage:
    def __init__(self, path: str = "./engramia_data") -> None:
        self.path = path

    def _file(self) -> str:
        return os.path.join(self.path, "patterns.json")

    def load(self) -> list[tuple[str, dict]]:
        try:
            with open(self._file(), encoding="utf-8") as f:
                return [(k, v) for k, v in json.load(f).items()]
        except FileNotFoundError:
            return []

    def save(self, pattern: dict) -> str:
        os.makedirs(self.path, exist_ok=True)
        items = dict(self.load())
        key = f"patterns/{len(items) + 1:04d}"
        items[key] = pattern
        with open(self._file(), "w", encoding="utf-8") as f:
            json.dump(items, f, indent=1)
        return key


class OpenAIEmbeddings:
    """Needs the OpenAI key when used; constructing it is enough for the tests."""

    def __init__(self, model: str = "text-embedding-3-small") -> None:
        self.model = model
