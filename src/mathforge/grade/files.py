"""Grade a JSONL file of (gold, output) records: resumable, and tolerant of bad lines.

Each input line is ``{"gold": …, "output": …, "style"?: …, "kind"?: …}``; each output line is the input
record plus ``verdict``, ``reason``, ``pred``, ``source`` and its 1-based ``line`` number. Verdicts are
appended chunk by chunk, so a killed run resumes where it stopped.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from mathforge.grade.api import GradeItem, default_style, grade_many
from mathforge.grade.pool import DEFAULT_TIMEOUT, SymbolicPool
from mathforge.progress import ProgressFn
from mathforge.stage_io import JsonlError, iter_jsonl

CHUNK = 500


@dataclass
class FileSummary:
    """What happened to every line of the input."""

    input: Path
    output: Path
    total_lines: int = 0  # non-blank lines read
    graded: int = 0
    resumed: int = 0
    verdicts: Counter = field(default_factory=Counter)
    sources: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # one line per skipped input line

    @property
    def accuracy(self) -> float:
        n = sum(self.verdicts.values())
        return self.verdicts["correct"] / n if n else 0.0


def default_output(path: Path) -> Path:
    name = path.name[: -len(".jsonl")] if path.name.endswith(".jsonl") else path.name
    return path.with_name(name + ".verdicts.jsonl")


def _read_items(
    path: Path, summary: FileSummary, style: str | None, kind: str | None
) -> list[tuple[int, dict, GradeItem]]:
    items: list[tuple[int, dict, GradeItem]] = []
    for lineno, rec in iter_jsonl(path, errors="report"):
        summary.total_lines += 1
        if isinstance(rec, JsonlError):
            summary.errors.append(f"{rec}; fix or remove the line")
            continue
        if "gold" not in rec or "output" not in rec:
            summary.errors.append(
                f"{path}:{lineno}: needs the fields 'gold' and 'output' (got {sorted(rec)})"
            )
            continue
        try:
            k = kind or str(rec.get("kind") or "auto")
            s = style or str(rec.get("style") or default_style(k))
            item = GradeItem(str(rec["gold"]), str(rec["output"]), s, k)
        except ValueError as exc:
            summary.errors.append(f"{path}:{lineno}: {exc}")
            continue
        items.append((lineno, rec, item))
    return items


def _done_lines(out: Path) -> set[int]:
    done: set[int] = set()
    if not out.exists():
        return done
    for _, rec in iter_jsonl(out, errors="skip"):  # a half-written last line from a killed run: regraded
        try:
            done.add(int(rec["line"]))  # type: ignore[index]
        except (KeyError, TypeError, ValueError):
            continue
    return done


def grade_file(
    path: Path,
    out: Path | None = None,
    *,
    workers: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    style: str | None = None,
    kind: str | None = None,
    restart: bool = False,
    progress: ProgressFn | None = None,
) -> FileSummary:
    """Grade every valid line of ``path``; write verdicts to ``out`` (default: ``NAME.verdicts.jsonl``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file; pass a JSONL file with 'gold' and 'output' fields")
    out = Path(out) if out else default_output(path)
    summary = FileSummary(path, out)
    items = _read_items(path, summary, style, kind)
    if restart and out.exists():
        out.unlink()
    done = _done_lines(out)
    if done:  # keep only complete lines of the previous run, then count them
        kept = []
        with out.open(encoding="utf-8") as fh:
            for raw in fh:
                try:
                    rec = json.loads(raw)
                    kept.append(raw if raw.endswith("\n") else raw + "\n")
                    summary.verdicts[rec["verdict"]] += 1
                    summary.sources[rec.get("source", "?")] += 1
                except (json.JSONDecodeError, KeyError):
                    continue
        out.write_text("".join(kept), encoding="utf-8")
        summary.resumed = len(kept)
    todo = [t for t in items if t[0] not in done]
    finished = summary.resumed
    if progress:
        progress("grading", finished, len(items))
    with SymbolicPool(workers=workers) as pool, out.open("a", encoding="utf-8") as fh:
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            results = grade_many([it for _, _, it in chunk], workers, timeout, pool=pool)
            for (lineno, rec, _), res in zip(chunk, results, strict=True):
                rec = {**rec, "line": lineno, **res.to_dict()}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                summary.verdicts[res.verdict] += 1
                summary.sources[res.source] += 1
            fh.flush()
            summary.graded += len(chunk)
            finished += len(chunk)
            if progress:
                progress("grading", finished, len(items))
    return summary
