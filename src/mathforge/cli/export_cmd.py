"""``mathforge export RUN_OR_CHECKPOINT --out DIR [--push REPO_ID --allow-network]``: a shareable Hugging
Face model folder with a model card built from the run's stage manifests, eval metrics and
decontamination summaries. Every failure is one ``error:`` line (exit 2 before the export, 1 at the push,
when the export is already written)."""

from __future__ import annotations

from pathlib import Path

import typer


def export_command(
    source: Path = typer.Argument(
        ...,
        help="A checkpoint (config.json), a training stage folder (manifest.json) or a run folder.",
    ),
    out: Path = typer.Option(..., "--out", "-o", help="The folder to write."),
    push: str | None = typer.Option(
        None, "--push", help="Upload to this Hugging Face Hub repository (needs --allow-network and a token)."
    ),
    allow_network: bool = typer.Option(
        False, "--allow-network", help="--push: allow the upload to the Hub (nothing else uses the network)."
    ),
    eval_files: list[Path] = typer.Option(
        [],
        "--eval",
        help="A metrics.json from mathforge eval (or its folder); repeatable. Default: the eval manifests found.",
    ),
    decontam_files: list[Path] = typer.Option(
        [],
        "--decontam",
        help="A decontam, corpus or synth manifest.json (or its folder), or a mathforge decontam ledger; "
        "repeatable. Default: those found.",
    ),
    base_model: str | None = typer.Option(None, "--base-model", help="Hub id of the base model."),
    license: str | None = typer.Option(None, "--license", help="Licence id, e.g. apache-2.0."),
    name: str | None = typer.Option(None, "--name", help="Model name in the card."),
    private: bool = typer.Option(False, "--private", help="--push: create a private repository."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier export in --out."),
) -> None:
    """Export a model with a model card (recipe, data mix, decontamination, evaluation, licence)."""
    from mathforge.export import UNKNOWN_LICENSE, ExportError, export_model, push_to_hub

    try:
        result = export_model(
            source,
            out,
            eval_files=list(eval_files),
            decontam_files=list(decontam_files),
            base_model=base_model,
            license=license,
            name=name,
            overwrite=overwrite,
        )
    except ExportError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    plan = result.plan
    typer.echo(f"exported {plan.model} → {result.out}")
    typer.echo(f"  files: {', '.join(result.files)}")
    typer.echo(
        f"  stages: {' → '.join(s.label for s in plan.stages) or 'none found'}; base model: {plan.base_label}"
    )
    typer.echo(
        f"  evaluation results: {len(plan.metrics)} file(s)" + "".join(f"\n    {p}" for p, _ in plan.metrics)
    )
    for path, why in plan.skipped_metrics:
        typer.echo(f"  skipped {path}: {why}")
    typer.echo(
        f"  decontamination summaries: {len(plan.decontam)} file(s)"
        + "".join(f"\n    {s.path}" for s in plan.decontam)
    )
    typer.echo(f"  licence: {plan.license or UNKNOWN_LICENSE}")
    for w in result.warnings:
        typer.echo(f"warning: {w}", err=True)
    if push:
        try:
            url = push_to_hub(
                result.out,
                push,
                private=private,
                license_known=bool(plan.license),
                allow_network=allow_network,
            )
        except ExportError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"pushed to {url}")
