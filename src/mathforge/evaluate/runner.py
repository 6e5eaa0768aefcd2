"""Run benchmarks × one backend × sampling settings: generate (cached), grade, score, report."""

from __future__ import annotations

import shlex
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mathforge import __version__
from mathforge.bench import load_benchmark
from mathforge.bench.problem import Problem
from mathforge.config import option
from mathforge.evaluate.cache import ResultCache, cache_key
from mathforge.evaluate.metrics import majority, score
from mathforge.evaluate.report import html_report, markdown_table
from mathforge.evaluate.select_rows import GENSELECT_MAX_TOKENS, make_judge, run_metrics, select_rows
from mathforge.evaluate.selection import parse_strategies
from mathforge.grade import GradeItem, SymbolicPool, grade_many
from mathforge.infer import BACKENDS, Backend, BackendSpec, Generation, SamplingParams, get_backend
from mathforge.infer.generation_config import FALLBACK_TEMPERATURE, recommended_sampling
from mathforge.progress import ProgressFn
from mathforge.prompts import PROMPT_STYLES, TOOL_STYLES, Prompt, build_prompt, describe_templates
from mathforge.stage_io import input_identities, write_json, write_jsonl, write_manifest, write_text_atomic
from mathforge.versions import package_versions


@dataclass
class EvalConfig:
    """One evaluation; the ``mathforge eval`` flags map onto these fields 1:1."""

    model: str = option(help="Model directory, .gguf file, Hub id, or served model name.", path="model")
    backend: str = option("hf", help=f"Generation backend: {', '.join(BACKENDS)}.")
    benchmarks: list[str] = option(["gsm8k"], help="Benchmark names (see `mathforge bench list`).")
    data_dir: str | None = option(
        None, help="Folder with <benchmark>/test.jsonl (None: $MATHFORGE_DATA_DIR).", path=True
    )
    source: str = option(
        "local", help="Benchmarks from the data directory (local) or the Hub (hub; needs allow_network)."
    )
    out: str = option("runs/eval", help="Run directory (results and the resumable cache).", path=True)
    prompt: str = option(
        "auto", help=f"Prompt style: {', '.join(PROMPT_STYLES)} (auto picks by answer kind)."
    )
    n: int = option(1, help="Samples per problem (maj@k, pass@k).")
    temperature: float | None = option(
        None,
        help="Sampling temperature; 0 = greedy. None: greedy for n = 1; for n > 1 the model's recommended "
        "temperature (its generation_config.json), else 0.7.",
    )
    top_p: float | None = option(
        None,
        help="Nucleus sampling: keep the smallest token set with this probability. None: the model's "
        "recommended top_p for n > 1, else 1.0.",
    )
    max_tokens: int = option(512, help="Tokens generated per answer.")
    seed: int = option(0, help="Sampling seed.")
    limit: int | None = option(None, help="First N problems of each benchmark (None: all).")
    grade_workers: int = option(1, help="Processes grading answers in parallel.")
    grade_timeout: float = option(
        5.0, help="Hard limit in seconds per answer/gold comparison (one slow pair never blocks the rest)."
    )
    chunk_size: int | None = option(
        None, help="Items generated between durable saves (None: 4 × batch size or concurrency, at least 16)."
    )
    tool_rounds: int = option(4, help="tir/tora/pot: code executions per answer.")
    tool_timeout: float = option(10.0, help="tir/tora/pot: wall-clock seconds per executed code cell.")
    reward_model: str | None = option(
        None,
        help="With n = K > 1: also report RM@K, the reward model's best of K, next to maj@k.",
        path="model",
    )
    select: list[str] = option(
        [],
        help="With n > 1: selection strategies scored on the same samples: maj, rm, rm_vote (need "
        "reward_model), sctir, genselect (the model judges; its answers cached), verify (sympy "
        "substitution in the sandbox), oracle (pass@n).",
    )
    backend_spec: BackendSpec | None = field(
        default=None,
        metadata={"help": "Backend options beyond model/backend (batch size, device, API settings…)."},
    )

    def spec(self) -> BackendSpec:
        spec = self.backend_spec or BackendSpec(backend=self.backend, model=self.model)
        spec.backend, spec.model = self.backend, self.model
        return spec

    def sampling(self) -> SamplingParams:
        """The sampling settings; unset temperature/top_p resolved (see their help)."""
        recommended = recommended_sampling(self.model) if self.n > 1 else {}
        temperature = self.temperature
        if temperature is None:
            temperature = recommended.get("temperature", FALLBACK_TEMPERATURE) if self.n > 1 else 0.0
        top_p = self.top_p if self.top_p is not None else recommended.get("top_p", 1.0)
        return SamplingParams(
            n=self.n,
            temperature=temperature,
            top_p=top_p,
            max_tokens=self.max_tokens,
            seed=self.seed,
        )


@dataclass
class EvalResult:
    out_dir: Path
    metrics: dict[str, Any]
    generated: int  # items generated in this run (the rest came from the cache)
    cached: int


ProgressHook = ProgressFn  # (benchmark, done, total, "acc 31.0%")


