"""One dataclass per recipe section: the keys a recipe file may hold, their types, defaults and help.

A training section (``[general]``, ``[cpt]``, ``[sft]``, ``[sft_nocpt]``, ``[rm]``, ``[grpo]``) *is* a
:class:`~mathforge.train.StageConfig` without the fields the recipe wires (stage, model, output_dir, data),
plus ``enabled``. The other sections are the settings of the recipe's own stages below.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any

from mathforge.config import option
from mathforge.corpus.filters import FilterConfig


@dataclass
class RecipeSection:
    """``[recipe]``: the run as a whole."""

    name: str = option("", help="Run name (default: the file's name).")
    output: str = option("", help="Run folder (default: runs/NAME, relative to the working directory).")
    seed: int = option(0, help="Seed every stage derives its own from.")


@dataclass
class BaseSection:
    """``[base]``: the starting model."""

    kind: str = option("scratch", help="scratch (a tiny model built here) or pretrained.")
    model: str = option("", help="pretrained: a folder, .gguf file, 'smollm2' or a hub id.", path="model")
    general_text: str = option("python-docs", help="scratch: the offline general text (python-docs).")
    tokenizer_families: list[str] | None = option(
        None, help="scratch: synth families whose text the tokenizer also learns (None: all)."
    )
    vocab_size: int = option(1024, help="scratch: tokenizer vocabulary size.")
    hidden_size: int = option(128, help="scratch: model width.")
    layers: int = option(4, help="scratch: transformer layers.")
    heads: int = option(4, help="scratch: attention heads.")
    split_digits: bool = option(
        True, help="scratch: one token per digit (arithmetic a small model can learn)."
    )

    def __post_init__(self) -> None:
        if self.kind not in ("scratch", "pretrained"):
            raise ValueError(f"kind = {self.kind!r}: use 'scratch' or 'pretrained'")


@dataclass
class SynthSection:
    """``[synth]``: generated training problems and the held-out evaluation set."""

    enabled: bool = option(True, help="Run this stage.")
    families: list[str] | None = option(None, help="Generator families (None: all).")
    levels: list[int] = option([1, 2, 3], help="Difficulty levels.")
    langs: list[str] = option(["en", "zh"], help="Languages of the problems.")
    n: int = option(2000, help="Training problems to draw (repeats are dropped, so fewer may remain).")
    heldout: int = option(200, help="Held-out problems, drawn first; no training record contains one.")
    gsm8k_train: int = option(
        0,
        help="GSM8K train records (from the data folder) converted into verified solution chats and added "
        "to the SFT data, their questions to the GRPO queries (mathforge synth from-gsm8k); 0 = none, "
        "-1 = all 7,473.",
    )
    gsm8k_formats: list[str] = option(
        ["pot"], help="Chats per converted GSM8K record: pot (program, output, answer) and/or tir."
    )

    def __post_init__(self) -> None:
        if self.gsm8k_train < -1:
            raise ValueError(f"gsm8k_train = {self.gsm8k_train}: use 0 (none), N (first N) or -1 (all)")
        if not self.gsm8k_formats or any(f not in ("pot", "tir") for f in self.gsm8k_formats):
            raise ValueError(f"gsm8k_formats = {self.gsm8k_formats}: use one or both of pot, tir")


@dataclass
class CorpusSection:
    """``[corpus]``: the math corpus — generated lesson documents, or the user's own files (``inputs``)."""

    enabled: bool = option(True, help="Run this stage.")
    families: list[str] | None = option(None, help="Generated documents: families of the worked examples.")
    levels: list[int] = option([1, 2, 3], help="Generated documents: difficulty levels.")
    documents: int = option(200, help="Generated documents to write.")
    examples_per_document: int = option(12, help="Worked examples per generated document.")
    filters: FilterConfig = field(
        default_factory=lambda: FilterConfig(min_words=20),
        metadata={"help": "Quality filter settings (mathforge.corpus FilterConfig keys)."},
    )
    inputs: list[str] = option(
        [], help="The user's files, folders or globs (WARC, HTML, JSONL, LaTeX…).", path=True
    )
    executor: str = option("local", help="inputs: local (processes) or ray.")
    workers: int = option(2, help="inputs: worker processes (or Ray tasks).")
    ray_address: str = option("", help="inputs: '' starts a local Ray; 'auto' joins the running cluster.")
    classifier: str = option("", help="inputs: fastText math classifier model; '' skips the step.", path=True)
    threshold: float = option(0.5, help="inputs: classifier score a document needs.")


