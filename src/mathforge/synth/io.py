"""Writing generated sets: items, SFT chat records, an evaluation set, and the manifest."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from mathforge.prompts.templates import SYSTEM_COT, SYSTEM_TIR
from mathforge.stage_io import read_manifest, write_jsonl, write_manifest
from mathforge.synth.base import SynthItem
from mathforge.synth.generate import SynthReport


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


def summary(report: SynthReport) -> dict[str, Any]:
    """What a generation run made and rejected (the manifest's summary)."""
    items = report.items
    return {
        "counts": {
            "items": len(items),
            "by_family": dict(Counter(i.family for i in items)),
            "by_language": dict(Counter(i.language for i in items)),
            "by_level": dict(Counter(str(i.level) for i in items)),
            "rejected": dict(report.rejected),
            "contaminated": len(report.contaminated),
        },
        "contaminated": report.contaminated[:1000],
    }


def write_training_set(
    out: Path, report: SynthReport, config: dict[str, Any], seconds: float, inputs: list | None = None
) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "items.jsonl", (i.to_dict() for i in report.items))
    write_jsonl(out / "sft.jsonl", (r for i in report.items for r in sft_records(i)))
    return _manifest(out, report, config, seconds, {"items": "items.jsonl", "sft": "sft.jsonl"}, inputs)


def write_benchmark(
    out: Path, report: SynthReport, config: dict[str, Any], seconds: float, inputs: list | None = None
) -> dict[str, Any]:
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
    write_jsonl(folder / "test.jsonl", rows)
    return _manifest(folder, report, config, seconds, {"benchmark": "test.jsonl"}, inputs)


def _manifest(
    out: Path,
    report: SynthReport,
    config: dict[str, Any],
    seconds: float,
    outputs: dict[str, str],
    inputs: list | None,
) -> dict[str, Any]:
    info = summary(report)
    write_manifest(
        out, stage="synth", config=config, inputs=inputs or [], outputs=outputs, summary=info, seconds=seconds
    )
    return read_manifest(out) or {}
