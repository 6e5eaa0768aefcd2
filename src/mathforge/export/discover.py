"""Find what an export reads in a source folder: the model, the training stages behind it, the evaluation
results for it and the decontamination summaries of its data.

Stages are known only by their ``manifest.json`` (the one format :mod:`mathforge.stage_io` writes); a
manifest that is there but unreadable, or has no ``stage``, stops the export with one line rather than
being skipped, so a card never silently loses a stage. The other files read are the ``metrics.json`` an
eval manifest names, ``mathforge decontam`` ledgers, the base model's own ``README.md`` (its licence)
and the user's optional ``export.json``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathforge.stage_io import MANIFEST, iter_jsonl, read_json

EXPORT_ORDER = ("grpo", "sft", "cpt", "pretrain", "general")  # which stage of a run is exported first
SKIP_DIRS = {"final", ".git", "__pycache__", "runs", "cache"}
KNOWN_BASES = {  # aliases mathforge resolves offline: (hub id, licence)
    "smollm2": ("HuggingFaceTB/SmolLM2-135M-Instruct", "apache-2.0"),
    "smollm2-135m-instruct": ("HuggingFaceTB/SmolLM2-135M-Instruct", "apache-2.0"),
}
UNKNOWN_LICENSE = "unknown — set before sharing"


class ExportError(RuntimeError):
    """A one-line reason the export (or the push) cannot go on."""


# ------------------------------------------------------------------------------------------ manifests


def load_manifest(path: Path) -> dict[str, Any]:
    """A stage manifest, or ExportError naming the file and what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExportError(f"{path}: no such manifest") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: cannot read the manifest ({type(exc).__name__})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(
            f"{path}: not a stage manifest (bad JSON: {exc.msg} at line {exc.lineno})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("stage"), str) or not data["stage"]:
        raise ExportError(f'{path}: not a stage manifest (no "stage" entry)')
    for key in ("config", "summary", "outputs"):
        if key in data and data[key] is not None and not isinstance(data[key], dict):
            raise ExportError(f'{path}: not a stage manifest ("{key}" is not an object)')
    return data


def is_manifest_file(path: Path) -> bool:
    """``manifest.json``, or ``NAME.manifest.json`` (``mathforge decontam`` beside its inputs)."""
    return path.name == MANIFEST or path.name.endswith("." + MANIFEST)


def is_training(manifest: dict[str, Any]) -> bool:
    """A stage that made a model: ``mathforge train`` records ``outputs.model`` and
    ``summary.final_model``; a recipe's rewrite of the same manifest keeps the summary."""
    summary = manifest.get("summary") or {}
    return bool(summary.get("final_model") or (manifest.get("outputs") or {}).get("model"))


@dataclass
class Stage:
    """One training stage: its folder and manifest, read through properties that cover both writers —
    ``mathforge train`` (``config`` is the StageConfig) and a recipe (``config`` is the recipe's settings
    for the stage, ``config.section`` its hyperparameters, ``key`` set)."""

    dir: Path
    manifest: dict[str, Any]

    @property
    def stage(self) -> str:
        return str(self.manifest["stage"])

    @property
    def label(self) -> str:
        """The stage, with its folder's name when they differ (``my-sft (sft)``)."""
        name = self.dir.name
        return self.stage if name == self.stage else f"{name} ({self.stage})"

    @property
    def summary(self) -> dict[str, Any]:
        return self.manifest.get("summary") or {}

    @property
    def config(self) -> dict[str, Any]:
        return self.manifest.get("config") or {}

    @property
    def from_recipe(self) -> bool:
        return isinstance(self.config.get("section"), dict) and "recipe" in self.config

    @property
    def settings(self) -> dict[str, Any]:
        """The hyperparameters (learning rate, sequence length, LoRA rank …)."""
        return self.config["section"] if self.from_recipe else self.config

    @property
    def model_dir(self) -> Path:
        return self.dir / str((self.manifest.get("outputs") or {}).get("model") or "final")

    @property
    def start_model(self) -> str | None:
        start = self.summary.get("start_model") or (None if self.from_recipe else self.config.get("model"))
        return str(start) if start else None

    @property
    def data_files(self) -> list[str]:
        files = self.summary.get("data_files")
        if files is None and not self.from_recipe:
            files = self.config.get("data")
        return [str(f) for f in files or []]


def locate(recorded: str, run: Path | None = None) -> Path | None:
    """A path a manifest recorded, found again: as written, else (the run folder was moved or copied)
    as ``STAGE/NAME`` inside ``run``."""
    path = Path(recorded).expanduser()
    if path.exists():
        return path
    if run is not None and path.is_absolute() and len(path.parts) >= 3:
        moved = run / path.parent.name / path.name
        if moved.exists():
            return moved
    return None


def same_path(a: str | Path, b: Path, run: Path | None = None) -> bool:
    found = locate(str(a), run)
    try:
        return found is not None and found.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return False


def stage_chain(model: Path) -> list[Stage]:
    """The training stages behind ``model``, first stage first: from the stage folder holding it, each
    manifest's starting model is followed while that is another stage's model."""
    chain: list[Stage] = []
    seen: set[Path] = set()
    current: Path | None = model
    while current is not None:
        stage_dir = current.parent
        path = stage_dir / MANIFEST
        if not path.is_file() or stage_dir.resolve() in seen:
            break
        manifest = load_manifest(path)
        st = Stage(stage_dir, manifest)
        if not is_training(manifest) or st.model_dir.resolve() != current.resolve():
            break
        seen.add(stage_dir.resolve())
        chain.append(st)
        start = st.start_model
        current = locate(start, stage_dir.parent) if start else None
    return list(reversed(chain))


# ------------------------------------------------------------------------------------------ base model


def _card_license(readme: Path) -> str | None:
    """The licence in a model's own card front matter."""
    if not readme.is_file():
        return None
    from huggingface_hub import ModelCard

    try:
        data = ModelCard.load(readme, ignore_metadata_errors=True).data
    except Exception:  # a card we cannot parse says nothing about the licence
        return None
    lic = data.license
    if lic == "other" and data.license_name:
        lic = data.license_name
    return str(lic) if lic else None


def base_identity(start: str | None, first: Stage | None) -> tuple[str | None, str, str | None]:
    """(hub id, label, licence) of the model the first training stage started from. A recipe's own base
    model is described by its ``base`` stage manifest (built from scratch, or which pretrained model)."""
    if not start:
        return None, "unknown (the first stage's manifest does not record its starting model)", None
    run = first.dir.parent if first else None
    path = locate(start, run)
    recipe_base = run / "base" if run and first and first.from_recipe else None
    for folder in [path.parent if path else None, recipe_base]:
        if folder is None or not (folder / MANIFEST).is_file():
            continue
        man = read_json(folder / MANIFEST)  # outside the chain: a foreign file here is not an error
        if not isinstance(man, dict) or man.get("stage") != "base":
            continue
        summary = man.get("summary") if isinstance(man.get("summary"), dict) else {}
        if not summary.get("model"):
            continue
        if not (summary["model"] == start or (path is not None and same_path(summary["model"], path, run))):
            continue
        if summary.get("kind") == "scratch":
            params = summary.get("params")
            size = f" with {params:,} parameters" if isinstance(params, int) else ""
            arch = f"{summary['architecture']} " if summary.get("architecture") else ""
            return None, f"none — trained from scratch (a randomly initialised {arch}model{size})", None
        start = str(summary["model"])
        path = locate(start, run)
        break
    alias = KNOWN_BASES.get(start.lower()) or (KNOWN_BASES.get(path.name.lower()) if path else None)
    if alias:
        return alias[0], alias[0], alias[1]
    if path is None:  # a hub id (or a folder no longer there)
        if re.fullmatch(r"[\w.-]+/[\w.-]+", start):
            return start, start, None
        return None, f"`{Path(start).name}` (not found at export)", None
    m = re.search(r"models--([^/\\]+)--([^/\\]+)[/\\]snapshots", str(path.resolve()))
    hub = f"{m.group(1)}/{m.group(2)}" if m else None  # a Hugging Face cache snapshot
    return hub, hub or f"local model `{path.name}`", _card_license(path / "README.md")


# ------------------------------------------------------------------------------------------ evaluation


def is_metrics(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("benchmarks"), dict)
        and isinstance(data.get("run"), dict)
    )


