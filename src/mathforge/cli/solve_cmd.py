"""``mathforge solve "question"``: reasoning, executed code and the final (majority) answer."""

from __future__ import annotations

import re
import sys

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table

from mathforge.infer import BACKENDS, BackendError, BackendSpec
from mathforge.safe_text import displayable


def solve_command(
    question: str | None = typer.Argument(None, help="The problem; read from stdin when omitted."),
    model: str = typer.Option(
        ..., "--model", "-m", help="Model directory, .gguf file, smollm2, or served model name."
    ),
    backend: str = typer.Option("hf", "--backend", "-b", help=f"One of: {', '.join(BACKENDS)}."),
    tir: bool = typer.Option(
        False, "--tir", help="Tool-integrated reasoning: run the model's Python in the sandbox."
    ),
    pot: bool = typer.Option(False, "--pot", help="Program of thought: one program that prints the answer."),
    samples: int = typer.Option(1, "--samples", "-k", min=1, help="Sample K answers and vote."),
    temperature: float | None = typer.Option(
        None, "--temperature", "-t", help="Default: 0 for one sample, 0.7 for several."
    ),
    max_tokens: int = typer.Option(1024, "--max-tokens"),
    rounds: int = typer.Option(4, "--tool-rounds", min=1),
    chat: bool | None = typer.Option(None, "--chat/--no-chat"),
    api_base: str | None = typer.Option(None, "--api-base", help="openai: server URL."),
    allow_network: bool = typer.Option(False, "--allow-network"),
    seed: int = typer.Option(0, "--seed"),
    select: str = typer.Option(
        "maj",
        "--select",
        help="How to choose among the samples: maj, sctir (tool samples whose last cell failed do not "
        "vote), genselect (the model judges), verify (sympy substitution in the sandbox), rm, rm_vote.",
    ),
    reward_model: str | None = typer.Option(None, "--reward-model", help="For --select rm / rm_vote."),
) -> None:
    """Solve one problem and show how: the reasoning, each executed cell and its output, the answer."""
    from mathforge.infer import get_backend
    from mathforge.solve import solve

    if question is None:
        if sys.stdin.isatty():
            typer.echo("error: give the question as an argument or on stdin", err=True)
            raise typer.Exit(2)
        question = sys.stdin.read()
    if not question.strip():
        typer.echo("error: the question is empty", err=True)
        raise typer.Exit(2)
    console = Console()
    err = Console(stderr=True)
    spec = BackendSpec(
        backend=backend, model=model, chat=chat, api_base=api_base, allow_network=allow_network
    )
    style = "pot" if pot else "tir" if tir else "cot"
    if select not in ("maj", "sctir", "genselect", "verify", "rm", "rm_vote"):
        typer.echo(
            f"error: unknown --select {select!r}: maj, sctir, genselect, verify, rm or rm_vote", err=True
        )
        raise typer.Exit(2)
    if select in ("rm", "rm_vote") and not reward_model:
        typer.echo(f"error: --select {select} needs --reward-model", err=True)
        raise typer.Exit(2)
    sandbox = None
    try:
        engine = get_backend(spec)
        if style != "cot" or select == "verify":
            from mathforge.sandbox import Sandbox, describe_isolation
            from mathforge.tir import ToolBackend

            sandbox = Sandbox()
            err.print(f"[dim]{describe_isolation(sandbox.isolation)}[/dim]", highlight=False)
            if style != "cot":
                engine = ToolBackend(engine, sandbox, max_rounds=rounds)
        scorer = None
        if reward_model:
            from mathforge.train.rm import RewardModel

            scorer = RewardModel(reward_model)
        with err.status(f"solving with {samples} sample(s)…"):
            result = solve(
                question,
                engine,
                samples=samples,
                style=style,
                temperature=temperature,
                max_tokens=max_tokens,
                seed=seed,
                select=select,
                reward_model=scorer,
                sandbox=sandbox,
            )
    except (BackendError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        if sandbox is not None:
            sandbox.close()
    for i, s in enumerate(result.samples, 1):
        # what the model and its programs wrote reaches the terminal without control sequences
        body = re.sub(r"```output\n", "```text\n", displayable(s.text))  # outputs as plain text blocks
        title = f"sample {i}/{len(result.samples)}" + (f" · {len(s.cells)} cell(s) run" if s.cells else "")
        answer = displayable(s.answer or "—")
        console.print(Panel(Markdown(body), title=title, subtitle=f"answer: {answer}"))
    if len(result.samples) > 1:
        table = Table(title="votes")
        table.add_column("answer")
        table.add_column("votes", justify="right")
        table.add_column("share", justify="right")
        for ans, count in result.votes:
            table.add_row(displayable(ans), str(count), f"{100 * count / len(result.samples):.0f}%")
        console.print(table)
    share = f" ({100 * result.share:.0f}% of samples)" if len(result.samples) > 1 else ""
    final = displayable(result.answer or "none found")
    console.print(f"[bold]final answer:[/bold] {final}{share}", highlight=False)
    if len(result.samples) > 1:
        console.print(f"chosen by {result.chosen_by}: {displayable(result.why)}", highlight=False)
