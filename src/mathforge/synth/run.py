"""The synth stages in the one stage shape: ``run_synth(SynthConfig) -> SynthResult`` (generated,
program-verified problems as training data or as a fresh benchmark) and ``run_teach(TeachConfig) ->
TeachResult`` (rejection sampling from a teacher). ``mathforge synth generate | bench | teach`` are these
calls with flags mapped 1:1 onto the fields; each writes ``OUT/manifest.json`` through
:mod:`mathforge.stage_io`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mathforge.config import ConfigError, option
from mathforge.progress import ProgressFn
from mathforge.stage_io import input_identities, read_manifest, write_manifest


@dataclass
class SynthConfig:
    out: str = option(
        help="Output folder (training data) or data directory (benchmark: OUT/synth/).", path=True
    )
    families: list[str] | None = option(None, help="Generator families (None: all; `mathforge synth list`).")
    n: int = option(100, help="Items per family.")
    seed: int = option(0, help="Seed; a new seed gives new problems.")
    langs: list[str] = option(["en", "zh"], help="Languages.")
    levels: list[int] = option([1, 2, 3], help="Difficulty levels.")
    execute: bool = option(
        True, help="Run every item's program in the sandbox and keep it only if it agrees."
    )
    data_dir: str = option(
        "", help="Benchmarks to decontaminate against ('' = $MATHFORGE_DATA_DIR).", path=True
    )
    decontaminate: bool = option(True, help="Drop items that match a benchmark item.")
    as_benchmark: bool = option(False, help="Write an evaluation set (OUT/synth/test.jsonl) instead.")

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n = {self.n}: ask for at least one item per family")


@dataclass
class SynthResult:
    out: Path  # the folder holding the files and manifest.json
    manifest: dict[str, Any]
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def items(self) -> int:
        return int(self.manifest["summary"]["counts"]["items"])


def run_synth(
    cfg: SynthConfig,
    progress: ProgressFn | None = None,
    warn: Callable[[str], None] = lambda msg: None,
) -> SynthResult:
    """Generate, verify, decontaminate and write; ``progress("generating", done, total)`` as items are drawn."""
    from mathforge.bench import find_data_dir
    from mathforge.corpus.decontam import Decontaminator
    from mathforge.synth.generate import generate, resolve_families
    from mathforge.synth.io import write_benchmark, write_training_set

    dec, bench_files = None, []
    if cfg.decontaminate:
        root = find_data_dir(cfg.data_dir or None)
        if root is None:
            warn("no benchmark data directory: decontamination skipped")
        else:
            dec = Decontaminator.from_benchmarks(str(root))
            bench_files = sorted(root.glob("*/test.jsonl"))
    t0 = time.perf_counter()
    total = cfg.n * len(resolve_families(cfg.families))
    drawn = [0]

    def tick(k: int) -> None:
        drawn[0] += k
        if progress:
            progress("generating", drawn[0], total)

    report = generate(
        cfg.families,
        n=cfg.n,
        seed=cfg.seed,
        langs=cfg.langs,
        levels=cfg.levels,
        execute=cfg.execute and not cfg.as_benchmark,
        decontaminator=dec,
        progress=tick,
    )
    config = {**cfg.__dict__, "decontaminated": dec is not None}
    seconds = time.perf_counter() - t0
    out = Path(cfg.out)
    if cfg.as_benchmark:
        write_benchmark(out, report, config, seconds, inputs=input_identities(bench_files))
        folder, files = out / "synth", {"benchmark": out / "synth" / "test.jsonl"}
    else:
        write_training_set(out, report, config, seconds, inputs=input_identities(bench_files))
        folder, files = out, {"items": out / "items.jsonl", "sft": out / "sft.jsonl"}
    return SynthResult(folder, read_manifest(folder) or {}, files)


@dataclass
class TeachConfig:
    model: str = option(
        help="The teacher: a served model name (openai), a folder or .gguf file.", path="model"
    )
    out: str = option(help="Output folder: sft.jsonl, stats.json, cache.sqlite, manifest.json.", path=True)
    backend: str = option("openai", help="Generation backend: openai, hf, vllm, llamacpp.")
    bench: str = option("gsm8k", help="Seed problems: a benchmark name (use a train split).")
    split: str = option("train", help="Split of the benchmark.")
    limit: int | None = option(None, help="First N problems (None: all).")
    k: int = option(4, help="Solutions sampled per problem.")
    temperature: float = option(0.7, help="Sampling temperature.")
    max_tokens: int = option(1024, help="Tokens per solution.")
    no_gold: bool = option(False, help="Ignore gold answers; keep solutions that agree with the majority.")
    majority_threshold: float = option(0.6, help="Share of samples the majority answer needs (no gold).")
    data_dir: str = option("", help="Benchmark data ('' = $MATHFORGE_DATA_DIR).", path=True)
    api_base: str | None = option(None, help="OpenAI-compatible server URL (openai backend).")
    concurrency: int = option(8, help="Requests in flight (openai).")
    batch_size: int = option(8, help="Prompts per batch (hf).")
    max_retries: int = option(5, help="Retries per request (openai).")


@dataclass
class TeachResult:
    out: Path
    stats: Any  # mathforge.synth.teacher.TeachStats


def run_teach(cfg: TeachConfig, progress: ProgressFn | None = None) -> TeachResult:
    """Rejection sampling: each problem's k solutions graded against its gold (or majority); the
    accepted ones become chat records. Resumable through the generation cache."""
    from mathforge.bench import benchmark_file, find_data_dir, load_benchmark
    from mathforge.infer import BackendSpec, SamplingParams, get_backend
    from mathforge.synth.teacher import synthesise

    if cfg.k < 1:
        raise ConfigError(f"k = {cfg.k}: sample at least one solution per problem")
    problems = load_benchmark(cfg.bench, cfg.data_dir or None, split=cfg.split, limit=cfg.limit)
    if cfg.no_gold:
        problems = [replace(p, answer="") for p in problems]
    engine = get_backend(
        BackendSpec(
            backend=cfg.backend,
            model=cfg.model,
            api_base=cfg.api_base,
            max_retries=cfg.max_retries,
            concurrency=cfg.concurrency,
            batch_size=cfg.batch_size,
        )
    )
    t0 = time.perf_counter()
    out = Path(cfg.out)
    stats = synthesise(
        problems,
        engine,
        out,
        k=cfg.k,
        params=SamplingParams(n=cfg.k, temperature=cfg.temperature, max_tokens=cfg.max_tokens),
        majority_threshold=cfg.majority_threshold,
        progress=progress,
    )
    root = find_data_dir(cfg.data_dir or None)
    write_manifest(
        out,
        stage="teach",
        config=cfg,
        inputs=input_identities([benchmark_file(cfg.bench, root, cfg.split)] if root else []),
        outputs={"sft": "sft.jsonl", "stats": "stats.json"},
        summary={k: v for k, v in stats.__dict__.items() if k != "per_problem"}
        | {"acceptance": stats.acceptance},
        seconds=time.perf_counter() - t0,
    )
    return TeachResult(out, stats)
