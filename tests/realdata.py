"""Self-consistency cases from the real benchmark files: each set's gold solution/answer field, graded
against its own gold answer, must come out ``correct``."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from mathforge.grade import GradeItem
from mathforge.grade.extract import find_boxes

SETS = (
    "math500",
    "math",
    "gsm8k",
    "cmath",
    "gaokao_math_cloze",
    "gaokao_math_qa",
    "mmlu_stem",
    "gaokao2023en",
)


def data_dir() -> Path | None:
    env = os.environ.get("MATHFORGE_DATA_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks")
    for c in candidates:
        if (c / "gsm8k" / "test.jsonl").is_file():
            return c
    return None


def web_dir() -> Path | None:
    """The real web sample (html/, warc/, latex/, code/): MATHFORGE_WEB_DIR or <data dir>/../web."""
    env = os.environ.get("MATHFORGE_WEB_DIR")
    candidates = [Path(env)] if env else []
    bench = data_dir()
    if bench is not None:
        candidates.append(bench.parent / "web")
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "data" / "web")
    for c in candidates:
        if (c / "html" / "math").is_dir():
            return c
    return None


def _records(root: Path, name: str) -> Iterator[dict]:
    with (root / name / "test.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def self_consistency_items(root: Path, name: str) -> list[tuple[str, GradeItem]]:
    """(record id, item) pairs: the gold solution/answer as the 'output', the gold answer as 'gold'."""
    out: list[tuple[str, GradeItem]] = []
    for i, r in enumerate(_records(root, name)):
        rid = f"{name}:{r.get('unique_id', i)}"
        if name == "math500":
            out.append((rid, GradeItem(r["answer"], r["solution"])))
        elif name == "math":
            out.append((rid, GradeItem(find_boxes(r["solution"])[-1], r["solution"])))
        elif name == "gsm8k":
            gold = r["answer"].split("####")[-1].strip()
            out.append((rid, GradeItem(gold, r["answer"], style="gsm8k")))
        elif name == "cmath":
            out.append((rid, GradeItem(r["golden"], r["golden"])))
        elif name == "gaokao_math_cloze":
            out.append((rid, GradeItem(r["answer"], r["answer"], style="cloze", kind="cloze")))
        elif name == "gaokao_math_qa":
            label = r["label"] if isinstance(r["label"], str) else "".join(r["label"])
            out.append((rid, GradeItem(label, f"答案：{label}", style="choice", kind="choice")))
        elif name == "mmlu_stem":
            letter = "ABCDE"[int(r["answer"])]
            out.append((rid, GradeItem(letter, f"The answer is ({letter}).", style="choice", kind="choice")))
        elif name == "gaokao2023en":
            out.append((rid, GradeItem(r["answer"], r["answer"])))
    return out


_WS = re.compile(r"\s+")
