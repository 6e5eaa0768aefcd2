"""``mathforge decontam INPUT``: remove benchmark items from a JSONL data set (a corpus shard, SFT chats,
RL queries) and write a ledger of what was removed and why."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mathforge.config import option

if TYPE_CHECKING:  # the index pulls in numpy: imported where it is built, not when the CLI starts
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


@dataclass
class DecontamFilesConfig:
    """``mathforge decontam``: the flags, one field each."""

    inputs: list[str] = option(help="JSONL files (text / question / messages records).", path=True)
    out: str = option(
        "",
        help="Folder for the cleaned files, ledgers and manifest.json ('' = next to each input).",
        path=True,
    )
    data_dir: str = option("", help="Benchmarks to check against ('' = $MATHFORGE_DATA_DIR).", path=True)
    benchmarks: list[str] = option([], help="Benchmarks to check against ([] = every one found).")
    lcs_ratio: float = option(0.6, help="Longest-common-subsequence share that confirms a 13-gram match.")

    def __post_init__(self) -> None:
        if not 0.0 <= self.lcs_ratio <= 1.0:
            raise ValueError(f"lcs_ratio = {self.lcs_ratio}: use a share between 0 and 1")


@dataclass
class DecontamFilesResult:
    reports: list[DecontamReport]
    manifest: Path


def run_decontam(cfg: DecontamFilesConfig) -> DecontamFilesResult:
    """Decontaminate every input against the benchmarks; write a manifest (OUT/manifest.json, or
    FIRST_INPUT.clean.manifest.json beside the inputs) recording the inputs' and benchmarks' identities."""
    import time

    from mathforge.bench import BenchmarkDataError, find_data_dir
    from mathforge.stage_io import input_identities, write_manifest

    root = find_data_dir(cfg.data_dir or None)
    if root is None:
        raise BenchmarkDataError("no benchmark data directory; pass --data-dir or set MATHFORGE_DATA_DIR")
    missing = [p for p in cfg.inputs if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"{missing[0]}: no such file")
    t0 = time.perf_counter()
    from mathforge.corpus.decontam import Decontaminator

    dec = Decontaminator.from_benchmarks(str(root), cfg.benchmarks or None, lcs_ratio=cfg.lcs_ratio)
    out_dir = Path(cfg.out) if cfg.out else None
    reports = []
    for p in map(Path, cfg.inputs):
        target = out_dir / (p.name.removesuffix(".jsonl") + ".clean.jsonl") if out_dir else None
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
        reports.append(decontaminate_file(p, dec, out=target))
    bench_files = sorted(root.glob("*/test.jsonl"))
    manifest = write_manifest(
        out_dir or reports[0].clean.parent,
        stage="decontam",
        config=cfg,
        inputs=input_identities([*cfg.inputs, *bench_files]),
        outputs={r.input.name: str(r.clean) for r in reports},
        summary={
            r.input.name: {"records": r.records, "removed": r.removed, "per_benchmark": dict(r.per_benchmark)}
            for r in reports
        },
        seconds=time.perf_counter() - t0,
        name="manifest.json" if out_dir else reports[0].clean.name.removesuffix(".jsonl") + ".manifest.json",
    )
    return DecontamFilesResult(reports, manifest)
