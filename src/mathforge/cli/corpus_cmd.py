"""``mathforge corpus …``: run the corpus pipeline, train the math classifier, score files with it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from mathforge.cli.progress import progress_bars

corpus_app = typer.Typer(
    help="Build a math pre-training corpus: extract, classify, dedup, decontaminate, pack.",
    no_args_is_help=True,
)


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


@corpus_app.command("run")
def run_command(
    config: Path = typer.Argument(..., help="corpus.toml (see recipes/corpus.toml)."),
    executor: str | None = typer.Option(None, "--executor", help="local (processes) or ray."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Parallel shards."),
    output: Path | None = typer.Option(None, "--output", help="Output folder (overrides [output] dir)."),
) -> None:
    """Run (or resume) the pipeline: OUTPUT/docs/*.jsonl (the corpus), OUTPUT/packed/ (training shards
    with manifest.json, when [pack] tokenizer is set), OUTPUT/report.json and OUTPUT/report.html."""

    from mathforge.corpus.config import ConfigError, load_corpus_config
    from mathforge.corpus.pipeline import run_corpus

    overrides = {}
    if executor:
        overrides["run.executor"] = executor
    if workers:
        overrides["run.workers"] = workers
    try:
        cfg = load_corpus_config(config, overrides)
        if output:
            cfg.output = str(output)
        console = Console()
        with progress_bars(console) as bars:
            result = run_corpus(cfg, bars.update)
    except ConfigError as exc:
        _fail(str(exc))
    rep = result.report
    table = Table(title=f"corpus funnel ({rep['shards']} shards, {result.shards_skipped} resumed)")
    for col in ("step", "docs in", "docs out", "MB in", "MB out", "dropped by rule"):
        table.add_column(col, justify="left" if col in ("step", "dropped by rule") else "right")
    for r in rep["funnel"]:
        why = ", ".join(f"{k} {v}" for k, v in list(r["dropped"].items())[:4])
        table.add_row(
            r["step"],
            str(r["documents_in"]),
            str(r["documents_out"]),
            f"{r['bytes_in'] / 1e6:.2f}",
            f"{r['bytes_out'] / 1e6:.2f}",
            why,
        )
    console.print(table)
    errs = rep["read_errors"]
    if errs["count"]:
        from mathforge.corpus.report import read_error_lines

        console.print(f"[yellow]{errs['count']} unreadable inputs skipped[/yellow]:", highlight=False)
        for line in read_error_lines(errs):  # FILE: record N: reason — the first 20, then a count
            console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
    for bench_name, v in rep["decontamination"].items():
        console.print(
            f"decontamination: {v['documents']} documents matched {v['benchmark_items']} {bench_name} items",
            highlight=False,
        )
    if rep.get("pack"):
        p = rep["pack"]
        console.print(
            f"packed {p['tokens']:,} tokens into {p['blocks']:,} blocks of {p['seq_len']}", highlight=False
        )
    console.print(
        f"kept {rep['kept']:,} of {rep['documents']:,} documents → {result.output / 'docs'}\n"
        f"report → {result.report_path} and {result.html_path}",
        highlight=False,
        soft_wrap=True,
    )


@corpus_app.command("train-classifier")
def train_classifier_command(
    out: Path = typer.Option(Path("math-classifier.bin"), "--out", help="Where to save the fastText model."),
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        help="Benchmark data (default $MATHFORGE_DATA_DIR): train splits give math positives.",
    ),
    web_dir: Path | None = typer.Option(
        None, "--web-dir", help="Folder with html/math, html/nonmath, latex/ samples."
    ),
    zh_dir: Path | None = typer.Option(
        None,
        "--zh-dir",
        help="Chinese word problems (Ape210K folder; default $MATHFORGE_ZH_DIR or DATA/../zh/ape210k).",
    ),
    rounds: int = typer.Option(3, "--rounds", min=1, help="Iterative-recall rounds (DeepSeekMath)."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Train the math classifier (English and Chinese) with iterative recall and print held-out
    precision/recall per round and per language."""
    from mathforge.bench import find_data_dir
    from mathforge.corpus.classifier_training import train_classifier

    root = find_data_dir(data_dir)
    if root is None:
        _fail("no benchmark data directory for positives; pass --data-dir or set MATHFORGE_DATA_DIR")
    report = train_classifier(out, Path(root), web_dir, rounds, seed, zh_dir=zh_dir if zh_dir else "auto")
    table = Table(title=f"math classifier → {out}")
    for col in ("round", "precision", "recall", "f1", "pool positives"):
        table.add_column(col, justify="right")
    for i, h in enumerate(report.get("history", []), 1):
        table.add_row(
            str(h.get("round", i)),
            f"{h.get('precision', 0):.3f}",
            f"{h.get('recall', 0):.3f}",
            f"{h.get('f1', 0):.3f}",
            str(h.get("pool_pos", 0)),
        )
    console = Console()
    console.print(table)
    held = report.get("heldout_real") or {}
    if held:
        console.print(
            f"held-out real pages and benchmarks: precision {held['precision']:.3f}, recall {held['recall']:.3f}, "
            f"false-positive rate {held['false_positive_rate']:.3f}; full report → {out}.report.json",
            highlight=False,
        )
    for lang, by_negatives in (report.get("heldout_by_lang") or {}).items():
        m = by_negatives["all"]
        console.print(
            f"held-out {lang}: precision {m['precision']:.3f}, recall {m['recall']:.3f} ({m['n']} texts)",
            highlight=False,
        )
    for note in (report.get("data") or {}).get("notes", []):
        console.print(f"[yellow]{note}[/yellow]", highlight=False)


@corpus_app.command("classify")
def classify_command(
    inputs: list[Path] = typer.Argument(..., help="JSONL files with a text field."),
    model: Path = typer.Option(..., "--model", help="A model from `mathforge corpus train-classifier`."),
    out: Path = typer.Option(Path("classified.jsonl"), "--out"),
    threshold: float = typer.Option(0.5, "--threshold", min=0.0, max=1.0),
) -> None:
    """Score records with the math classifier; keep those at or above the threshold (math_score added)."""
    from mathforge.corpus.classifier import classify_files

    if not model.is_file():
        _fail(f"{model}: no such model; train one with `mathforge corpus train-classifier`")
    for p in inputs:
        if not p.is_file():
            _fail(f"{p}: no such file")
    summary = classify_files(model, inputs, out, threshold)
    Console().print(summary, highlight=False)
