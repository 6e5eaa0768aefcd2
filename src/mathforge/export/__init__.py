"""Export a trained model as a standard Hugging Face model folder with a model card built from the run.

``export_model(SOURCE, OUT)`` accepts:

- a **checkpoint**: a folder with ``config.json`` (a transformers model and its tokenizer, e.g.
  ``STAGE/final``); the ``manifest.json`` of the stage folder holding it, if any, is read too;
- a **stage folder**: a training stage's output, with ``manifest.json`` naming its model
  (``outputs.model``, else ``final/``); for a recipe's stage, the recipe run around it is searched;
- a **run folder**: with ``export.json`` (below) it says what to export; without it, the sub-folder whose
  training manifest comes first in the order grpo, sft, cpt, pretrain, general (then the newest;
  reward models never) is exported.

What is read (:mod:`.discover`), all from files, so no number in the card is typed by hand:

- **stage manifests**, the one format every stage writes (``mathforge.stage_io``): the stage folder's
  ``manifest.json``, then the manifest of the model it started from (``summary.start_model``, else
  ``config.model`` of a ``mathforge train`` manifest) while that is another stage's model — the recipe
  (stage, steps, loss, learning rate, data files from ``summary.data_files``) and the **base model**
  (a recipe's ``base/manifest.json`` says whether it was built from scratch or which model it is); a
  manifest that is missing where one is needed, unreadable or without ``stage`` is a one-line error;
- **data mix**: each training data file still present, records counted by their ``source`` field;
- **evaluation results**: every ``eval`` manifest under the source names its ``metrics.json``; those
  whose ``run.model`` is the exported model are used, the others reported as skipped (or exactly those
  given with ``--eval`` / listed in ``export.json``);
- **decontamination**: the summaries of ``decontam`` manifests (a recipe's stage or ``mathforge
  decontam``), ``corpus`` manifests (their ``decontamination`` table) and ``synth`` manifests (problems
  rejected as contaminated), and ``mathforge decontam`` ledgers (``*.ledger.jsonl``); a manifest counts
  for the ledgers beside it and the manifests below it, so nothing is counted twice;
- **licence**: ``--license``, else ``export.json``'s ``license``, else the base model's own card, else a
  known alias (smollm2: apache-2.0), else "unknown — set before sharing".

``export.json`` (optional, in a run folder; paths relative to it)::

    {"model": "grpo/final", "metrics": ["eval/grpo/synth/metrics.json"],
     "decontamination": ["decontam/manifest.json"], "base_model": "Qwen/Qwen2.5-1.5B",
     "license": "apache-2.0", "name": "my-math-model"}

The output folder holds safetensors weights, ``config.json``, ``generation_config.json``, the tokenizer
files with the chat template, and ``README.md`` — a ``huggingface_hub`` model card (:mod:`.card`) whose
front matter holds license, base_model, tags, datasets and the model-index — loadable with plain
``transformers``, no mathforge needed. :func:`push_to_hub` (:mod:`.push`) uploads it when allowed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from mathforge.export.card import card_numbers, eval_rows, model_card
from mathforge.export.discover import UNKNOWN_LICENSE, ExportError, ExportPlan, Stage, resolve
from mathforge.export.push import push_to_hub


@dataclass
class ExportResult:
    plan: ExportPlan
    out: Path
    files: list[str]
    warnings: list[str]


def _check_out(out: Path, overwrite: bool) -> None:
    """Only an earlier export is ever deleted: anything else in ``out`` is the user's."""
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise ExportError(f"{out} exists and is not empty; pass --overwrite to replace it")
        if not (out / "config.json").is_file() and not (out / "README.md").is_file():
            raise ExportError(f"{out} does not look like an earlier export; refusing to overwrite it")
        shutil.rmtree(out)


def export_model(
    source: str | Path,
    out: str | Path,
    *,
    eval_files: list[str | Path] | None = None,
    decontam_files: list[str | Path] | None = None,
    base_model: str | None = None,
    license: str | None = None,
    name: str | None = None,
    overwrite: bool = False,
) -> ExportResult:
    """Write a standard Hugging Face model folder with a model card to ``out``."""
    plan = resolve(
        source,
        eval_files=eval_files,
        decontam_files=decontam_files,
        base_model=base_model,
        license=license,
        name=name,
    )
    out = Path(out).expanduser()
    if out.resolve() == plan.model.resolve() or plan.model.resolve() in out.resolve().parents:
        raise ExportError("--out must not be the checkpoint folder or inside it")
    _check_out(out, overwrite)
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig
    except ImportError as exc:
        raise ExportError(
            f"export needs transformers ({exc.name} is missing): pip install 'mathforge[hf]'"
        ) from None
    warnings: list[str] = []
    try:
        tok = AutoTokenizer.from_pretrained(plan.model)
        model = AutoModelForCausalLM.from_pretrained(plan.model, dtype="auto")
    except (OSError, ValueError) as exc:
        raise ExportError(f"cannot load {plan.model}: {str(exc).splitlines()[0][:200]}") from None
    if getattr(model.config, "auto_map", None):
        warnings.append("the model uses custom code (auto_map): loading it needs trust_remote_code=True")
    gen = model.generation_config
    if gen is None or (gen.eos_token_id is None and tok.eos_token_id is not None):
        gen = GenerationConfig.from_model_config(model.config)
        if gen.eos_token_id is None:
            gen.eos_token_id = tok.eos_token_id
        if gen.pad_token_id is None:
            gen.pad_token_id = tok.pad_token_id
        model.generation_config = gen
    chat = bool(getattr(tok, "chat_template", None))
    card = model_card(plan, chat_template=chat)  # before writing anything: a card error leaves no half export
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    if not (out / "generation_config.json").is_file():
        model.generation_config.save_pretrained(out)
    if not chat:
        warnings.append("the tokenizer has no chat template")
    if not plan.license:
        warnings.append(f"licence {UNKNOWN_LICENSE} (pass --license)")
    (out / "README.md").write_text(card, encoding="utf-8")
    files = sorted(p.name for p in out.iterdir())
    if not any(f.endswith(".safetensors") for f in files):
        raise ExportError(f"{out}: no safetensors weights were written")
    return ExportResult(plan, out, files, warnings)


__all__ = [
    "UNKNOWN_LICENSE",
    "ExportError",
    "ExportPlan",
    "ExportResult",
    "Stage",
    "card_numbers",
    "eval_rows",
    "export_model",
    "model_card",
    "push_to_hub",
    "resolve",
]
