"""``run_from_gsm8k(FromGsm8kConfig) -> FromGsm8kResult``: GSM8K's training solutions as verified
tool-integrated (TIR) and program-of-thought (PoT) chats for ``mathforge train sft``.

Each solution's calculator annotations become a program (:mod:`mathforge.synth.annotated`); the
program runs in the sandbox and is kept only when every line's value equals its annotation's value and
the printed result equals the gold answer after ``####``. Every record lands in exactly one bucket of
the funnel (kept, or the first check it failed), which the manifest's summary holds.

The work is streamed in chunks of :data:`CHUNK` records; each finished chunk is written atomically
under ``OUT/_work/<key>/``, so a killed run resumes at the first unfinished chunk, and a finished run
(same config, same input bytes: the manifest's ``key``) is skipped.

Output (``OUT/``): ``sft.jsonl`` (chat records: ``id``, ``source`` = ``gsm8k-train``, ``index`` = line
index in the train file, ``format`` = tir | pot, ``messages``, ``answer``), ``programs.jsonl`` (each
kept record's program, output and steps), ``rejected.jsonl`` (index, reason, detail) and
``manifest.json``.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathforge.config import ConfigError, option
from mathforge.progress import ProgressFn
from mathforge.prompts.templates import SYSTEM_POT, SYSTEM_TIR
from mathforge.sandbox import CellResult, Sandbox, SandboxConfig, Session
from mathforge.stage_io import (
    input_identities,
    iter_jsonl,
    read_jsonl,
    read_manifest,
    stage_key,
    write_jsonl,
    write_manifest,
)
from mathforge.synth.annotated import REASONS, Conversion, Rejected, close, convert, number
from mathforge.synth.base import boxed
from mathforge.tir import output_block, pot_answer

FORMATS = ("tir", "pot")
SOURCE = "gsm8k-train"
CHUNK = 500  # records per durable chunk: the unit of resume
_SENTINEL = "== mathforge: line values =="  # printable: the sandbox drops control characters


@dataclass
class FromGsm8kConfig:
    out: str = option(
        help="Output folder: sft.jsonl, programs.jsonl, rejected.jsonl, manifest.json.", path=True
    )
    data_dir: str = option(
        "", help="Benchmark data directory holding gsm8k/train.jsonl ('' = $MATHFORGE_DATA_DIR).", path=True
    )
    limit: int | None = option(None, help="First N training records (None: all 7,473).")
    formats: list[str] = option(
        ["tir", "pot"], help="Chats written per kept record: tir (solution prose, program, output), pot."
    )
    timeout: float = option(10.0, help="Sandbox wall-clock seconds per program.")

    def __post_init__(self) -> None:
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown or not self.formats:
            raise ConfigError(f"formats {self.formats}: use one or both of {', '.join(FORMATS)}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"limit = {self.limit}: convert at least one record")


@dataclass
class FromGsm8kResult:
    out: Path
    manifest: dict[str, Any]
    files: dict[str, Path] = field(default_factory=dict)
    skipped: bool = False  # finished earlier with the same key: nothing was recomputed

    @property
    def funnel(self) -> dict[str, int]:
        return dict(self.manifest["summary"]["funnel"])


# ---------------------------------------------------------------------------- one record


def _cell(conv: Conversion) -> str:
    """The program in fresh globals, then each line's value (repr) after a sentinel line."""
    names = [s.name for s in conv.steps]
    return (
        f"_g = {{'__name__': '__main__'}}\nexec({conv.program!r}, _g)\n"
        f"print({_SENTINEL!r}, *[repr(_g.get(n)) for n in {names!r}], sep='\\n')\n"
    )


def _value(text: str) -> float | int | None:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None


