"""A durable result cache: one SQLite row per (model, backend, prompt, params, item).

Why SQLite: every chunk of generations is committed in one transaction (WAL journal), so a run killed
with ``kill -9`` loses at most the chunk in flight, and a rerun finds every finished item by key
without re-reading or rewriting a large file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from mathforge.infer.base import Generation


def cache_key(model: str, backend: dict[str, Any], prompt_key: str, params: dict[str, Any], item: str) -> str:
    payload = json.dumps([model, backend, prompt_key, params, item], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


class ResultCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS gen (key TEXT PRIMARY KEY, item TEXT, value TEXT)")
        self.db.commit()

    def get_many(self, keys: list[str]) -> dict[str, list[Generation]]:
        found: dict[str, list[Generation]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, value in self.db.execute(f"SELECT key, value FROM gen WHERE key IN ({marks})", chunk):
                found[key] = [Generation(**g) for g in json.loads(value)]
        return found

    def put_many(self, rows: list[tuple[str, str, list[Generation]]]) -> None:
        """Store (key, item id, generations) rows in one transaction."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO gen (key, item, value) VALUES (?, ?, ?)",
                [
                    (k, item, json.dumps([g.__dict__ for g in gens], ensure_ascii=False))
                    for k, item, gens in rows
                ],
            )

    def close(self) -> None:
        self.db.close()
