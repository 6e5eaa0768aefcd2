"""``mathforge config show [NAME]``: every key of a config — type, default, help — from its fields."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mathforge.config_docs import CONFIGS, NO_HELP

config_app = typer.Typer(
    help="The config files' and commands' keys: types, defaults and help.", no_args_is_help=True
)


@config_app.command("show")
def show_command(
    name: str | None = typer.Argument(
        None, metavar="[SECTION]", help=f"One of: {', '.join(CONFIGS)} (none: list them)."
    ),
) -> None:
    """Print a config's keys as a table (docs/configuration.md holds them all)."""
    from mathforge.config_docs import UnknownConfigError, config_rows

    console = Console()
    if name is None:
        table = Table(title="configs: mathforge config show NAME")
        table.add_column("name", no_wrap=True)
        table.add_column("where")
        for key, spec in CONFIGS.items():
            table.add_row(Text(key), Text(spec.where.replace("`", "")))
        console.print(table)
        return
    try:
        rows = config_rows(name)
    except UnknownConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    table = Table(title=Text(f"{name}: {CONFIGS[name].where.replace('`', '')}"))
    for col in ("key", "type", "default"):
        table.add_column(col, no_wrap=col == "key")
    table.add_column("help")
    for r in rows:
        table.add_row(*(Text(c) for c in (r.key, r.type, r.default, r.help or NO_HELP)))
    console.print(table, highlight=False)