def metrics_of(manifest_path: Path, manifest: dict[str, Any]) -> Path | None:
    """The ``metrics.json`` an eval manifest names (None for any other stage)."""
    name = (manifest.get("outputs") or {}).get("metrics")
    return manifest_path.parent / str(name) if manifest["stage"] == "eval" and name else None


def read_metrics(path: Path) -> dict[str, Any]:
    """``--eval`` / ``export.json``: a metrics.json, or an eval folder (its manifest names the file)."""
    if path.is_dir():
        if (path / MANIFEST).is_file():
            named = metrics_of(path / MANIFEST, load_manifest(path / MANIFEST))
            path = named or path / "metrics.json"
        else:
            path = path / "metrics.json"
    data = read_json(path)
    if not is_metrics(data):
        raise ExportError(f"{path}: not a metrics.json written by mathforge eval")
    return data


# ------------------------------------------------------------------------------------------ decontamination


@dataclass
class DecontamRow:
    benchmark: str
    items_flagged: int | None  # benchmark items found in the training data
    removed: int | None  # training records / documents removed
    unit: str = "records"


@dataclass
class DecontamSource:
    """One decontamination summary: the file, the stage that wrote it, its per-benchmark rows and what
    it says about coverage."""

    path: Path
    stage: str
    rows: list[DecontamRow] = field(default_factory=list)
    checked: int | None = None  # training records / documents looked at
    unit: str = "records"
    benchmarks: list[str] = field(default_factory=list)  # checked against (when the summary says)
    not_checked: list[str] = field(default_factory=list)


