"""Benchmark records as classifier text: what a benchmark item looks like inside a document (statement,
options, worked solution). Shared by the English and the Chinese training data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mathforge.stage_io import iter_jsonl

_MMLU_MATH = {
    "abstract_algebra",
    "college_mathematics",
    "elementary_mathematics",
    "high_school_mathematics",
    "high_school_statistics",
}
_GSM_CALC = re.compile(r"<<[^<>]*>>")
_GSM_FINAL = re.compile(r"\n?####\s*(.+)\s*$")


def _field_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "\n".join(_field_text(x) for x in v if x is not None)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def benchmark_record_text(name: str, rec: dict[str, Any]) -> str:
    """The text of one benchmark record as it would appear in a document: statement (+ options) +
    worked solution or answer. GSM8K's calculator annotations ``<<a*b=c>>`` are removed."""
    if name == "mmlu_stem" and rec.get("type") not in _MMLU_MATH:
        return ""
    parts: list[str] = []
    if name in ("asdiv", "svamp"):
        parts.append(" ".join(_field_text(rec.get(k)) for k in ("body", "Body", "question", "Question")))
    else:
        for k in ("context", "problem", "question", "content", "input"):
            if rec.get(k):
                parts.append(_field_text(rec[k]))
                break
    for k in ("options", "choices"):
        if rec.get(k):
            parts.append(_field_text(rec[k]))
    for k in ("solution", "rationale", "steps", "answer", "final_answer"):
        val = rec.get(k)
        if val is None or (name == "mmlu_stem" and k == "answer"):
            continue
        text = _field_text(val)
        if name == "gsm8k":
            text = _GSM_FINAL.sub(r"\nThe answer is \1.", _GSM_CALC.sub("", text))
        if text:
            parts.append(text)
            if k in ("solution", "rationale", "steps"):
                break
    return "\n\n".join(p for p in parts if p).strip()


def _read_jsonl_records(path: Path) -> Iterator[dict[str, Any]]:
    for _, rec in iter_jsonl(path, errors="skip"):
        yield rec  # type: ignore[misc]


def benchmark_texts(data_dir: str | Path, name: str, split: str) -> list[str]:
    """Texts of ``<data_dir>/<name>/<split>.jsonl`` (see ``benchmark_record_text``); [] when absent."""
    path = Path(data_dir) / name / f"{split}.jsonl"
    if not path.is_file():
        return []
    return [t for t in (benchmark_record_text(name, r) for r in _read_jsonl_records(path)) if t]
