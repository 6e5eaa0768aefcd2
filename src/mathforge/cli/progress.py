"""One progress display for every long command: a bar per named phase (created when first reported),
done/total, a free note (running accuracy, items/s, accepted) and the elapsed time, on stderr."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text


class _Rate(ProgressColumn):
    """Units per second, once rich has seen enough updates to tell."""

    def render(self, task: Any) -> Text:
        return Text(f"{task.speed:.2f}/s" if task.speed else "")


class Bars:
    """Report progress by phase name: ``update("gsm8k", 40, 200, "acc 31%")`` — the library's
    :class:`~mathforge.progress.ProgressFn` shape, so ``bars.update`` is passed straight to a stage."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, Any] = {}

    def _task(self, name: str, total: int | None) -> Any:
        if name not in self._tasks:
            self._tasks[name] = self._progress.add_task(name, total=total, note="")
        return self._tasks[name]

    def update(self, name: str, done: int, total: int | None = None, note: str | None = None) -> None:
        task = self._task(name, total)
        fields: dict[str, Any] = {"completed": done}
        if total is not None:
            fields["total"] = total
        if note is not None:
            fields["note"] = note
        self._progress.update(task, **fields)


@contextlib.contextmanager
def progress_bars(console: Console | None = None, *, transient: bool = True) -> Iterator[Bars]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=transient,
    ) as progress:
        yield Bars(progress)