def verify(conv: Conversion, session: Session) -> tuple[CellResult, list[Any]]:
    """Run the program; (its own output as a cell result, each line's value) — or Rejected."""
    res = session.run(_cell(conv))
    if res.status != "ok":
        raise Rejected("sandbox_error", f"{res.status}: {res.error or ''}".strip(": "))
    if _SENTINEL not in res.stdout:
        raise Rejected("sandbox_error", "the program's line values were not reported")
    own, _, values_text = res.stdout.partition(_SENTINEL + "\n")
    values = [_value(v) for v in values_text.splitlines()]
    for step, got in zip(conv.steps, values, strict=False):
        if got is None or not close(got, step.value):
            raise Rejected("line_value_differs", f"{step.line} gave {got!r}, annotation says {step.stated}")
    if len(values) != len(conv.steps):
        raise Rejected("sandbox_error", "the program's values were not all reported")
    lines = [x for x in own.splitlines() if x.strip()]
    printed = _value(lines[-1].strip()) if lines else None
    if printed is None or not close(printed, number(conv.gold)):
        raise Rejected("printed_differs", f"printed {own.strip()!r}, gold {conv.gold}")
    return CellResult(own, None, "ok", seconds=res.seconds), values


def transcripts(conv: Conversion, output: CellResult) -> dict[str, str]:
    """The assistant's text in each format, exactly as tool-integrated inference writes it: the code
    block, the ```output block the sandbox appends, then the boxed answer (PoT: the printed line)."""
    code = f"```python\n{conv.program}\n```\n"
    out = output_block(output)
    return {
        "tir": f"{conv.prose}\n\n{code}{out}{boxed(conv.gold, 'en')}",
        "pot": f"{code}{out}{pot_answer(output)}",
    }


def sft_records(row: dict[str, Any], formats: list[str]) -> list[dict[str, Any]]:
    """The chat records of one kept row (``programs.jsonl`` shape)."""
    system = {"tir": SYSTEM_TIR["en"], "pot": SYSTEM_POT["en"]}
    return [
        {
            "id": f"{SOURCE}-{row['index']}-{fmt}",
            "source": SOURCE,
            "index": row["index"],
            "format": fmt,
            "messages": [
                {"role": "system", "content": system[fmt]},
                {"role": "user", "content": row["question"]},
                {"role": "assistant", "content": row["transcripts"][fmt]},
            ],
            "answer": row["answer"],
        }
        for fmt in formats
    ]


def convert_record(index: int, rec: Any, session: Session, timings: Counter | None = None) -> dict[str, Any]:
    """One train record → a row: ``status`` ``kept`` (with program, output, transcripts) or a reason.
    ``timings`` adds up the seconds spent converting and in the sandbox."""
    timings = Counter() if timings is None else timings
    question, solution = (rec.get("question"), rec.get("answer")) if isinstance(rec, dict) else (None, None)
    try:
        if not (isinstance(question, str) and isinstance(solution, str) and question and solution):
            raise Rejected("unreadable_record", str(rec)[:120])
        t0 = time.perf_counter()
        try:
            conv = convert(solution)
        finally:
            t1 = time.perf_counter()
            timings["convert_seconds"] += t1 - t0
        try:
            output, _ = verify(conv, session)
        finally:
            timings["sandbox_seconds"] += time.perf_counter() - t1
    except Rejected as rej:
        return {"index": index, "status": rej.reason, "detail": rej.detail}
    return {
        "index": index,
        "status": "kept",
        "question": question,
        "answer": conv.gold,
        "program": conv.program,
        "output": output.stdout,
        "steps": [{"annotation": f"<<{s.expr}={s.stated}>>", "line": s.line} for s in conv.steps],
        "chained_lines": conv.chained,
        "transcripts": transcripts(conv, output),
    }


# ---------------------------------------------------------------------------- the stage


def _records(path: Path, limit: int | None) -> Iterator[tuple[int, Any]]:
    """(index, record) in file order; an unreadable line is passed on as its error text."""
    for index, (_, rec) in enumerate(iter_jsonl(path, errors="report")):
        if limit is not None and index >= limit:
            return
        yield index, rec if isinstance(rec, dict) else str(rec)


def train_file(data_dir: str | Path | None) -> Path:
    """``DATA/gsm8k/train.jsonl`` (``data_dir`` or ``$MATHFORGE_DATA_DIR``); BenchmarkDataError when absent."""
    from mathforge.bench import BenchmarkDataError, benchmark_file, resolve_data_dir

    path = benchmark_file("gsm8k", resolve_data_dir(data_dir or None), "train")
    if not path.is_file():
        raise BenchmarkDataError(f"{path} not found: the data directory needs gsm8k/train.jsonl")
    return path


