"""The one progress callback every long library call accepts — corpus, synth, teach, grading files,
evaluation: ``progress(phase, done, total, note)``. The CLI passes its bars' ``update``; a library user
passes any function of that shape (or nothing)."""

from __future__ import annotations

from typing import Protocol


class ProgressFn(Protocol):
    def __call__(self, phase: str, done: int, total: int | None = None, note: str | None = None) -> None:
        """``done`` of ``total`` units of ``phase`` finished; ``note`` is a short running figure."""
