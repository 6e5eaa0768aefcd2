"""A corpus run's shards on disk: which input files make a shard, where its files go, the completion
markers that make every phase resumable, and the Parquet rows a shard's documents are kept in.

The pipeline writes these files, the Ray executor rebuilds shard specs in its workers and the report
reads the rows back; each imports them from here, so the imports go one way (pipeline → report and
ray_executor, all three → shards) and none of them imports the pipeline back.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class ShardSpec:
    index: int
    files: list[str]

    @property
    def name(self) -> str:
        return f"shard-{self.index:05d}"


@dataclass
class RunPaths:
    root: Path

    @property
    def work(self) -> Path:
        return self.root / "_work"

    def process(self, shard: ShardSpec) -> Path:
        return self.work / "process" / f"{shard.name}.parquet"

    def finish(self, shard: ShardSpec) -> Path:
        return self.work / "finish" / f"{shard.name}.parquet"

    def docs(self, shard: ShardSpec) -> Path:
        return self.root / "docs" / f"{shard.name}.jsonl"

    def ledger(self, shard: ShardSpec) -> Path:
        return self.work / "ledger" / f"{shard.name}.jsonl"

    @property
    def dedup(self) -> Path:
        return self.work / "dedup.json"


# ---------------------------------------------------------------- markers (resumability)


def _marker(path: Path) -> Path:
    return path.with_suffix(path.suffix + ".done")


def is_done(path: Path, key: str) -> dict[str, Any] | None:
    m = _marker(path)
    if not (m.is_file() and path.exists()):
        return None
    try:
        info = json.loads(m.read_text())
    except json.JSONDecodeError:
        return None
    return info if info.get("key") == key else None


def mark_done(path: Path, key: str, info: dict[str, Any]) -> None:
    tmp = _marker(path).with_suffix(".tmp")
    tmp.write_text(json.dumps({"key": key, **info}))
    os.replace(tmp, _marker(path))


# ---------------------------------------------------------------- shard rows


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("text", pa.string()),
            ("source", pa.string()),
            ("kind", pa.string()),
            ("meta", pa.string()),
            ("dropped", pa.string()),
            ("reason", pa.string()),
            ("sizes", pa.string()),
            ("exact_key", pa.uint64()),
            ("bands", pa.list_(pa.uint64())),
            ("sig", pa.list_(pa.uint32())),
        ]
    )
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def read_rows(path: Path, columns: list[str] | None = None) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=columns).to_pylist()