@dataclass
class DecontamSection:
    """``[decontam]``: removing evaluation items from the training files."""

    enabled: bool = option(True, help="Run this stage (on whenever there is generated training data).")
    benchmarks: list[str] = option(
        ["gsm8k", "math500"],
        help="Benchmarks training records are checked against, besides the held-out set and every [eval] benchmark.",
    )


@dataclass
class EvalSection:
    """``[eval]``: every stage's model on the held-out set and on benchmarks."""

    benchmarks: list[str] = option(["gsm8k"], help="Benchmarks evaluated when their data is present.")
    limit: int = option(0, help="First N items of each benchmark (0 = all).")
    heldout_limit: int = option(0, help="First N held-out items (0 = all).")
    max_tokens: int = option(64, help="Tokens generated per answer.")
    backend: str = option("hf", help="Generation backend: hf, vllm, openai, llamacpp.")
    batch_size: int = option(
        32, help="hf: sequences decoded together (continuously refilled; on a CPU 32-64 is fastest)."
    )
    prompt: str = option("auto", help="Prompt style (auto, cot, fewshot, tir, …).")
    stage_prompts: dict[str, str] = option(
        {},
        help='Prompt style per stage where it differs from prompt, e.g. {base = "cot"}: each model with '
        "the prompt it does best with (a base model before it has learnt to write programs).",
    )
    data_dir: str = option(
        "", help="Benchmark data folder ('' = --data-dir or $MATHFORGE_DATA_DIR).", path=True
    )

    def __post_init__(self) -> None:
        from mathforge.bench import UnknownBenchmarkError, get_spec
        from mathforge.prompts import PROMPT_STYLES

        stages = ("base", "general", "cpt", "sft", "sft_nocpt", "grpo")
        for stage, style in self.stage_prompts.items():
            if stage not in stages:
                raise ValueError(f"stage_prompts: unknown stage {stage!r}; use one of {', '.join(stages)}")
            if style not in PROMPT_STYLES:
                raise ValueError(f"stage_prompts.{stage} = {style!r}: use one of {', '.join(PROMPT_STYLES)}")
        for name in self.benchmarks:  # a misspelt benchmark stops the run before training, not after
            try:
                get_spec(name)
            except UnknownBenchmarkError as exc:
                raise ValueError(f"benchmarks: {exc}") from None


def _train_section() -> type:
    """A training section's dataclass, made from StageConfig's fields (help text included) minus the
    wired ones, plus ``enabled``: one definition of the keys, so a section cannot drift from the stage."""
    from mathforge.train.config import WIRED, StageConfig

    hints = typing.get_type_hints(StageConfig)
    # The recipe's own defaults: no logger, frequent logs for the report's curves, few checkpoints.
    recipe_defaults: dict[str, Any] = {
        "report_to": [],
        "logging_steps": 5,
        "save_steps": 25,
        "save_total_limit": 1,
    }
    specs: list[tuple[str, Any, Any]] = [("enabled", bool, option(True, help="Run this stage."))]
    for f in dataclasses.fields(StageConfig):
        if f.name in WIRED:
            continue
        kw: dict[str, Any] = {"default": f.default} if f.default is not dataclasses.MISSING else {}
        if f.default_factory is not dataclasses.MISSING:
            kw = {"default_factory": f.default_factory}
        if f.name in recipe_defaults:
            value = recipe_defaults[f.name]
            kw = (
                {"default_factory": lambda v=value: list(v)}
                if isinstance(value, list)
                else {"default": value}
            )
        specs.append((f.name, hints[f.name], dataclasses.field(metadata=f.metadata, **kw)))
    return dataclasses.make_dataclass("TrainSection", specs)


TrainSection = _train_section()


SECTIONS: dict[str, type] = {
    "recipe": RecipeSection,
    "base": BaseSection,
    "synth": SynthSection,
    "corpus": CorpusSection,
    "decontam": DecontamSection,
    "eval": EvalSection,
}
TRAINING = ("general", "cpt", "sft", "sft_nocpt", "rm", "grpo")
