"""Loading benchmarks by name from a data directory (or, when asked, the hub) and listing them.

A malformed record never stops a load: it is skipped, counted and reported as ``FILE:LINE: what is
wrong`` in ``BenchLoad.skipped`` (``load_benchmark`` logs one warning line naming how many).
"""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathforge.bench.errors import BenchmarkDataError, RecordError, UnknownBenchmarkError
from mathforge.bench.hub import hub_rows, hub_source
from mathforge.bench.loaders import Ctx
from mathforge.bench.problem import Problem
from mathforge.bench.registry import BENCHMARKS, BenchSpec
from mathforge.stage_io import JsonlError, iter_jsonl

log = logging.getLogger(__name__)

ENV_VAR = "MATHFORGE_DATA_DIR"
_HOW = f"pass --data-dir DIR or set {ENV_VAR} to a folder holding <set>/test.jsonl (e.g. gsm8k/test.jsonl)"
SOURCES = ("local", "hub")


@dataclass(frozen=True)
class BenchLoad:
    """The result of one load: the problems, and one ``FILE:LINE: what is wrong`` line per skipped
    record (so nothing is lost silently)."""

    benchmark: str
    split: str
    origin: str  # the file read, or "hub:<repo>"
    problems: list[Problem]
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BenchInfo:
    """One row of ``list_benchmarks``: what a set is and whether it can be loaded here."""

    name: str
    records: dict[str, int | None]  # per split: lines in the local file, None when absent
    language: str
    kinds: tuple[str, ...]
    prompt_style: str
    source: str  # "local" (files present), "hub" (only a hub mirror), "missing"
    hub_id: str | None
    description: str = ""


