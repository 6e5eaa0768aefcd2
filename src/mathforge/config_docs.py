"""Every config's keys — type, default and help — read from the dataclass fields themselves, so
``mathforge config show NAME``, ``--help`` and ``docs/configuration.md`` all come from one place.

- :data:`CONFIGS`: the documented configs by name (recipe sections by their section name; the other
  configs by the command or file they belong to);
- :func:`config_rows`: one :class:`Row` per key, nested tables flattened to dotted keys;
- :func:`markdown`: the whole reference as Markdown — ``python -m mathforge.config_docs >
  docs/configuration.md`` regenerates the committed file (a test fails when it drifts).
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import json
import types
import typing
from dataclasses import dataclass
from typing import Any

NO_HELP = "(no help text)"


@dataclass(frozen=True)
class ConfigSpec:
    target: str  # "module:Class"
    where: str  # where the keys are written (Markdown)


CONFIGS: dict[str, ConfigSpec] = {
    "recipe": ConfigSpec("mathforge.recipe.sections:RecipeSection", "`[recipe]` of a recipe file"),
    "base": ConfigSpec("mathforge.recipe.sections:BaseSection", "`[base]` of a recipe file"),
    "synth": ConfigSpec("mathforge.recipe.sections:SynthSection", "`[synth]` of a recipe file"),
    "corpus": ConfigSpec("mathforge.recipe.sections:CorpusSection", "`[corpus]` of a recipe file"),
    "decontam": ConfigSpec("mathforge.recipe.sections:DecontamSection", "`[decontam]` of a recipe file"),
    "eval": ConfigSpec("mathforge.recipe.sections:EvalSection", "`[eval]` of a recipe file"),
    "train": ConfigSpec(
        "mathforge.recipe.sections:TrainSection",
        "`[general]`, `[cpt]`, `[sft]`, `[sft_nocpt]`, `[rm]`, `[grpo]` of a recipe file "
        "(the recipe wires stage, model, output_dir and data)",
    ),
    "train-stage": ConfigSpec(
        "mathforge.train.config:StageConfig",
        "`mathforge train STAGE CONFIG.toml`: top-level keys or a `[STAGE]` table",
    ),
    "corpus-file": ConfigSpec(
        "mathforge.corpus.config:CorpusConfig",
        "`mathforge corpus run corpus.toml`: `output` and one table per section",
    ),
    "eval-run": ConfigSpec(
        "mathforge.evaluate.runner:EvalConfig", "`mathforge eval` flags; `run_eval(EvalConfig(...))`"
    ),
    "synth-generate": ConfigSpec(
        "mathforge.synth.run:SynthConfig",
        "`mathforge synth generate` / `mathforge synth bench` flags; `run_synth(SynthConfig(...))`",
    ),
    "teach": ConfigSpec(
        "mathforge.synth.run:TeachConfig", "`mathforge synth teach` flags; `run_teach(TeachConfig(...))`"
    ),
    "synth-from-gsm8k": ConfigSpec(
        "mathforge.synth.from_gsm8k:FromGsm8kConfig",
        "`mathforge synth from-gsm8k` flags; `run_from_gsm8k(FromGsm8kConfig(...))`",
    ),
    "decontam-files": ConfigSpec(
        "mathforge.corpus.decontam_file:DecontamFilesConfig",
        "`mathforge decontam` arguments and flags; `run_decontam(DecontamFilesConfig(...))`",
    ),
}


@dataclass(frozen=True)
class Row:
    key: str  # dotted for nested tables: "dedup.num_perm"
    type: str
    default: str  # "required" when the field has none; "" for a nested table
    help: str  # "" when the field has none (see NO_HELP)
    owner: str  # the dataclass that declares the field


class UnknownConfigError(KeyError):
    """A name not in :data:`CONFIGS`; ``str()`` is the one-line message."""

    def __str__(self) -> str:
        return str(self.args[0])


def config_class(name: str) -> type:
    """The dataclass documented under ``name``."""
    if name not in CONFIGS:
        close = difflib.get_close_matches(name, list(CONFIGS), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UnknownConfigError(f"unknown config {name!r} — {hint}known: {', '.join(CONFIGS)}")
    module, _, attr = CONFIGS[name].target.partition(":")
    return getattr(importlib.import_module(module), attr)


def type_name(tp: Any) -> str:
    """A field type as written in the source: ``list[str]``, ``int | None``, ``FilterConfig``."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is type(None):
        return "None"
    if tp is Any:
        return "Any"
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in args)
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(type_name(a) for a in args)}]" if args else name
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "")


def show_value(value: Any) -> str:
    """A default as it would be written in TOML (``None``: leave the key out)."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {show_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def rows(cls: type, prefix: str = "", defaults: Any = None) -> list[Row]:
    """One row per field of dataclass ``cls``; a nested dataclass field gives a table row and then its
    own fields as ``name.key`` (defaults taken from the parent's default instance)."""
    hints = typing.get_type_hints(cls)
    out: list[Row] = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        tp = hints[f.name]
        value = getattr(defaults, f.name) if defaults is not None else _default(f)
        key = f"{prefix}{f.name}"
        text = str(f.metadata.get("help", ""))
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            out.append(Row(key, f"table ({tp.__name__})", "", text, cls.__name__))
            nested = value if value is not dataclasses.MISSING else None
            out.extend(rows(tp, f"{key}.", nested))
            continue
        shown = "required" if value is dataclasses.MISSING else show_value(value)
        out.append(Row(key, type_name(tp), shown, text, cls.__name__))
    return out


def config_rows(name: str) -> list[Row]:
    """The rows of the config named ``name`` (see :data:`CONFIGS`)."""
    return rows(config_class(name))


def _cell(text: str, code: bool = False) -> str:
    """``text`` safe in a Markdown table cell (inside a code span when ``code``)."""
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if code else text.replace("<", "&lt;").replace(">", "&gt;")


def markdown_table(table: list[Row]) -> str:
    lines = ["| key | type | default | help |", "| --- | --- | --- | --- |"]
    for r in table:
        default = f"`{_cell(r.default, code=True)}`" if r.default else ""
        key, tp = _cell(r.key, code=True), _cell(r.type, code=True)
        lines.append(f"| `{key}` | `{tp}` | {default} | {_cell(r.help or NO_HELP)} |")
    return "\n".join(lines)


def markdown() -> str:
    """The configuration reference: one section per config, with its table."""
    parts = [
        "# Configuration reference",
        "",
        "Generated from the config dataclasses' fields by "
        "`python -m mathforge.config_docs > docs/configuration.md` — do not edit by hand. "
        "`mathforge config show NAME` prints the same table in the terminal, and the commands' "
        "`--help` shows the same help text.",
        "",
        "Defaults are written as in TOML; `None` means: leave the key out. A nested table's keys are "
        "shown as `table.key` (in the file: a `[table]` section, or `[section.table]` inside a recipe "
        "section).",
        "",
        "| name | where |",
        "| --- | --- |",
        *(f"| [`{name}`](#{name}) | {spec.where} |" for name, spec in CONFIGS.items()),
    ]
    for name, spec in CONFIGS.items():
        cls = config_class(name)
        parts += [
            "",
            f"## {name}",
            "",
            f"{spec.where}. Class: `{spec.target.replace(':', '.')}`.",
            "",
            markdown_table(rows(cls)),
        ]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.buffer.write(markdown().encode("utf-8"))  # UTF-8 whatever the locale