def _ledger(path: Path) -> DecontamSource:
    items: dict[str, set] = {}
    lines: dict[str, set] = {}
    for _, x in iter_jsonl(path, errors="skip"):
        b = str(x.get("benchmark"))  # type: ignore[union-attr]
        items.setdefault(b, set()).add(x.get("item"))  # type: ignore[union-attr]
        lines.setdefault(b, set()).add(x.get("line"))  # type: ignore[union-attr]
    rows = [DecontamRow(b, len(items[b]), len(lines[b])) for b in sorted(items)]
    return DecontamSource(path, "decontam ledger", rows)


def _per_file(files: dict[str, Any]) -> tuple[Counter[str], int]:
    removed: Counter[str] = Counter()
    records = 0
    for f in files.values():
        if isinstance(f, dict):
            records += int(f.get("records") or 0)
            for b, n in (f.get("per_benchmark") or {}).items():
                removed[b] += int(n)
    return removed, records


def decontam_source(path: Path, manifest: dict[str, Any]) -> DecontamSource | None:
    """What a stage manifest says about decontamination, or None when it says nothing.

    - ``decontam`` (recipe): ``summary.files`` per training file + ``flagged_items`` per benchmark;
    - ``decontam`` (``mathforge decontam``): ``summary`` per input file; items flagged from its ledgers;
    - ``corpus``: ``summary.decontamination`` — documents removed and benchmark items per benchmark;
    - ``synth``: generated problems rejected because they matched a benchmark item."""
    stage, summary = manifest["stage"], manifest.get("summary") or {}
    if stage == "decontam":
        recipe_shape = isinstance(summary.get("files"), dict)
        files = summary["files"] if recipe_shape else summary
        removed, records = _per_file(files)
        flagged: dict[str, int | None] = {}
        if recipe_shape:
            flagged = {b: len(v or []) for b, v in (summary.get("flagged_items") or {}).items()}
        else:  # the ledgers beside the cleaned files name the items
            for clean in (manifest.get("outputs") or {}).values():
                clean_path = Path(str(clean))
                ledger = clean_path.with_name(clean_path.name.removesuffix(".jsonl") + ".ledger.jsonl")
                found = ledger if ledger.is_file() else path.parent / ledger.name
                if found.is_file():
                    for row in _ledger(found).rows:
                        flagged[row.benchmark] = (flagged.get(row.benchmark) or 0) + (row.items_flagged or 0)
        named = (
            summary.get("benchmarks") if recipe_shape else (manifest.get("config") or {}).get("benchmarks")
        )
        benchmarks = [str(b) for b in named or []]
        rows = [
            DecontamRow(b, flagged.get(b, 0 if recipe_shape else None), removed.get(b, 0))
            for b in dict.fromkeys([*benchmarks, *sorted(set(flagged) | set(removed))])
        ]
        not_checked = [str(b) for b in summary.get("not_checked") or []]
        return DecontamSource(path, stage, rows, records, "records", benchmarks, not_checked)
    if isinstance(summary.get("decontamination"), dict):
        rows = [
            DecontamRow(b, v.get("benchmark_items"), v.get("documents"), unit="documents")
            for b, v in sorted(summary["decontamination"].items())
            if isinstance(v, dict)
        ]
        return DecontamSource(path, stage, rows, summary.get("documents"), "documents")
    counts = summary.get("counts")
    if stage == "synth" and isinstance(counts, dict) and counts.get("contaminated"):
        per: Counter[str] = Counter()
        for entry in summary.get("contaminated") or []:
            ref = entry[1] if isinstance(entry, list | tuple) and len(entry) > 1 else str(entry)
            per[str(ref).split("/", 1)[0]] += 1
        rows = [DecontamRow(b, n, n, unit="generated problems") for b, n in sorted(per.items())]
        return DecontamSource(path, stage, rows, None, "generated problems")
    return None


