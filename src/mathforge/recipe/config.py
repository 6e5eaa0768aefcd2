"""A recipe file → :class:`Recipe`: the stages of the Qwen2-Math recipe and their settings.

Sections (all optional except ``[recipe]``): ``[base]`` the starting model, ``[general]`` pre-training
from scratch on general text (only for a scratch base), ``[corpus]`` the math corpus, ``[synth]``
generated problems, ``[decontam]``, and one table per training stage — ``[cpt]`` (continued
pre-training), ``[sft]``, ``[sft_nocpt]`` (the same SFT from the model before continued pre-training: what
the corpus bought), ``[rm]``, ``[grpo]`` — each holding :class:`~mathforge.train.StageConfig` fields, and
``[eval]``. Relative paths are resolved against the recipe file.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from mathforge.config import ConfigError, from_dict, load_toml, to_dict
from mathforge.recipe.sections import SECTIONS, TRAINING, RecipeSection, TrainSection

STAGE_ORDER = (
    "base",
    "general",
    "synth",
    "corpus",
    "decontam",
    "cpt",
    "sft",
    "sft_nocpt",
    "rm",
    "grpo",
    "eval",
    "report",
)


class RecipeError(ConfigError):
    """A recipe that cannot run as written: the message names the file, section, key and fix."""


@dataclass
class Recipe:
    name: str
    path: Path
    output: Path
    raw: dict[str, dict[str, Any]] = field(default_factory=dict)  # the sections as the file wrote them
    typed: dict[str, Any] = field(default_factory=dict)  # the same, checked: one dataclass per section
    smoke: bool = False
    data_dir: Path | None = None  # benchmark data: --data-dir, else [eval] data_dir, else $MATHFORGE_DATA_DIR

    @property
    def seed(self) -> int:
        return self.section("recipe").seed

    def section(self, name: str) -> Any:
        """The typed settings of section ``name`` (its defaults when the file has no such section)."""
        if name in self.typed:
            return self.typed[name]
        if name in TRAINING:
            return TrainSection()
        if name in SECTIONS:
            return SECTIONS[name]()
        return None  # a stage without settings of its own (report)

    def enabled(self, stage: str) -> bool:
        if stage in ("base", "eval", "report"):
            return True
        if stage == "decontam":  # on whenever there is training data, unless switched off
            return "synth" in self.raw and self.section("decontam").enabled
        if stage == "sft_nocpt" and not ("cpt" in self.raw and "sft" in self.raw):
            return False
        if stage not in self.raw:
            return False
        if stage == "general" and self.section("base").kind != "scratch":
            return False
        return bool(self.section(stage).enabled)

    def stages(self) -> list[str]:
        return [s for s in STAGE_ORDER if self.enabled(s)]

    def settings(self, stage: str) -> dict[str, Any]:
        """What a stage's result depends on besides its input files: its section, the recipe-wide
        settings and the base model (part of the stage key)."""
        return {
            "stage": stage,
            "section": to_dict(self.section(stage)) if stage in self.typed else None,
            "recipe": to_dict(self.section("recipe")),
            "base": to_dict(self.section("base")),
            "smoke": self.smoke,
        }


SMOKE = {  # the same recipe at toy size: every stage runs, in seconds
    "general": {"max_steps": 4},
    "cpt": {"max_steps": 4},
    "sft": {"max_steps": 4},
    "sft_nocpt": {"max_steps": 4},
    "rm": {"max_steps": 3},
    "grpo": {"max_steps": 2, "num_generations": 2, "per_device_batch_size": 2},
}


def _smoke(sections: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    s = copy.deepcopy(sections)
    for name, over in SMOKE.items():
        if name in s:
            s[name].update(over, logging_steps=1)
    if "synth" in s:
        s["synth"]["n"] = min(int(s["synth"].get("n", 100)), 60)
        s["synth"]["heldout"] = min(int(s["synth"].get("heldout", 50)), 12)
    if "corpus" in s:
        s["corpus"]["documents"] = min(int(s["corpus"].get("documents", 100)), 20)
    if "eval" in s:
        s["eval"]["limit"] = min(int(s["eval"].get("limit", 0)) or 4, 4)
        s["eval"]["heldout_limit"] = min(int(s["eval"].get("heldout_limit", 0)) or 12, 12)
        s["eval"]["max_tokens"] = min(int(s["eval"].get("max_tokens", 64)), 24)
    if "base" in s and s["base"].get("kind", "scratch") == "scratch":
        s["base"].update({"hidden_size": 32, "layers": 2, "vocab_size": 400})
    return s


def _typed(sections: dict[str, dict[str, Any]], path: Path, base_dir: Path) -> dict[str, Any]:
    """Each section as its dataclass; ``[sft_nocpt]`` repeats ``[sft]`` with its own keys on top."""
    tables = dict(sections)
    if "sft_nocpt" in tables:
        tables["sft_nocpt"] = {**tables.get("sft", {}), **tables["sft_nocpt"]}
    typed: dict[str, Any] = {}
    for name, table in tables.items():
        cls = TrainSection if name in TRAINING else SECTIONS[name]
        try:
            typed[name] = from_dict(cls, table, f"{path}: [{name}]", base_dir)
        except ConfigError as exc:
            raise RecipeError(str(exc)) from None
    return typed


def default_recipe_path() -> Path:
    """``recipes/tiny.toml`` as shipped inside the package (``mathforge recipe run`` with no argument)."""
    return Path(str(resources.files("mathforge.recipe") / "tiny.toml"))


def load_recipe(
    path: str | Path | None = None,
    *,
    smoke: bool = False,
    output: str | None = None,
    data_dir: str | Path | None = None,
) -> Recipe:
    """Read and check a recipe file: every section and key known (a typo names the closest key), every
    value of its type, paths relative to the recipe file."""
    from mathforge.bench import find_data_dir

    path = Path(path) if path else default_recipe_path()
    try:
        raw = load_toml(path)
    except ConfigError as exc:
        raise RecipeError(str(exc)) from None
    known = {*STAGE_ORDER, "recipe"} - {"report"}
    for name in raw:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean [{close[0]}]?" if close else f"known: {', '.join(sorted(known))}"
            raise RecipeError(f"{path}: unknown section [{name}] — {hint}")
        if not isinstance(raw[name], dict):
            raise RecipeError(f"{path}: {name} must be a [{name}] table, got {raw[name]!r}")
    base_dir = path.resolve().parent
    sections = {k: dict(v) for k, v in raw.items()}
    typed = _typed(sections, path, base_dir)  # checked as written, so a typo is named before anything
    if smoke:
        sections = _smoke(sections)
        typed = _typed(sections, path, base_dir)
    meta = typed.get("recipe") or RecipeSection()
    name = meta.name or path.stem
    out = Path(output or meta.output or f"runs/{name}")
    if not out.is_absolute() and not output:
        out = Path.cwd() / out
    if smoke and not output:
        out = out.with_name(out.name + "-smoke")
    eval_dir = typed["eval"].data_dir if "eval" in typed else ""
    data = find_data_dir(data_dir or eval_dir or None)
    if data_dir and data is None:
        raise RecipeError(f"--data-dir {data_dir}: not a directory")
    return Recipe(
        name=name, path=path, output=out.resolve(), raw=sections, typed=typed, smoke=smoke, data_dir=data
    )
