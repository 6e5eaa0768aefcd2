"""``mathforge decontam INPUT``: remove benchmark items from a JSONL data set (a corpus shard, SFT chats,
RL queries) and write a ledger of what was removed and why."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathforge.corpus.decontam import Decontaminator

TEXT_FIELDS = ("text", "question", "problem", "prompt", "answer", "solution", "output")


def record_text(rec: dict[str, Any]) -> str:
    """Everything a record says: its text-like fields and every chat message."""
    parts = [str(rec[k]) for k in TEXT_FIELDS if isinstance(rec.get(k), str)]
    for m in rec.get("messages") or []:
        if isinstance(m, dict) and isinstance(m.get("content"), str):
            parts.append(m["content"])
    return "\n".join(parts)


@dataclass
class DecontamReport:
    input: Path
    clean: Path
    ledger: Path
    records: int = 0
    removed: int = 0
    per_benchmark: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def decontaminate_file(
    path: Path, dec: Decontaminator, out: Path | None = None, progress: Callable[[int], None] | None = None
) -> DecontamReport:
    path = Path(path)
    out = out or path.with_name(path.name.removesuffix(".jsonl") + ".clean.jsonl")
    ledger = out.with_name(out.name.removesuffix(".jsonl") + ".ledger.jsonl")
    report = DecontamReport(path, out, ledger)
    with (
        path.open(encoding="utf-8", errors="replace") as src,
        out.open("w", encoding="utf-8") as keep,
        ledger.open("w", encoding="utf-8") as led,
    ):
        for lineno, line in enumerate(src, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                report.errors.append(f"{path}:{lineno}: not valid JSON ({exc.msg}); kept out and counted")
                continue
            report.records += 1
            hits = dec.check(record_text(rec)) if isinstance(rec, dict) else []
            if hits:
                report.removed += 1
                for h in {(h.benchmark, h.item_id): h for h in hits}.values():
                    report.per_benchmark[h.benchmark] += 1
                    led.write(
                        json.dumps(
                            {
                                "line": lineno,
                                "benchmark": h.benchmark,
                                "item": h.item_id,
                                "field": h.field,
                                "ngram": h.ngram,
                                "lcs_ratio": h.lcs_ratio,
                            },
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
            else:
                keep.write(line if line.endswith("\n") else line + "\n")
            if progress:
                progress(1)
    return report
