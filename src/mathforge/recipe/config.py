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
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

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
TRAINING = ("general", "cpt", "sft", "sft_nocpt", "rm", "grpo")


class RecipeError(ValueError):
    pass


@dataclass
class Recipe:
    name: str
    path: Path
    output: Path
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    smoke: bool = False

    def section(self, name: str) -> dict[str, Any]:
        if name == "sft_nocpt":  # the ablation repeats SFT exactly, from the model before CPT
            return {**(self.sections.get("sft") or {}), **(self.sections.get("sft_nocpt") or {})}
        return dict(self.sections.get(name) or {})

    def enabled(self, stage: str) -> bool:
        if stage in ("base", "eval", "report"):
            return True
        if stage == "decontam":  # on whenever there is training data, unless switched off
            return "synth" in self.sections and bool(self.section("decontam").get("enabled", True))
        if stage == "sft_nocpt" and not ("cpt" in self.sections and "sft" in self.sections):
            return False
        sec = self.sections.get(stage)
        if sec is None:
            return False
        if stage == "general" and self.section("base").get("kind", "scratch") != "scratch":
            return False
        return bool(sec.get("enabled", True))

    def stages(self) -> list[str]:
        return [s for s in STAGE_ORDER if self.enabled(s)]

    def key(self, stage: str, upstream: list[str]) -> str:
        """What a stage's result depends on: its section, the recipe-wide settings, its inputs' keys."""
        payload = {
            "stage": stage,
            "section": self.sections.get(stage),
            "recipe": self.sections.get("recipe"),
            "base": self.sections.get("base"),
            "upstream": upstream,
            "smoke": self.smoke,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


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


def default_recipe_path() -> Path:
    """``recipes/tiny.toml`` as shipped inside the package (``mathforge recipe run`` with no argument)."""
    return Path(str(resources.files("mathforge.recipe") / "tiny.toml"))


def load_recipe(path: str | Path | None = None, *, smoke: bool = False, output: str | None = None) -> Recipe:
    path = Path(path) if path else default_recipe_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecipeError(f"{path}: no such recipe file") from None
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"{path}: not valid TOML ({exc})") from None
    known = {*STAGE_ORDER, "recipe"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise RecipeError(
            f"{path}: unknown section(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    meta = raw.get("recipe") or {}
    name = str(meta.get("name") or path.stem)
    base_dir = path.resolve().parent
    out = Path(output or meta.get("output") or f"runs/{name}")
    if not out.is_absolute() and not output:
        out = Path.cwd() / out
    sections = {k: dict(v) for k, v in raw.items()}
    if smoke:
        sections = _smoke(sections)
        out = out.with_name(out.name + "-smoke") if not output else out
    for sec in sections.values():  # paths relative to the recipe file
        for k in ("model", "data_dir", "tokenizer"):
            v = sec.get(k)
            if isinstance(v, str) and v.startswith(("./", "../")):
                sec[k] = str((base_dir / v).resolve())
    recipe = Recipe(name=name, path=path, output=out.resolve(), sections=sections, smoke=smoke)
    from mathforge.train.config import StageConfig

    allowed = set(StageConfig.__dataclass_fields__) | {"enabled", "from"}
    for stage in TRAINING:
        extra = sorted(set(recipe.section(stage)) - allowed)
        if extra:
            raise RecipeError(f"{path} [{stage}]: unknown key(s) {', '.join(extra)}")
    return recipe