def funnel(rows: list[dict[str, Any]]) -> dict[str, int]:
    """kept, then every reason of :data:`REASONS` (zeros included), in order."""
    counts = Counter(r["status"] for r in rows)
    return {"kept": counts["kept"], **{reason: counts[reason] for reason in REASONS}}


def run_from_gsm8k(cfg: FromGsm8kConfig, progress: ProgressFn | None = None) -> FromGsm8kResult:
    """Convert, verify and write (see the module's docstring); ``progress("gsm8k", done, total, note)``."""
    path = train_file(cfg.data_dir)
    out = Path(cfg.out)
    files = {name: out / f"{name}.jsonl" for name in ("sft", "programs", "rejected")}
    inputs = input_identities([path])
    key = stage_key(cfg, inputs)
    man = read_manifest(out)
    if man and man.get("key") == key and all(p.is_file() for p in files.values()):
        return FromGsm8kResult(out, man, files, skipped=True)

    t0 = time.perf_counter()
    total = sum(1 for _ in _records(path, cfg.limit))
    work = out / "_work" / key
    rows: list[dict[str, Any]] = []
    timings: Counter = Counter()
    config = SandboxConfig(timeout=cfg.timeout, cpu_seconds=max(1, int(cfg.timeout)), warm=1)
    with Sandbox(config) as sandbox, sandbox.session() as session:
        chunk: list[tuple[int, Any]] = []
        for item in _records(path, cfg.limit):
            chunk.append(item)
            if len(chunk) == CHUNK:
                rows += _chunk(work, chunk, session, timings)
                chunk = []
                _tick(progress, rows, total)
        if chunk:
            rows += _chunk(work, chunk, session, timings)
            _tick(progress, rows, total)

    kept = [r for r in rows if r["status"] == "kept"]
    n_sft = write_jsonl(files["sft"], (rec for r in kept for rec in sft_records(r, cfg.formats)))
    write_jsonl(files["programs"], ({k: v for k, v in r.items() if k != "transcripts"} for r in kept))
    write_jsonl(files["rejected"], (r for r in rows if r["status"] != "kept"))
    counts = funnel(rows)
    summary = {
        "records": len(rows),
        "kept": counts["kept"],
        "funnel": counts,
        "reasons": {"kept": "verified program, printed result = gold"} | REASONS,
        "sft_records": n_sft,
        "formats": list(cfg.formats),
        "program_lines": sum(len(r["steps"]) for r in kept),
        "chained_lines": sum(r["chained_lines"] for r in kept),
        "convert_seconds": round(timings["convert_seconds"], 2),
        "sandbox_seconds": round(timings["sandbox_seconds"], 2),
        "chunks_resumed": timings["chunks_resumed"],
    }
    write_manifest(
        out,
        stage="synth-from-gsm8k",
        config=cfg,
        inputs=inputs,
        outputs={name: p.name for name, p in files.items()},
        summary=summary,
        seconds=time.perf_counter() - t0,
        packages=(),
        key=key,
    )
    shutil.rmtree(out / "_work", ignore_errors=True)
    return FromGsm8kResult(out, read_manifest(out) or {}, files)


def _chunk(work: Path, chunk: list[tuple[int, Any]], session: Session, timings: Counter) -> list[dict]:
    """The rows of one chunk: read back when an earlier run finished it, else computed and written."""
    path = work / f"chunk-{chunk[0][0]:06d}.jsonl"
    if path.is_file():
        timings["chunks_resumed"] += 1
        return read_jsonl(path)
    rows = [
        convert_record(i, rec, session, timings)
        if isinstance(rec, dict)
        else {"index": i, "status": "unreadable_record", "detail": rec}
        for i, rec in chunk
    ]
    write_jsonl(path, rows)
    return rows


def _tick(progress: ProgressFn | None, rows: list[dict], total: int) -> None:
    if progress:
        kept = sum(r["status"] == "kept" for r in rows)
        progress("gsm8k", len(rows), total, f"kept {kept}")