EVAL_PACKAGES = (
    "transformers",
    "torch",
    "vllm",
    "llama-cpp-python",
    "openai",
    "latex2sympy2_extended",
    "sympy",
)


def _backend_identity(spec: BackendSpec) -> dict[str, Any]:
    """The backend settings that change what is generated (part of the cache key)."""
    return {"backend": spec.backend, "chat": spec.chat, "dtype": spec.dtype}


def _tool_identity(config: EvalConfig) -> dict[str, Any]:
    return (
        {"rounds": config.tool_rounds, "timeout": config.tool_timeout} if config.prompt in TOOL_STYLES else {}
    )


def _sample_row(p: Problem, prompt: Prompt, gens: list[Generation], grades, n: int) -> dict[str, Any]:
    preds = [g.pred for g in grades]
    correct = [g.correct for g in grades]
    maj_answer, maj_share, maj_correct = majority(preds, correct)
    return {
        "benchmark": p.benchmark,
        "id": p.id,
        "question": p.question,
        "gold": p.answer,
        "subject": p.subject,
        "level": p.level,
        "language": p.language,
        "prompt": list(prompt.messages),
        "outputs": [g.text for g in gens],
        "preds": preds,
        "verdicts": [g.verdict for g in grades],
        "reasons": [g.reason for g in grades],
        "correct": correct,
        "majority": maj_answer,
        "majority_share": maj_share,
        "majority_correct": maj_correct,
        "tokens": [g.tokens for g in gens],
        "seconds": [round(g.seconds, 4) for g in gens],
        "finish": [g.finish_reason for g in gens],
        "errors": [g.error for g in gens if g.error],
    }


class _Ticker:
    """Moves the progress bar as the backend finishes items inside a chunk (before they are graded)."""

    def __init__(self, hook: ProgressHook | None, name: str, done: int, total: int, acc: float) -> None:
        self.hook, self.name, self.done, self.total, self.acc = hook, name, done, total, acc

    def __call__(self, k: int) -> None:
        self.done += k
        if self.hook:
            self.hook(self.name, self.done, self.total, _acc_note(self.acc))


def _grade_into(
    rows: list[dict[str, Any] | None],
    items: list[Problem],
    prompts: list[Prompt],
    gens_by_i: dict[int, list[Generation]],
    params: SamplingParams,
    pool: SymbolicPool,
    config: EvalConfig,
    rm=None,
) -> None:
    """Grade the generations of items ``gens_by_i`` and fill their sample rows."""
    idx = list(gens_by_i)
    flat = [
        GradeItem(
            items[i].answer,
            g.text,
            items[i].grade_style,
            items[i].grade_kind,
            truncated=g.finish_reason == "length",  # cut off at max_tokens: fallbacks do not count
        )
        for i in idx
        for g in gens_by_i[i]
    ]
    graded = grade_many(flat, timeout=config.grade_timeout, pool=pool)
    for j, i in enumerate(idx):
        gs = graded[j * params.n : (j + 1) * params.n]
        rows[i] = row = _sample_row(items[i], prompts[i], gens_by_i[i], gs, params.n)
        if rm is not None and params.n > 1:
            scores = rm.score(items[i].question, [g.text for g in gens_by_i[i]])
            best = max(range(len(scores)), key=scores.__getitem__)
            row["rm_scores"], row["rm_best"], row["rm_correct"] = scores, best, bool(gs[best].correct)


def _acc_note(acc: float) -> str:
    return f"acc {100 * acc:.1f}%"


def _report(progress: ProgressHook | None, name: str, rows: list[dict[str, Any] | None]) -> None:
    if progress:
        done, total, acc = _tally(rows)
        progress(name, done, total, _acc_note(acc))


def _tally(rows: list[dict[str, Any] | None]) -> tuple[int, int, float]:
    """(done, total, running accuracy of the first sample) for the progress bar."""
    done = [r for r in rows if r is not None]
    return len(done), len(rows), sum(r["correct"][0] for r in done) / max(1, len(done))


def _benchmark_files(config: EvalConfig) -> list[Path]:
    """The local files the evaluation read (none for hub sources)."""
    from mathforge.bench import benchmark_file, find_data_dir

    root = find_data_dir(config.data_dir)
    if config.source != "local" or root is None:
        return []
    return [f for f in (benchmark_file(n, root) for n in config.benchmarks) if f.is_file()]


def _strategies(config: EvalConfig, params: SamplingParams) -> list[str]:
    """The checked selection strategies (before any model loads: a bad name fails fast)."""
    strategies = parse_strategies(",".join(config.select))
    if strategies and params.n < 2:
        raise ValueError("selection strategies choose among samples: use n > 1")
    if {"rm", "rm_vote"} & set(strategies) and not config.reward_model:
        raise ValueError("the rm and rm_vote strategies need reward_model")
    return strategies


def _verify_sandbox():
    from mathforge.sandbox import Sandbox, SandboxConfig

    return Sandbox(SandboxConfig(timeout=20, cpu_seconds=20, warm=1))


