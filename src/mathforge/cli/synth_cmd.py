"""``mathforge synth generate | bench | teach | from-gsm8k``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from mathforge.cli.progress import progress_bars
from mathforge.config import help_text
from mathforge.synth.from_gsm8k import FromGsm8kConfig
from mathforge.synth.run import SynthConfig, TeachConfig

synth_app = typer.Typer(
    help="Synthetic data: verified generated problems, and teacher synthesis.", no_args_is_help=True
)


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _run_synth(out, families, n, seed, lang, levels, data_dir, **flags):
    """The flags of `generate` and `bench` as a SynthConfig, run with a progress bar."""
    from mathforge.synth import UnknownFamilyError
    from mathforge.synth.run import run_synth

    try:
        cfg = SynthConfig(
            out=str(out),
            families=_split(families),
            n=n,
            seed=seed,
            langs=_split(lang) or ["en", "zh"],
            levels=[int(x) for x in _split(levels) or ["1", "2", "3"]],
            data_dir=str(data_dir or ""),
            **flags,
        )
        with progress_bars() as bars:
            return run_synth(
                cfg,
                progress=bars.update,
                warn=lambda msg: Console(stderr=True).print(f"[yellow]{msg}[/yellow]"),
            )
    except (UnknownFamilyError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _summary(man: dict, out: Path) -> None:
    table = Table(title=f"{man['summary']['counts']['items']} items → {out}")
    table.add_column("family")
    table.add_column("items", justify="right")
    for fam, c in sorted(man["summary"]["counts"]["by_family"].items()):
        table.add_row(fam, str(c))
    Console().print(table)
    Console().print(
        f"languages {man['summary']['counts']['by_language']}; rejected {man['summary']['counts']['rejected'] or 'none'}; "
        f"{man['seconds']} s",
        highlight=False,
        soft_wrap=True,
    )


def _gen(name: str) -> str:
    """The help of ``SynthConfig.<name>``: each flag's text lives once, on its field."""
    return help_text(SynthConfig, name)


def _teach(name: str) -> str:
    """The help of ``TeachConfig.<name>``."""
    return help_text(TeachConfig, name)


FAMILIES_OPT = typer.Option(None, "--families", help=_gen("families") + " Comma-separated.")


@synth_app.command("generate")
def synth_generate(
    out: Path = typer.Option(..., "--out", "-o", help=_gen("out")),
    families: str | None = FAMILIES_OPT,
    n: int = typer.Option(100, "--n", min=1, help=_gen("n")),
    seed: int = typer.Option(0, "--seed", help=_gen("seed")),
    lang: str = typer.Option("en,zh", "--lang", help=_gen("langs") + " Comma-separated."),
    levels: str = typer.Option("1,2,3", "--levels", help=_gen("levels") + " Comma-separated."),
    execute: bool = typer.Option(True, "--execute/--no-execute", help=_gen("execute")),
    data_dir: Path | None = typer.Option(None, "--data-dir", help=_gen("data_dir")),
    decontaminate: bool = typer.Option(
        True, "--decontaminate/--no-decontaminate", help=_gen("decontaminate")
    ),
) -> None:
    """Training data: items.jsonl, sft.jsonl (chain-of-thought and tool-integrated chats), manifest.json."""
    result = _run_synth(
        out, families, n, seed, lang, levels, data_dir, execute=execute, decontaminate=decontaminate
    )
    _summary(result.manifest, result.out)


@synth_app.command("bench")
def synth_bench(
    out: Path = typer.Option(
        ..., "--out", "-o", help="A data directory: the set goes to OUT/synth/test.jsonl."
    ),
    families: str | None = FAMILIES_OPT,
    n: int = typer.Option(50, "--n", min=1, help=_gen("n")),
    seed: int = typer.Option(1, "--seed", help=_gen("seed")),
    lang: str = typer.Option("en,zh", "--lang", help=_gen("langs") + " Comma-separated."),
    levels: str = typer.Option("1,2,3", "--levels", help=_gen("levels") + " Comma-separated."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help=_gen("data_dir")),
) -> None:
    """A fresh, contamination-free evaluation set: `mathforge eval --bench synth --data-dir OUT`."""
    result = _run_synth(out, families, n, seed, lang, levels, data_dir, execute=False, as_benchmark=True)
    _summary(result.manifest, result.out)


@synth_app.command("list")
def synth_list() -> None:
    """The generator families."""
    from mathforge.synth import FAMILIES

    table = Table(title=f"{len(FAMILIES)} families")
    table.add_column("family")
    table.add_column("what")
    for name, fam in sorted(FAMILIES.items()):
        table.add_row(name, fam.description)
    Console().print(table)


