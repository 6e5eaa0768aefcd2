"""``mathforge eval``: score a model on benchmarks."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from mathforge.cli.progress import progress_bars
from mathforge.config import help_text
from mathforge.evaluate.runner import EvalConfig
from mathforge.infer import BACKENDS, BackendError, BackendSpec
from mathforge.prompts import PROMPT_STYLES


def _help(name: str) -> str:
    """The help of ``EvalConfig.<name>``: each flag's text lives once, on its field."""
    return help_text(EvalConfig, name)


eval_app = typer.Typer(
    help="Score a model on benchmarks (`mathforge eval --model M …`), or compare two runs."
)


@eval_app.callback(invoke_without_command=True)
def eval_command(
    ctx: typer.Context,
    model: str | None = typer.Option(None, "--model", "-m", help=_help("model") + " Required to evaluate."),
    backend: str = typer.Option("hf", "--backend", "-b", help=_help("backend")),
    bench: str = typer.Option("gsm8k", "--bench", help=_help("benchmarks") + " Comma-separated."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help=_help("data_dir")),
    out: Path = typer.Option(Path("runs/eval"), "--out", "-o", help=_help("out")),
    prompt: str = typer.Option("auto", "--prompt", help=_help("prompt")),
    n: int = typer.Option(1, "--n", min=1, help=_help("n")),
    temperature: float | None = typer.Option(None, "--temperature", "-t", min=0.0, help=_help("temperature")),
    top_p: float | None = typer.Option(None, "--top-p", help=_help("top_p")),
    max_tokens: int = typer.Option(512, "--max-tokens", min=1, help=_help("max_tokens")),
    limit: int | None = typer.Option(None, "--limit", "-l", min=1, help=_help("limit")),
    seed: int = typer.Option(0, "--seed", help=_help("seed")),
    batch_size: int = typer.Option(
        8,
        "--batch-size",
        min=1,
        help="hf: sequences decoded together; finished ones are replaced at once by waiting prompts "
        "(on a CPU 32-64 is fastest).",
    ),
    continuous_batching: bool = typer.Option(
        True,
        "--continuous-batching/--no-continuous-batching",
        help="hf: refill rows as they finish (off: model.generate batch by batch).",
    ),
    chat: bool | None = typer.Option(
        None, "--chat/--no-chat", help="Use the chat template (default: when the model has one)."
    ),
    device: str = typer.Option("auto", "--device"),
    dtype: str = typer.Option("auto", "--dtype"),
    api_base: str | None = typer.Option(
        None, "--api-base", help="openai: server URL, e.g. http://127.0.0.1:8000/v1."
    ),
    api_key_env: str = typer.Option(
        "OPENAI_API_KEY", "--api-key-env", help="openai: env var holding the API key."
    ),
    concurrency: int = typer.Option(8, "--concurrency", min=1, help="openai: requests in flight."),
    max_retries: int = typer.Option(5, "--max-retries", min=0),
    request_timeout: float = typer.Option(600.0, "--request-timeout"),
    rps: float | None = typer.Option(None, "--requests-per-second", help="openai: rate limit."),
    n_ctx: int = typer.Option(4096, "--n-ctx", help="llamacpp: context length."),
    threads: int | None = typer.Option(None, "--threads", help="llamacpp: CPU threads."),
    tensor_parallel: int = typer.Option(1, "--tensor-parallel-size", help="vllm: GPUs per model."),
    source: str = typer.Option("local", "--source", help=_help("source")),
    allow_network: bool = typer.Option(
        False, "--allow-network", help="Allow downloads from the Hub (models; benchmarks with --source hub)."
    ),
    grade_workers: int = typer.Option(1, "--grade-workers", min=1, help=_help("grade_workers")),
    grade_timeout: float = typer.Option(5.0, "--grade-timeout", min=0.1, help=_help("grade_timeout")),
    chunk_size: int | None = typer.Option(None, "--chunk-size", min=1, help=_help("chunk_size")),
    reward_model: str | None = typer.Option(None, "--reward-model", help=_help("reward_model")),
    select: str = typer.Option("", "--select", help=_help("select") + " Comma-separated."),
    tool_rounds: int = typer.Option(4, "--tool-rounds", min=1, help=_help("tool_rounds")),
    tool_timeout: float = typer.Option(10.0, "--tool-timeout", min=0.5, help=_help("tool_timeout")),
) -> None:
    """Generate, grade and score; rerunning resumes from the cache in --out and regenerates nothing."""
    from mathforge.bench import BenchError
    from mathforge.evaluate import run_eval

    if ctx.invoked_subcommand:
        return
    if model is None:
        typer.echo("error: --model is required (or use `mathforge eval compare RUN_A RUN_B`)", err=True)
        raise typer.Exit(2)

    if backend not in BACKENDS:
        raise typer.BadParameter(
            f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}", param_hint="--backend"
        )
    if prompt not in PROMPT_STYLES:
        raise typer.BadParameter(f"unknown prompt style {prompt!r}; use one of {', '.join(PROMPT_STYLES)}")
    spec = BackendSpec(
        backend=backend,
        model=model,
        chat=chat,
        batch_size=batch_size,
        continuous_batching=continuous_batching,
        device=device,
        dtype=dtype,
        allow_network=allow_network,
        api_base=api_base,
        api_key_env=api_key_env,
        concurrency=concurrency,
        max_retries=max_retries,
        request_timeout=request_timeout,
        requests_per_second=rps,
        n_ctx=n_ctx,
        n_threads=threads,
        tensor_parallel_size=tensor_parallel,
    )
    config = EvalConfig(
        model=model,
        backend=backend,
        benchmarks=[b.strip() for b in bench.split(",") if b.strip()],
        data_dir=str(data_dir) if data_dir else None,  # None: load_benchmark reads $MATHFORGE_DATA_DIR
        source=source,
        out=str(out),
        prompt=prompt,
        n=n,
        temperature=temperature,
        top_p=top_p,
        max_tokens=max_tokens,
        seed=seed,
        limit=limit,
        grade_workers=grade_workers,
        grade_timeout=grade_timeout,
        chunk_size=chunk_size,
        tool_rounds=tool_rounds,
        reward_model=reward_model,
        select=[x.strip() for x in select.split(",") if x.strip()],
        tool_timeout=tool_timeout,
        backend_spec=spec,
    )
    console = Console(stderr=True)
    with progress_bars(console, transient=False) as bars:
        try:
            result = run_eval(
                config,
                progress=bars.update,
                command="mathforge " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
            )
        except (BackendError, BenchError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
    table = Table(title=f"{model} ({backend})")
    for col in ("benchmark", "items", "accuracy", "95% CI", "maj@k", "rm@k", "verdicts"):
        table.add_column(col)
    for name, m in result.metrics["benchmarks"].items():
        lo, hi = m["ci95"]
        maj = f"{100 * m['maj@k']['accuracy']:.1f}%" if "maj@k" in m else "-"
        rmk = f"{100 * m['rm@k']['accuracy']:.1f}%" if "rm@k" in m else "-"
        table.add_row(
            name,
            str(m["items"]),
            f"{100 * m['accuracy']:.1f}%",
            f"{100 * lo:.1f}–{100 * hi:.1f}",
            maj,
            rmk,
            ", ".join(f"{k} {v}" for k, v in m["verdicts"].items()),
        )
    out_console = Console()
    out_console.print(table)
    for name, m in result.metrics["benchmarks"].items():
        if "select" not in m and "avg@k" not in m:
            continue
        chooser = Table(title=f"{name}: choosing among {m.get('avg@k', {}).get('k', '?')} samples")
        for col in ("strategy", "accuracy", "95% CI", "answered"):
            chooser.add_column(col)
        if "avg@k" in m:
            a = m["avg@k"]
            chooser.add_row(f"avg@{a['k']}", f"{100 * a['mean']:.1f}%", f"± {100 * a['se']:.1f} (s.e.)", "")
        for strategy, s in m.get("select", {}).items():
            lo, hi = s["ci95"]
            chooser.add_row(
                strategy,
                f"{100 * s['accuracy']:.1f}%",
                f"{100 * lo:.1f}–{100 * hi:.1f}",
                f"{100 * s['answered']:.0f}%",
            )
        out_console.print(chooser)
    out_console.print(
        f"generated {result.generated}, from cache {result.cached}; results in {result.out_dir}/"
        " (metrics.json, results.md, report.html, <bench>/samples.jsonl)",
        soft_wrap=True,
    )


@eval_app.command("compare")
def compare_command(
    run_a: Path = typer.Argument(
        ..., help="An evaluation folder (the --out of `mathforge eval`): the baseline."
    ),
    run_b: Path = typer.Argument(..., help="Another evaluation folder over the same items."),
    show: int = typer.Option(10, "--show", min=0, help="Changed items to list per benchmark."),
) -> None:
    """Is B better than A? Per benchmark: the accuracy difference on the same items, its 95% paired-
    bootstrap interval, the exact McNemar p-value, and the items that changed."""
    from mathforge.evaluate.compare import CompareError, compare_runs, format_p

    try:
        results = compare_runs(run_a, run_b)
    except CompareError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    console = Console()
    table = Table(title=f"B = {run_b.name} vs A = {run_a.name}, same items")
    for col in ("benchmark", "items", "A", "B", "B − A", "95% paired CI", "McNemar p", "A only", "B only"):
        table.add_column(col, justify="left" if col == "benchmark" else "right")
    for r in results:
        lo, hi = r.ci95
        table.add_row(
            r.benchmark,
            str(r.items),
            f"{100 * r.accuracy_a:.1f}%",
            f"{100 * r.accuracy_b:.1f}%",
            f"{100 * r.difference:+.1f}",
            f"[{100 * lo:+.1f}, {100 * hi:+.1f}]",
            format_p(r.p_value) + (" ✓" if r.holds else ""),
            str(len(r.only_a)),
            str(len(r.only_b)),
        )
    console.print(table)
    for r in results:
        if show and (r.only_a or r.only_b):
            console.print(
                f"{r.benchmark}: right only in A: {', '.join(r.only_a[:show]) or '—'}; "
                f"right only in B: {', '.join(r.only_b[:show]) or '—'}",
                highlight=False,
                soft_wrap=True,
            )
    if any(r.holds for r in results):
        console.print(
            "✓: p < 0.05 — a difference this large is unlikely if the two models were equally good."
        )
    else:
        console.print(
            "No difference holds at p < 0.05: it could be chance; more items (or a larger difference) are needed."
        )