def read_decontam(path: Path) -> DecontamSource:
    """``--decontam`` / ``export.json``: a stage manifest (or its folder) or a ``mathforge decontam`` ledger."""
    if path.is_dir():
        path = path / MANIFEST
    if not path.is_file():
        raise ExportError(f"{path}: no such decontamination summary")
    if path.name.endswith(".ledger.jsonl"):
        return _ledger(path)
    source = decontam_source(path, load_manifest(path))
    if source is None:
        raise ExportError(
            f"{path}: this manifest holds no decontamination summary (decontam, corpus or synth stage)"
        )
    return source


# ------------------------------------------------------------------------------------------ scanning


def _is_checkpoint(path: Path) -> bool:
    return (path / "config.json").is_file()


def walk(root: Path, max_depth: int = 4):
    """Files under ``root`` in name order, a folder's files before its sub-folders' (depth-limited;
    model folders and checkpoints are not entered)."""
    stack = [(root, 0)]
    while stack:
        d, depth = stack.pop()
        try:
            entries = sorted(d.iterdir())
        except OSError:
            continue
        subdirs = []
        for p in entries:
            if p.is_dir():
                enter = depth < max_depth and p.name not in SKIP_DIRS and not p.name.startswith("checkpoint-")
                if enter and not _is_checkpoint(p):
                    subdirs.append((p, depth + 1))
            elif p.is_file():
                yield p
        stack.extend(reversed(subdirs))


def outermost(sources: list[DecontamSource]) -> list[DecontamSource]:
    """Found summaries, without those another already counts: a manifest's folder covers the ledgers in
    it and everything below it (a recipe stage over the library run it wrapped, a decontam manifest over
    its own ledgers)."""
    covering = [s.path.parent for s in sources if is_manifest_file(s.path)]

    def covered(s: DecontamSource) -> bool:
        d = s.path.parent
        if not is_manifest_file(s.path):
            return any(c == d or c in d.parents for c in covering)
        return any(c in d.parents for c in covering)

    return [s for s in sources if not covered(s)]