@synth_app.command("teach")
def synth_teach(
    model: str = typer.Option(..., "--model", "-m", help=_teach("model")),
    out: Path = typer.Option(..., "--out", "-o", help=_teach("out")),
    backend: str = typer.Option("openai", "--backend", "-b", help=_teach("backend")),
    bench: str = typer.Option("gsm8k", "--bench", help=_teach("bench")),
    split: str = typer.Option("train", "--split", help=_teach("split")),
    limit: int | None = typer.Option(None, "--limit", min=1, help=_teach("limit")),
    k: int = typer.Option(4, "--k", min=1, help=_teach("k")),
    temperature: float = typer.Option(0.7, "--temperature", help=_teach("temperature")),
    max_tokens: int = typer.Option(1024, "--max-tokens", help=_teach("max_tokens")),
    no_gold: bool = typer.Option(False, "--no-gold", help=_teach("no_gold")),
    threshold: float = typer.Option(0.6, "--majority-threshold", help=_teach("majority_threshold")),
    data_dir: Path | None = typer.Option(None, "--data-dir", help=_teach("data_dir")),
    api_base: str | None = typer.Option(None, "--api-base", help=_teach("api_base")),
    concurrency: int = typer.Option(8, "--concurrency", min=1, help=_teach("concurrency")),
    batch_size: int = typer.Option(8, "--batch-size", min=1, help=_teach("batch_size")),
    max_retries: int = typer.Option(5, "--max-retries", min=0, help=_teach("max_retries")),
) -> None:
    """Rejection sampling from a teacher: sft.jsonl with accepted solutions, stats.json per problem."""
    from mathforge.bench import BenchError
    from mathforge.infer import BackendError
    from mathforge.synth.run import run_teach

    cfg = TeachConfig(
        model=model,
        out=str(out),
        backend=backend,
        bench=bench,
        split=split,
        limit=limit,
        k=k,
        temperature=temperature,
        max_tokens=max_tokens,
        no_gold=no_gold,
        majority_threshold=threshold,
        data_dir=str(data_dir or ""),
        api_base=api_base,
        concurrency=concurrency,
        batch_size=batch_size,
        max_retries=max_retries,
    )
    try:
        with progress_bars(transient=False) as bars:
            stats = run_teach(cfg, progress=bars.update).stats
    except (BenchError, BackendError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    Console().print(
        f"{stats.problems} problems, {stats.samples} samples, {stats.accepted} accepted ({100 * stats.acceptance:.1f}%), "
        f"{stats.errors} failed requests, {stats.no_answer} without an answer → {out}/sft.jsonl",
        highlight=False,
        soft_wrap=True,
    )


def _gsm(name: str) -> str:
    """The help of ``FromGsm8kConfig.<name>``."""
    return help_text(FromGsm8kConfig, name)


@synth_app.command("from-gsm8k")
def synth_from_gsm8k(
    out: Path = typer.Option(..., "--out", "-o", help=_gsm("out")),
    data_dir: Path | None = typer.Option(None, "--data-dir", help=_gsm("data_dir")),
    limit: int | None = typer.Option(None, "--limit", min=1, help=_gsm("limit")),
    formats: str = typer.Option("tir,pot", "--format", help=_gsm("formats") + " Comma-separated."),
    timeout: float = typer.Option(10.0, "--timeout", min=0.1, help=_gsm("timeout")),
) -> None:
    """GSM8K train solutions → verified tool-integrated (TIR) and program-of-thought (PoT) chats:
    sft.jsonl, programs.jsonl, rejected.jsonl, manifest.json (with the funnel)."""
    from mathforge.bench import BenchError
    from mathforge.config import ConfigError
    from mathforge.synth.from_gsm8k import run_from_gsm8k

    try:
        cfg = FromGsm8kConfig(
            out=str(out),
            data_dir=str(data_dir or ""),
            limit=limit,
            formats=_split(formats) or [],
            timeout=timeout,
        )
        with progress_bars() as bars:
            result = run_from_gsm8k(cfg, progress=bars.update)
    except (BenchError, ConfigError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    summary = result.manifest["summary"]
    total = max(1, summary["records"])
    done = "done earlier (same config and input), not recomputed; " if result.skipped else ""
    table = Table(title=f"GSM8K train → {summary['kept']} of {summary['records']} verified")
    table.add_column("bucket")
    table.add_column("records", justify="right")
    table.add_column("share", justify="right")
    for bucket, count in summary["funnel"].items():
        table.add_row(summary["reasons"][bucket], str(count), f"{100 * count / total:.1f}%")
    Console().print(table)
    Console().print(
        f"{done}{summary['sft_records']} chats ({', '.join(summary['formats'])}) → {result.files['sft']}; "
        f"{summary['chained_lines']} of {summary['program_lines']} program lines use an earlier result; "
        f"{result.manifest.get('seconds')} s",
        highlight=False,
        soft_wrap=True,
    )
