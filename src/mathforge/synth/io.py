"""Writing generated sets: items, SFT chat records, an evaluation set, and the manifest."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from mathforge import __version__
from mathforge.prompts.templates import SYSTEM_COT, SYSTEM_TIR
from mathforge.synth.base import SynthItem
from mathforge.synth.generate import SynthReport


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(path)


def sft_records(item: SynthItem) -> list[dict[str, Any]]:
    """Two chat examples per item: chain-of-thought, and tool-integrated when the program was run."""
    lang = item.language
    recs = [
        {
            "id": f"{item.id}-cot",
            "source": f"synth/{item.family}",
            "messages": [
                {"role": "system", "content": SYSTEM_COT[lang]},
                {"role": "user", "content": item.question},
                {"role": "assistant", "content": item.cot},
            ],
            "answer": item.answer,
        }
    ]
    if item.code_output is not None:
        recs.append(
            {
                "id": f"{item.id}-tir",
                "source": f"synth/{item.family}",
                "messages": [
                    {"role": "system", "content": SYSTEM_TIR[lang]},
                    {"role": "user", "content": item.question},
                    {"role": "assistant", "content": item.tir_solution()},
                ],
                "answer": item.answer,
            }
        )
    return recs


def manifest(report: SynthReport, config: dict[str, Any], seconds: float) -> dict[str, Any]:
    items = report.items
    return {
        "config": config,
        "counts": {
            "items": len(items),
            "by_family": dict(Counter(i.family for i in items)),
            "by_language": dict(Counter(i.language for i in items)),
            "by_level": dict(Counter(str(i.level) for i in items)),
            "rejected": dict(report.rejected),
            "contaminated": len(report.contaminated),
        },
        "contaminated": report.contaminated[:1000],
        "seconds": round(seconds, 2),
        "mathforge": __version__,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_training_set(
    out: Path, report: SynthReport, config: dict[str, Any], seconds: float
) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / "items.jsonl", [i.to_dict() for i in report.items])
    _write_jsonl(out / "sft.jsonl", [r for i in report.items for r in sft_records(i)])
    man = manifest(report, config, seconds)
    (out / "manifest.json").write_text(json.dumps(man, indent=1, ensure_ascii=False), encoding="utf-8")
    return man


def write_benchmark(out: Path, report: SynthReport, config: dict[str, Any], seconds: float) -> dict[str, Any]:
    """``out/synth/test.jsonl``: ``mathforge eval --bench synth --data-dir out`` loads it."""
    folder = out / "synth"
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "id": i.id,
            "question": i.question,
            "answer": i.answer,
            "kind": i.kind,
            "language": i.language,
            "family": i.family,
            "level": i.level,
        }
        for i in report.items
    ]
    _write_jsonl(folder / "test.jsonl", rows)
    man = manifest(report, config, seconds)
    (folder / "manifest.json").write_text(json.dumps(man, indent=1, ensure_ascii=False), encoding="utf-8")
    return man