def _norm(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


_BY_NORM = {_norm(n): n for n in BENCHMARKS}


def get_spec(name: str) -> BenchSpec:
    """The registry entry for ``name`` (case and '-'/'_' insensitive); a typo names the closest sets."""
    key = _norm(name)
    if key in _BY_NORM:
        return BENCHMARKS[_BY_NORM[key]]
    close = [_BY_NORM[c] for c in difflib.get_close_matches(key, list(_BY_NORM), n=3, cutoff=0.5)]
    hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else "see list_benchmarks()"
    raise UnknownBenchmarkError(f"unknown benchmark {name!r}: {hint} (known: {', '.join(BENCHMARKS)})")


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """``data_dir`` if given, else ``$MATHFORGE_DATA_DIR``; a missing folder is a one-line error."""
    if data_dir is not None and str(data_dir) != "":
        path, what = Path(data_dir).expanduser(), "benchmark data directory"
    elif os.environ.get(ENV_VAR):
        path, what = Path(os.environ[ENV_VAR]).expanduser(), f"{ENV_VAR}"
    else:
        raise BenchmarkDataError(f"no benchmark data directory given: {_HOW}")
    if not path.is_dir():
        raise BenchmarkDataError(f"{what} {str(path)!r} is not a directory: {_HOW}")
    return path


def find_data_dir(data_dir: str | Path | None = None) -> Path | None:
    """The one data-directory lookup: ``data_dir`` if given, else ``$MATHFORGE_DATA_DIR``; None when
    neither names an existing folder (callers that can run without benchmarks skip them and say so)."""
    try:
        return resolve_data_dir(data_dir)
    except BenchmarkDataError:
        return None


def benchmark_file(name: str, data_dir: str | Path, split: str = "test") -> Path:
    """The file ``load_benchmark(name, data_dir, split)`` reads (it may not exist): what a stage that
    uses the benchmark records in its manifest and key."""
    return Path(data_dir) / get_spec(name).folder / f"{split}.jsonl"


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, record) for each non-blank line; an unreadable line yields its error text instead."""
    for lineno, rec in iter_jsonl(path, errors="report"):
        yield lineno, rec.reason if isinstance(rec, JsonlError) else rec


def _convert(
    spec: BenchSpec,
    split: str,
    origin: str,
    rows: Iterable[tuple[int, dict[str, Any] | str]],
    limit: int | None,
) -> BenchLoad:
    problems: list[Problem] = []
    skipped: list[str] = []
    for lineno, rec in rows:
        if limit is not None and len(problems) >= limit:
            break
        if isinstance(rec, str):
            skipped.append(f"{origin}:{lineno}: {rec}")
            continue
        try:
            problems.append(spec.convert(rec, Ctx(spec.name, split, lineno, spec.language)))
        except RecordError as exc:
            skipped.append(f"{origin}:{lineno}: {exc}")
    return BenchLoad(spec.name, split, origin, problems, skipped)


def load_benchmark_report(
    name: str,
    data_dir: str | Path | None = None,
    split: str = "test",
    limit: int | None = None,
    source: str = "local",
    allow_network: bool = False,
) -> BenchLoad:
    """Like ``load_benchmark``, but also returns what was skipped and why (``BenchLoad.skipped``)."""
    spec = get_spec(name)
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    if source == "hub":
        repo = hub_source(spec).repo
        rows = enumerate(hub_rows(spec, split, allow_network), 1)
        return _convert(spec, split, f"hub:{repo}[{split}]", rows, limit)
    if source != "local":
        raise BenchmarkDataError(f"unknown source {source!r}: use one of {', '.join(SOURCES)}")
    root = resolve_data_dir(data_dir)
    path = root / spec.folder / f"{split}.jsonl"
    if not path.is_file():
        present = sorted(p.stem for p in (root / spec.folder).glob("*.jsonl"))
        have = f" (present: {', '.join(present)})" if present else ""
        hub = " or use source='hub'" if spec.hub else ""
        raise BenchmarkDataError(
            f"{path} not found{have}: {spec.name} needs {spec.folder}/{split}.jsonl in the data directory; "
            f"pass --data-dir DIR or set {ENV_VAR}{hub}"
        )
    return _convert(spec, split, str(path), _read_jsonl(path), limit)


def load_benchmark(
    name: str,
    data_dir: str | Path | None = None,
    split: str = "test",
    limit: int | None = None,
    source: str = "local",
    allow_network: bool = False,
) -> list[Problem]:
    """The problems of benchmark ``name`` (first ``limit`` in file order), read from
    ``data_dir``/``$MATHFORGE_DATA_DIR`` or, with ``source="hub"`` and ``allow_network=True``, from its
    Hugging Face Hub mirror. Skipped records are logged; ``load_benchmark_report`` returns them."""
    result = load_benchmark_report(name, data_dir, split, limit, source, allow_network)
    if result.skipped:
        log.warning(
            "%s[%s]: skipped %d malformed record(s), first: %s",
            result.benchmark,
            split,
            len(result.skipped),
            result.skipped[0],
        )
    return result.problems


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def list_benchmarks(data_dir: str | Path | None = None) -> list[BenchInfo]:
    """Every registered set with its record counts (from the local files when present). Without a data
    directory (none given, no ``$MATHFORGE_DATA_DIR``) the counts are None and ``source`` tells whether a
    hub mirror exists; an explicitly given directory that does not exist is an error."""
    root: Path | None
    try:
        root = resolve_data_dir(data_dir)
    except BenchmarkDataError:
        if data_dir is not None:
            raise
        root = None
    out: list[BenchInfo] = []
    for spec in BENCHMARKS.values():
        folder = root / spec.folder if root else None
        splits = list(spec.splits)
        if folder is not None and folder.is_dir():
            splits += sorted(p.stem for p in folder.glob("*.jsonl") if p.stem not in splits)
        records: dict[str, int | None] = {}
        for split in splits:
            path = folder / f"{split}.jsonl" if folder else None
            records[split] = _count_lines(path) if path and path.is_file() else None
        local = any(v is not None for v in records.values())
        out.append(
            BenchInfo(
                name=spec.name,
                records=records,
                language=spec.language,
                kinds=spec.kinds,
                prompt_style=spec.prompt_style,
                source="local" if local else ("hub" if spec.hub else "missing"),
                hub_id=spec.hub_id,
                description=spec.description,
            )
        )
    return out
