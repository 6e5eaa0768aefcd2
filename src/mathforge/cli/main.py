"""The ``mathforge`` command: one subcommand per capability, each a thin layer over the library."""

from __future__ import annotations

import typer

from mathforge import __version__
from mathforge.cli.app_cmd import app_command
from mathforge.cli.bench_cmd import bench_app
from mathforge.cli.config_cmd import config_app
from mathforge.cli.corpus_cmd import corpus_app
from mathforge.cli.decontam_cmd import decontam_command
from mathforge.cli.eval_cmd import eval_app
from mathforge.cli.export_cmd import export_command
from mathforge.cli.grade_cmd import grade_command
from mathforge.cli.recipe_cmd import recipe_app
from mathforge.cli.solve_cmd import solve_command
from mathforge.cli.synth_cmd import synth_app
from mathforge.cli.train_cmd import train_command

app = typer.Typer(
    name="mathforge",
    help="Turn a general language model into a math-specialised one, and prove it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mathforge {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """mathforge: math corpus → training → trustworthy grading and evaluation."""


app.command("grade")(grade_command)
app.add_typer(eval_app, name="eval")
app.add_typer(bench_app, name="bench")
app.command("solve")(solve_command)
app.add_typer(synth_app, name="synth")
app.command("train")(train_command)
app.command("decontam")(decontam_command)
app.add_typer(corpus_app, name="corpus")
app.command("app")(app_command)
app.command("export")(export_command)
app.add_typer(recipe_app, name="recipe")
app.add_typer(config_app, name="config")

if __name__ == "__main__":
    app()
