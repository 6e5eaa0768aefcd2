"""The run context every recipe stage receives: the checked recipe, the run folder, the summaries of the
stages finished so far, and where to report progress. Its own module so that stages and the report both
import it without importing each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathforge.recipe.config import Recipe


@dataclass
class Context:
    recipe: Recipe
    log: Callable[[str], None] = print
    # finished stages (this run or earlier)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the live status line of the running stage ("step 40/400 · loss 1.23"); a no-op without a console
    status: Callable[[str], None] = lambda text: None

    @property
    def run(self) -> Path:
        return self.recipe.output

    def dir(self, stage: str) -> Path:
        return self.run / stage

    def benchmark_dir(self) -> Path | None:
        """The benchmark data folder (``--data-dir``, ``[eval] data_dir`` or ``$MATHFORGE_DATA_DIR``)."""
        return self.recipe.data_dir

    def model_after(self, stage: str) -> str:
        """The model a stage produced (its ``final`` folder), or the base model."""
        if stage == "base":
            return self.summaries["base"]["model"]
        return str(self.dir(stage) / "final")
