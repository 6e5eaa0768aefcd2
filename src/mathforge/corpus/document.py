"""The one shape every corpus step reads and writes.

A step is a function ``step(docs: list[Document]) -> list[Document]`` over a batch. It never removes a
document from the batch: it marks it ``dropped`` with the step's name and a short reason, and drops its
text. That way the local and the Ray executors count the funnel (documents and bytes in and out of every
step, with reasons) from the same rows, and the run keeps a per-document record of why something went.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

# The kinds a reader can produce; "exam" is question–answer JSONL rendered as text.
KINDS = ("html", "warc", "jsonl", "parquet", "latex", "markdown", "code", "notebook", "exam", "text")


def doc_id(source: str, part: str | int = "") -> str:
    """Stable id from where the document came from (file path or URL, plus record number)."""
    return hashlib.blake2b(f"{source}\x00{part}".encode(), digest_size=10).hexdigest()


@dataclass
class Document:
    id: str
    text: str
    source: str  # file path, with "#<record>" for multi-document files, or the page URL
    kind: str = "text"
    meta: dict[str, Any] = field(default_factory=dict)  # lang, math_score, url, title, …
    dropped: str = ""  # name of the step that removed it ("" = still in the corpus)
    reason: str = ""  # why, e.g. "lang=fr", "math_score=0.03<0.5", "dup_of=<id>"
    sizes: dict[str, int] = field(default_factory=dict)  # step → UTF-8 bytes of text after the step

    @property
    def alive(self) -> bool:
        return not self.dropped

    def drop(self, step: str, reason: str) -> None:
        self.dropped, self.reason, self.text = step, reason, ""

    def nbytes(self) -> int:
        return len(self.text.encode("utf-8", "surrogatepass"))

    def to_row(self) -> dict[str, Any]:
        """Flat, Arrow/JSON-friendly row (meta and sizes as JSON strings so every row has one schema)."""
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "kind": self.kind,
            "meta": json.dumps(self.meta, ensure_ascii=False, sort_keys=True),
            "dropped": self.dropped,
            "reason": self.reason,
            "sizes": json.dumps(self.sizes, sort_keys=True),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Document:
        meta, sizes = row.get("meta") or "{}", row.get("sizes") or "{}"
        return cls(
            id=str(row["id"]),
            text=str(row.get("text") or ""),
            source=str(row.get("source") or ""),
            kind=str(row.get("kind") or "text"),
            meta=json.loads(meta) if isinstance(meta, str) else dict(meta),
            dropped=str(row.get("dropped") or ""),
            reason=str(row.get("reason") or ""),
            sizes=json.loads(sizes) if isinstance(sizes, str) else dict(sizes),
        )


@dataclass(frozen=True)
class ReadError:
    """Input a reader could not use; counted in the report, never fatal to the run."""

    source: str
    reason: str  # one line: what is wrong and what to do

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"