def is_causal_lm(path: Path) -> bool:
    cfg = read_json(path / "config.json") or {}
    archs = cfg.get("architectures") or []
    return not archs or any(
        a.endswith(("ForCausalLM", "LMHeadModel", "ForConditionalGeneration")) for a in archs
    )


def training_stages_in(run: Path) -> list[Stage]:
    """The run's sub-folders whose manifest is a training stage that made a causal LM (not a reward
    model)."""
    found = []
    for d in sorted(p for p in run.iterdir() if p.is_dir()):
        if not (d / MANIFEST).is_file():
            continue
        st = Stage(d, load_manifest(d / MANIFEST))
        model = st.model_dir
        if is_training(st.manifest) and st.stage != "rm" and _is_checkpoint(model) and is_causal_lm(model):
            found.append(st)
    return found


def pick_stage(stages: list[Stage]) -> Stage:
    """The stage to export from a run: the first of grpo, sft, cpt, pretrain, general by folder name,
    then by manifest stage; else the newest."""

    def rank(st: Stage) -> tuple[int, float]:
        for i, name in enumerate(EXPORT_ORDER):
            if st.dir.name == name:
                return (i, 0.0)
        for i, name in enumerate(EXPORT_ORDER):
            if st.stage == name:
                return (len(EXPORT_ORDER) + i, 0.0)
        return (2 * len(EXPORT_ORDER), -st.model_dir.stat().st_mtime)

    return min(stages, key=rank)


# ------------------------------------------------------------------------------------------ the plan


@dataclass
class ExportPlan:
    """Everything the export reads, resolved from the source folder."""

    source: Path
    root: Path  # paths in the card are shown relative to this
    model: Path
    stages: list[Stage] = field(default_factory=list)  # first stage first
    metrics: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    skipped_metrics: list[tuple[Path, str]] = field(default_factory=list)
    decontam: list[DecontamSource] = field(default_factory=list)
    base_model: str | None = None  # hub id when known
    base_label: str = "unknown"
    license: str | None = None
    license_source: str = ""
    name: str = "model"

    def rel(self, path: Path | str) -> str:
        """A path as the card shows it: relative to the run, else its name (no machine paths)."""
        p = Path(path)
        try:
            return str(p.resolve().relative_to(self.root.resolve()))
        except (ValueError, OSError):
            return p.name


def _pointer(src: Path) -> dict[str, Any] | None:
    path = src / "export.json"
    if not path.is_file():
        return None
    data = read_json(path)
    if not isinstance(data, dict):
        raise ExportError(f"{path}: not a JSON object")
    if "model" not in data:
        raise ExportError(f'{path}: no "model" entry')
    return data


def _find_model(src: Path, pointer: dict[str, Any] | None) -> tuple[Path, Path, Path | None]:
    """(model, root for the card's paths, folder to search for eval and decontamination files)."""
    if pointer:
        return (src / str(pointer["model"])).resolve(), src, None
    if (src / MANIFEST).is_file():  # a stage folder
        st = Stage(src, load_manifest(src / MANIFEST))
        if not is_training(st.manifest):
            raise ExportError(
                f"{src / MANIFEST}: a {st.stage} stage, which makes no model; pass a training stage's folder"
            )
        run = src.parent if st.from_recipe else src  # a recipe stage: the run is its parent
        return st.model_dir, run, run
    if _is_checkpoint(src):
        stage_dir = src.parent
        if not (stage_dir / MANIFEST).is_file():
            return src, src, src
        st = Stage(stage_dir, load_manifest(stage_dir / MANIFEST))
        run = stage_dir.parent if is_training(st.manifest) and st.from_recipe else stage_dir
        return src, run, run
    if _is_checkpoint(src / "final"):
        raise ExportError(
            f"{src}: final/ has no {MANIFEST} beside it, so its recipe is unknown; "
            f"pass {src / 'final'} to export the checkpoint alone"
        )
    stages = training_stages_in(src)
    if not stages:
        raise ExportError(
            f"{src}: not a checkpoint (no config.json), a stage folder (no {MANIFEST}) or a run folder "
            f"(no stage folder with a training {MANIFEST}); pass the checkpoint folder or write export.json"
        )
    return pick_stage(stages).model_dir, src, src