def run_eval(
    config: EvalConfig,
    *,
    backend: Backend | None = None,
    progress: ProgressHook | None = None,
    command: str | None = None,
) -> EvalResult:
    """Evaluate; resumable: finished generations live in ``OUT/cache.sqlite`` and are never redone."""
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    spec = config.spec()
    problems = {
        name: load_benchmark(
            name, config.data_dir, limit=config.limit, source=config.source, allow_network=spec.allow_network
        )
        for name in config.benchmarks
    }  # load everything first: a bad benchmark name fails before any model is loaded
    params = config.sampling()
    strategies = _strategies(config, params)
    backend = backend or get_backend(spec)
    sandbox = None
    if config.prompt in TOOL_STYLES:
        from mathforge.sandbox import Sandbox, SandboxConfig
        from mathforge.tir import ToolBackend

        sandbox = Sandbox(
            SandboxConfig(timeout=config.tool_timeout, cpu_seconds=int(config.tool_timeout) + 1)
        )
        backend = ToolBackend(backend, sandbox, max_rounds=config.tool_rounds)
    rm = None
    if config.reward_model:
        from mathforge.train.rm import RewardModel

        rm = RewardModel(config.reward_model)
    backend_info = backend.info()  # before generating: what ran is recorded even if a stage fails
    cache = ResultCache(out / "cache.sqlite")
    identity = {**_backend_identity(spec), **_tool_identity(config)}
    chunk = config.chunk_size or max(
        16, 4 * max(spec.batch_size, spec.concurrency if spec.backend == "openai" else 1)
    )
    metrics: dict[str, Any] = {"benchmarks": {}}
    generated = cached_n = 0
    try:
        with SymbolicPool(workers=config.grade_workers) as pool:
            for name, items in problems.items():
                prompts = [build_prompt(p, config.prompt) for p in items]
                keys = [
                    cache_key(backend.model_id, identity, pr.key(), params.to_dict(), f"{p.benchmark}/{p.id}")
                    for p, pr in zip(items, prompts, strict=True)
                ]
                have = cache.get_many(keys)
                cached_n += len(have)
                rows: list[dict[str, Any] | None] = [None] * len(items)
                cached_idx = [i for i, k in enumerate(keys) if k in have]
                _grade_into(
                    rows, items, prompts, {i: have[keys[i]] for i in cached_idx}, params, pool, config
                )
                _report(progress, name, rows)
                todo = [i for i, k in enumerate(keys) if k not in have]
                for start in range(0, len(todo), chunk):
                    idx = todo[start : start + chunk]
                    tick = _Ticker(progress, name, *_tally(rows))
                    gens = backend.generate([prompts[i] for i in idx], params, progress=tick)
                    cache.put_many(
                        [(keys[i], f"{name}/{items[i].id}", g) for i, g in zip(idx, gens, strict=True)]
                    )
                    generated += len(idx)
                    _grade_into(
                        rows, items, prompts, dict(zip(idx, gens, strict=True)), params, pool, config, rm
                    )
                    _report(progress, name, rows)
                final = [r for r in rows if r is not None]
                if strategies:
                    if "verify" in strategies and sandbox is None:
                        sandbox = _verify_sandbox()
                    judge = make_judge(backend, cache, identity, f"genselect/{name}", GENSELECT_MAX_TOKENS)
                    select_rows(final, strategies, judge=judge, sandbox=sandbox)
                bench_dir = out / name
                bench_dir.mkdir(exist_ok=True)
                write_jsonl(bench_dir / "samples.jsonl", final)
                metrics["benchmarks"][name] = {
                    **score(final, params.n),
                    **run_metrics(final, params.n, strategies),
                }
    finally:
        cache.close()
        if sandbox is not None:
            sandbox.close()
    metrics["run"] = {
        "model": backend.model_id,
        "backend": spec.backend,
        "backend_info": backend_info,
        "prompt": config.prompt,
        "prompt_templates": describe_templates(),
        "sampling": params.to_dict(),
        "grader": {"timeout": config.grade_timeout, "version": __version__},
        "config": {k: v for k, v in asdict(config).items() if k != "backend_spec"},
        "versions": package_versions(EVAL_PACKAGES),
        "command": command or " ".join(shlex.quote(a) for a in sys.argv),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "generated_this_run": generated,
        "from_cache": cached_n,
    }
    write_json(out / "metrics.json", metrics, indent=2)
    write_text_atomic(out / "results.md", markdown_table(metrics))
    write_text_atomic(out / "report.html", html_report(metrics))
    write_manifest(
        out,
        stage="eval",
        config={k: v for k, v in asdict(config).items() if k != "backend_spec"},
        inputs=input_identities(_benchmark_files(config)),
        outputs={"metrics": "metrics.json", "table": "results.md", "report": "report.html"},
        summary={
            n: {"accuracy": m["accuracy"], "items": m["items"]} for n, m in metrics["benchmarks"].items()
        },
        packages=EVAL_PACKAGES,
        command=metrics["run"]["command"],
    )
    return EvalResult(out, metrics, generated, cached_n)