def resolve(
    source: str | Path,
    *,
    eval_files: list[str | Path] | None = None,
    decontam_files: list[str | Path] | None = None,
    base_model: str | None = None,
    license: str | None = None,
    name: str | None = None,
) -> ExportPlan:
    """Find the model, its stage chain, metrics and decontamination summaries for ``source``."""
    src = Path(source).expanduser()
    if not src.is_dir():
        raise ExportError(f"{source}: no such folder")
    pointer = _pointer(src)
    model, root, scan_root = _find_model(src, pointer)
    if not _is_checkpoint(model):
        raise ExportError(f"{model}: no config.json — not a transformers model folder")
    if not is_causal_lm(model):
        arch = ", ".join((read_json(model / "config.json") or {}).get("architectures") or [])
        raise ExportError(
            f"{model}: {arch} is not a causal language model (a reward model cannot be exported)"
        )
    pointer = pointer or {}
    plan = ExportPlan(source=src, root=root, model=model, stages=stage_chain(model))
    plan.name = name or str(pointer.get("name") or "") or _default_name(plan)

    explicit_eval = [Path(p).expanduser() for p in eval_files or []]
    explicit_eval += [src / str(p) for p in pointer.get("metrics") or []]
    for p in explicit_eval:
        plan.metrics.append((p / "metrics.json" if p.is_dir() else p, read_metrics(p)))
    explicit_dec = [Path(p).expanduser() for p in decontam_files or []]
    explicit_dec += [src / str(p) for p in pointer.get("decontamination") or []]
    plan.decontam = [read_decontam(p) for p in explicit_dec]

    if scan_root is not None:
        found: list[DecontamSource] = []
        for path in walk(scan_root):
            if path.name.endswith(".ledger.jsonl"):
                found.append(_ledger(path))
                continue
            if not is_manifest_file(path):
                continue
            manifest = load_manifest(path)
            metrics_path = metrics_of(path, manifest)
            if metrics_path is not None and not explicit_eval:
                _add_metrics(plan, metrics_path)
            dec = decontam_source(path, manifest)
            if dec is not None:
                found.append(dec)
        if not explicit_dec:
            plan.decontam = outermost(found)

    start = plan.stages[0].start_model if plan.stages else None
    hub, label, lic = base_identity(start, plan.stages[0] if plan.stages else None)
    if base_model or pointer.get("base_model"):
        hub = label = str(base_model or pointer["base_model"])
    elif not plan.stages:
        label = f"unknown (no training {MANIFEST} beside the checkpoint)"
    plan.base_model, plan.base_label = hub, label
    if license:
        plan.license, plan.license_source = license, "given at export"
    elif pointer.get("license"):
        plan.license, plan.license_source = str(pointer["license"]), "export.json"
    elif lic:
        plan.license, plan.license_source = lic, f"from the card of the base model, {label}"
    return plan


def _add_metrics(plan: ExportPlan, path: Path) -> None:
    data = read_json(path)
    if not is_metrics(data):
        raise ExportError(
            f"{path}: named by {path.parent / MANIFEST} but not a metrics.json of mathforge eval"
        )
    evaluated = str(data["run"].get("model", ""))
    if same_path(evaluated, plan.model, plan.root):
        plan.metrics.append((path, data))
    else:
        found = locate(evaluated, plan.root) if evaluated else None
        shown = plan.rel(found) if found else evaluated
        plan.skipped_metrics.append((path, f"evaluated another model ({shown})"))


def _default_name(plan: ExportPlan) -> str:
    if plan.stages:
        return f"{plan.root.resolve().name}-{plan.stages[-1].stage}"
    return plan.model.resolve().parent.name if plan.model.name == "final" else plan.model.resolve().name
