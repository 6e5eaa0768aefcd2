"""Export a trained model as a standard Hugging Face model folder with a model card built from the run.

``export_model(SOURCE, OUT)`` accepts:

- a **checkpoint**: a folder with ``config.json`` (a transformers model and its tokenizer, e.g.
  ``OUTPUT_DIR/final`` of ``mathforge train``); when its parent holds ``manifest.json`` (a training
  stage's output), that manifest is used too;
- a **training stage output**: a folder with ``final/`` and ``manifest.json``;
- a **run folder** (e.g. a recipe run: one folder per stage): with ``export.json`` (below) it says what to
  export; without it, the stage folder with a causal-LM ``final/`` that comes last in the order grpo, sft,
  cpt, pretrain, general (then any other; reward models are never chosen) is exported.

What is read, all from files (no number in the card is typed by hand):

- **training manifests** (``STAGE/manifest.json`` written by ``mathforge train``): followed back through
  ``config.model`` while that points at another stage's ``final/``, giving the recipe (stage, steps,
  loss, learning rate, data files) and the **base model** (the first stage's starting model);
- **data mix**: each training data file still present is read, records counted by their ``source`` field
  (``synth/arithmetic``, …) or by file;
- **evaluation results**: ``metrics.json`` files written by ``mathforge eval`` (``benchmarks`` + ``run``):
  those given with ``--eval``, listed in ``export.json``, or found under the source folder whose
  ``run.model`` is the exported checkpoint (results for other models are reported as skipped);
- **decontamination summaries**, in any of these forms: a ``mathforge decontam`` ledger
  (``*.ledger.jsonl``), a corpus ``report.json`` (its ``decontamination`` table), a recipe stage marker
  (``stage.json`` whose summary has ``decontamination`` or ``flagged_items``/``files``; ledgers and
  reports in its folder are then not counted again), a ``synth``
  ``manifest.json`` (generated items rejected as contaminated), or a plain ``decontamination.json``
  ``{"BENCH": {"items_flagged": N, "records_removed": M}}``;
- **licence**: ``--license``, else ``export.json``'s ``license``, else the base model's README front
  matter (``license:``), else a known alias (smollm2: apache-2.0), else "unknown — set before sharing".

``export.json`` (optional, in a run folder; paths relative to it)::

    {"model": "grpo/final", "metrics": ["eval/grpo/synth/metrics.json"],
     "decontamination": ["decontam/stage.json"], "base_model": "Qwen/Qwen2.5-1.5B",
     "license": "apache-2.0", "name": "my-math-model"}

The output folder holds safetensors weights, ``config.json``, ``generation_config.json``, the tokenizer
files with the chat template, and ``README.md`` (YAML front matter: license, base_model, tags, datasets,
model-index) — loadable with plain ``transformers``, no mathforge needed.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathforge import __version__

STAGE_ORDER = ("grpo", "sft", "cpt", "pretrain", "general")
SKIP_DIRS = {"final", ".git", "__pycache__", "runs", "cache"}
KNOWN_BASES = {  # aliases mathforge resolves offline: (hub id, licence)
    "smollm2": ("HuggingFaceTB/SmolLM2-135M-Instruct", "apache-2.0"),
    "smollm2-135m-instruct": ("HuggingFaceTB/SmolLM2-135M-Instruct", "apache-2.0"),
}
UNKNOWN_LICENSE = "unknown — set before sharing"
MAX_COUNT_LINES = 2_000_000  # data-mix counting stops here (the card says so)


class ExportError(RuntimeError):
    """A one-line reason the export (or the push) cannot go on."""


# ------------------------------------------------------------------------------------------ reading


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _is_checkpoint(path: Path) -> bool:
    return (path / "config.json").is_file()


def _is_causal_lm(path: Path) -> bool:
    cfg = _read_json(path / "config.json") or {}
    archs = cfg.get("architectures") or []
    return not archs or any(
        a.endswith(("ForCausalLM", "LMHeadModel", "ForConditionalGeneration")) for a in archs
    )


def _walk(root: Path, max_depth: int = 4):
    """Files under ``root`` (depth-limited; model folders and checkpoints are not entered)."""
    stack = [(root, 0)]
    while stack:
        d, depth = stack.pop()
        try:
            entries = sorted(d.iterdir())
        except OSError:
            continue
        for p in entries:
            if p.is_dir():
                enter = depth < max_depth and p.name not in SKIP_DIRS and not p.name.startswith("checkpoint-")
                if enter and not _is_checkpoint(p):
                    stack.append((p, depth + 1))
            elif p.is_file():
                yield p


def front_matter(text: str) -> dict[str, Any]:
    """The YAML front matter of a Markdown file ({} when there is none or it does not parse)."""
    m = re.match(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", text, re.DOTALL)
    if not m:
        return {}
    import yaml

    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class StageInfo:
    dir: Path
    manifest: dict[str, Any]

    @property
    def stage(self) -> str:
        return str(self.manifest.get("stage") or self.dir.name)

    @property
    def label(self) -> str:
        """The stage folder's name, with the training stage when they differ (``cpt (pretrain)``)."""
        name = self.dir.name
        return self.stage if name in (self.stage, "final", "") else f"{name} ({self.stage})"


@dataclass
class DecontamRow:
    source: str  # where the numbers come from (file name relative to the run)
    benchmark: str
    items_flagged: int | None  # benchmark items found in the training data
    records_removed: int | None  # training records / documents removed
    unit: str = "records"


@dataclass
class ExportPlan:
    """Everything the export reads, resolved from the source folder."""

    source: Path
    root: Path  # paths in the card are shown relative to this
    model: Path
    stages: list[StageInfo] = field(default_factory=list)  # first stage first
    metrics: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    skipped_metrics: list[tuple[Path, str]] = field(default_factory=list)
    decontam: list[DecontamRow] = field(default_factory=list)
    decontam_files: list[Path] = field(default_factory=list)
    base_model: str | None = None  # hub id when known
    base_label: str = "unknown"
    license: str | None = None
    license_source: str = ""
    name: str = "model"

    def rel(self, path: Path | str) -> str:
        p = Path(path)
        try:
            return str(p.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return p.name


def _same_path(a: str | Path, b: Path) -> bool:
    try:
        return Path(a).expanduser().resolve() == b.resolve()
    except (OSError, RuntimeError):
        return False


def _stage_dirs(root: Path) -> list[Path]:
    """Sub-folders of a run that hold a causal LM in ``final/`` (reward models excluded)."""
    found = []
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        final = d / "final"
        if not _is_checkpoint(final) or not _is_causal_lm(final):
            continue
        man = _read_json(d / "manifest.json") or {}
        if man.get("stage") == "rm":
            continue
        found.append(d)
    return found


def _pick_stage(dirs: list[Path]) -> Path:
    def rank(d: Path) -> tuple[int, float]:
        stage = str((_read_json(d / "manifest.json") or {}).get("stage") or "")
        for i, name in enumerate(STAGE_ORDER):
            if d.name == name:
                return (i, 0.0)
        for i, name in enumerate(STAGE_ORDER):
            if stage == name:
                return (len(STAGE_ORDER) + i, 0.0)
        return (2 * len(STAGE_ORDER), -(d / "final").stat().st_mtime)

    return min(dirs, key=rank)


def _stage_chain(model: Path) -> list[StageInfo]:
    """The training manifests behind ``model``, first stage first: each stage's ``config.model`` is
    followed while it is another stage's ``final`` folder."""
    chain: list[StageInfo] = []
    seen: set[Path] = set()
    current = model
    while True:
        stage_dir = current.parent if current.name == "final" else current
        man = _read_json(stage_dir / "manifest.json")
        if not isinstance(man, dict) or "stage" not in man or stage_dir.resolve() in seen:
            break
        seen.add(stage_dir.resolve())
        chain.append(StageInfo(stage_dir, man))
        start = (man.get("config") or {}).get("model")
        if not start:
            break
        current = Path(str(start)).expanduser()
        if not current.exists():
            break
    return list(reversed(chain))


def _base_identity(start: str | None) -> tuple[str | None, str, str | None]:
    """(hub id, label, licence) of the model the first stage started from."""
    if not start:
        return None, "unknown", None
    key = Path(start).name.lower() if Path(start).exists() else start.lower()
    if start.lower() in KNOWN_BASES or key in KNOWN_BASES:
        hub, lic = KNOWN_BASES.get(start.lower()) or KNOWN_BASES[key]
        return hub, hub, lic
    path = Path(start).expanduser()
    if not path.exists():  # a hub id
        return (start, start, None) if re.fullmatch(r"[\w.-]+/[\w.-]+", start) else (None, start, None)
    meta: dict[str, Any] = {}
    readme = path / "README.md"
    if readme.is_file():
        meta = front_matter(readme.read_text(encoding="utf-8", errors="replace"))
    hub = None
    m = re.search(r"models--([^/\\]+)--([^/\\]+)[/\\]snapshots", str(path.resolve()))
    if m:  # a Hugging Face cache snapshot: models--ORG--NAME/snapshots/REV
        hub = f"{m.group(1)}/{m.group(2)}"
    lic = meta.get("license")
    if lic == "other" and meta.get("license_name"):
        lic = str(meta["license_name"])
    label = hub or f"local model `{path.name}`"
    return hub, label, str(lic) if lic else None


# ----------------------------------------------------------------------------- decontamination input


def _decontam_rows(path: Path, rel: str) -> list[DecontamRow]:
    """Per-benchmark rows from one decontamination summary file (see the module docstring)."""
    if path.name.endswith(".ledger.jsonl"):
        items: dict[str, set] = {}
        lines: dict[str, set] = {}
        for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                x = json.loads(raw)
            except json.JSONDecodeError:
                continue
            b = str(x.get("benchmark"))
            items.setdefault(b, set()).add(x.get("item"))
            lines.setdefault(b, set()).add(x.get("line"))
        return [DecontamRow(rel, b, len(items[b]), len(lines[b])) for b in sorted(items)]
    data = _read_json(path)
    if not isinstance(data, dict):
        return []
    if isinstance(data.get("summary"), dict):  # a recipe stage marker
        data = data["summary"]
    rows: list[DecontamRow] = []
    if isinstance(data.get("flagged_items"), dict) or isinstance(data.get("files"), dict):
        removed: Counter[str] = Counter()
        for f in (data.get("files") or {}).values():
            for b, n in (f.get("per_benchmark") or {}).items():
                removed[b] += int(n)
        flagged = data.get("flagged_items") or {}
        for b in sorted(set(flagged) | set(removed)):
            rows.append(DecontamRow(rel, b, len(flagged.get(b) or []), removed.get(b, 0)))
        return rows
    dec = data.get("decontamination")
    if isinstance(dec, dict):  # corpus report.json
        for b, v in sorted(dec.items()):
            if isinstance(v, dict):
                rows.append(
                    DecontamRow(rel, b, v.get("benchmark_items"), v.get("documents"), unit="documents")
                )
        return rows
    counts = data.get("counts")
    if isinstance(counts, dict) and "contaminated" in counts and "config" in data:  # synth manifest
        per: Counter[str] = Counter()
        for entry in data.get("contaminated") or []:
            ref = entry[1] if isinstance(entry, list | tuple) and len(entry) > 1 else str(entry)
            per[str(ref).split("/", 1)[0]] += 1
        return [DecontamRow(rel, b, n, n, unit="generated items") for b, n in sorted(per.items())]
    if data and all(
        isinstance(v, dict) and ("items_flagged" in v or "records_removed" in v) for v in data.values()
    ):
        return [
            DecontamRow(rel, b, v.get("items_flagged"), v.get("records_removed"))
            for b, v in sorted(data.items())
        ]
    return []


def _looks_like_decontam(path: Path) -> bool:
    if path.name.endswith(".ledger.jsonl") or path.name == "decontamination.json":
        return True
    if path.name == "report.json":
        return isinstance((_read_json(path) or {}).get("decontamination"), dict)
    if path.name == "stage.json":
        s = (_read_json(path) or {}).get("summary") or {}
        return isinstance(s, dict) and any(k in s for k in ("decontamination", "flagged_items"))
    return False


def _prefer_summaries(paths: list[Path]) -> list[Path]:
    """Found files, without those a stage summary already counts: a ledger or report under a folder
    whose ``stage.json`` summarises the same decontamination is not counted twice."""
    markers = [p.parent for p in paths if p.name == "stage.json"]
    return [
        p
        for p in paths
        if p.name == "stage.json" or not any(m == p.parent or m in p.parents for m in markers)
    ]


def _is_metrics(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("benchmarks"), dict)
        and isinstance(data.get("run"), dict)
    )


# ------------------------------------------------------------------------------------------ resolve


def resolve(
    source: str | Path,
    *,
    eval_files: list[str | Path] | None = None,
    decontam_files: list[str | Path] | None = None,
    base_model: str | None = None,
    license: str | None = None,
    name: str | None = None,
) -> ExportPlan:
    """Find the model, manifests, metrics and decontamination summaries for ``source``."""
    src = Path(source).expanduser()
    if not src.is_dir():
        raise ExportError(f"{source}: no such folder")
    pointer = _read_json(src / "export.json") if (src / "export.json").is_file() else None
    if (src / "export.json").is_file() and not isinstance(pointer, dict):
        raise ExportError(f"{src / 'export.json'}: not a JSON object")
    scan_root: Path | None
    if pointer:
        if "model" not in pointer:
            raise ExportError(f'{src / "export.json"}: no "model" entry')
        model = (src / str(pointer["model"])).resolve()
        root, scan_root = src, None
    elif _is_checkpoint(src):
        model = src
        root = src.parent if (src.parent / "manifest.json").is_file() else src
        scan_root = root
    elif _is_checkpoint(src / "final"):
        model, root, scan_root = src / "final", src, src
    else:
        dirs = _stage_dirs(src)
        if not dirs:
            raise ExportError(
                f"{src}: not a checkpoint (no config.json), a stage output (no final/) or a run folder "
                "with stage folders; pass the checkpoint folder or write export.json"
            )
        model, root, scan_root = _pick_stage(dirs) / "final", src, src
    if not _is_checkpoint(model):
        raise ExportError(f"{model}: no config.json — not a transformers model folder")
    if not _is_causal_lm(model):
        arch = ", ".join((_read_json(model / "config.json") or {}).get("architectures") or [])
        raise ExportError(
            f"{model}: {arch} is not a causal language model (a reward model cannot be exported)"
        )
    pointer = pointer or {}
    plan = ExportPlan(source=src, root=root, model=model)
    plan.stages = _stage_chain(model)
    plan.name = name or str(pointer.get("name") or "") or _default_name(plan)

    # evaluation results
    explicit = [Path(p).expanduser() for p in (eval_files or [])]
    explicit += [src / str(p) for p in pointer.get("metrics") or []]
    for p in explicit:
        path = p / "metrics.json" if p.is_dir() else p
        data = _read_json(path)
        if not _is_metrics(data):
            raise ExportError(f"{path}: not a metrics.json written by mathforge eval")
        plan.metrics.append((path, data))
    found_decontam = [Path(p).expanduser() for p in (decontam_files or [])]
    found_decontam += [src / str(p) for p in pointer.get("decontamination") or []]
    if scan_root is not None:
        for path in _walk(scan_root):
            if path.name == "metrics.json" and not explicit:
                data = _read_json(path)
                if not _is_metrics(data):
                    continue
                evaluated = str(data["run"].get("model", ""))
                if _same_path(evaluated, model):
                    plan.metrics.append((path, data))
                else:
                    shown = plan.rel(evaluated) if Path(evaluated).exists() else evaluated
                    plan.skipped_metrics.append((path, f"evaluated another model ({shown})"))
            elif not decontam_files and not pointer.get("decontamination") and _looks_like_decontam(path):
                found_decontam.append(path)
    if scan_root is not None and not decontam_files and not pointer.get("decontamination"):
        found_decontam = _prefer_summaries(found_decontam)
    for path in found_decontam:
        if not path.is_file():
            raise ExportError(f"{path}: no such decontamination summary")
        rows = _decontam_rows(path, plan.rel(path))
        if not rows and (decontam_files or pointer.get("decontamination")):
            raise ExportError(f"{path}: not a decontamination summary this export can read")
        plan.decontam.extend(rows)
        plan.decontam_files.append(path)

    # base model and licence
    start = (plan.stages[0].manifest.get("config") or {}).get("model") if plan.stages else None
    hub, label, lic = _base_identity(str(start) if start else None)
    marker = _read_json(Path(str(start)).parent / "stage.json") if start else None
    summary = marker.get("summary") if isinstance(marker, dict) else None
    if isinstance(summary, dict) and summary.get("kind") == "scratch":  # a recipe's own base model
        params = summary.get("params")
        size = f" with {params:,} parameters" if isinstance(params, int) else ""
        label = f"none — trained from scratch (a randomly initialised {summary.get('architecture', '')} model{size})"
        label = label.replace("initialised  model", "initialised model")
    if base_model or pointer.get("base_model"):
        hub = label = str(base_model or pointer["base_model"])
    if not plan.stages and not (base_model or pointer.get("base_model")):
        label = "unknown (no training manifest found)"
    plan.base_model, plan.base_label = hub, label
    if license:
        plan.license, plan.license_source = license, "given at export"
    elif pointer.get("license"):
        plan.license, plan.license_source = str(pointer["license"]), "export.json"
    elif lic:
        plan.license, plan.license_source = lic, f"from the card of the base model, {label}"
    return plan


def _default_name(plan: ExportPlan) -> str:
    if plan.stages:
        return f"{plan.root.resolve().name}-{plan.stages[-1].stage}"
    return plan.model.resolve().parent.name if plan.model.name == "final" else plan.model.resolve().name


# ------------------------------------------------------------------------------------- model card


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _wilson(correct: int, n: int) -> tuple[float, float]:
    from mathforge.evaluate.metrics import wilson_interval

    return wilson_interval(correct, n)


def eval_rows(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """Table rows (one per benchmark × metric) from one ``metrics.json``; numbers as in the file."""
    run = metrics["run"]
    sampling = run.get("sampling") or {}
    grader = (run.get("grader") or {}).get("version") or (run.get("versions") or {}).get("mathforge", "?")
    rows = []
    for bench, m in metrics["benchmarks"].items():
        n = int(m["items"])
        base = {
            "benchmark": bench,
            "n": n,
            "samples": int(sampling.get("n", 1)),
            "temperature": sampling.get("temperature", 0.0),
            "prompt": str(run.get("prompt", "?")),
            "grader": str(grader),
        }
        lo, hi = m["ci95"]
        rows.append({**base, "metric": "accuracy", "value": m["accuracy"], "ci": (lo, hi)})
        if "maj@k" in m:
            k, acc = m["maj@k"]["k"], m["maj@k"]["accuracy"]
            rows.append({**base, "metric": f"maj@{k}", "value": acc, "ci": _wilson(round(acc * n), n)})
        if "rm@k" in m:
            k, acc = m["rm@k"]["k"], m["rm@k"]["accuracy"]
            rows.append({**base, "metric": f"rm@{k}", "value": acc, "ci": _wilson(round(acc * n), n)})
        pk = m.get("pass@k") or {}
        if pk:
            top = max(pk, key=int)
            if int(top) > 1:
                rows.append({**base, "metric": f"pass@{top}", "value": pk[top], "ci": None})
    return rows


def _source_label(src: Any, path: Path) -> str:
    """A record's ``source`` for the data-mix table: names like ``synth/arithmetic`` as they are;
    local file paths (corpus documents) grouped by file type, so no machine path reaches the card."""
    if not src:
        return path.name
    text = str(src)
    if text.startswith(("/", "\\", "file:")) or re.match(r"[A-Za-z]:[\\/]", text):
        suffix = Path(text.split("#", 1)[0]).suffix.lstrip(".").lower()
        return f"local {suffix or 'other'} files"
    return text


def _data_mix(plan: ExportPlan) -> list[tuple[str, str, Counter[str], bool]]:
    """(stage, data file shown, records by source, truncated) for every training data file present."""
    out = []
    for st in plan.stages:
        for f in (st.manifest.get("config") or {}).get("data") or []:
            path = Path(str(f))
            counts: Counter[str] = Counter()
            truncated = False
            if path.is_file():
                with path.open(encoding="utf-8", errors="replace") as fh:
                    for i, line in enumerate(fh):
                        if i >= MAX_COUNT_LINES:
                            truncated = True
                            break
                        if not line.strip():
                            continue
                        try:
                            rec = json.loads(line)
                        except json.JSONDecodeError:
                            counts["(unreadable line)"] += 1
                            continue
                        src = rec.get("source") if isinstance(rec, dict) else None
                        counts[_source_label(src, path)] += 1
            out.append((st.label, plan.rel(path), counts, truncated))
    return out


def _datasets(plan: ExportPlan) -> list[str]:
    names: list[str] = []
    for st in plan.stages:
        for f in (st.manifest.get("config") or {}).get("data") or []:
            shown = plan.rel(f)
            if shown not in names:
                names.append(shown)
    return names


def _model_index(plan: ExportPlan) -> list[dict[str, Any]]:
    from mathforge.bench.registry import BENCHMARKS

    results = []
    for _path, metrics in plan.metrics:
        by_bench: dict[str, list[dict[str, Any]]] = {}
        for r in eval_rows(metrics):
            by_bench.setdefault(r["benchmark"], []).append(r)
        for bench, rows in by_bench.items():
            spec = BENCHMARKS.get(bench)
            results.append(
                {
                    "task": {"type": "text-generation", "name": "Math problem solving"},
                    "dataset": {
                        "name": bench,
                        "type": (spec.hub_id if spec and spec.hub_id else bench),
                        "split": "test",
                    },
                    "metrics": [
                        {
                            "type": "accuracy" if r["metric"] == "accuracy" else r["metric"],
                            "name": f"{r['metric']} ({r['prompt']} prompt, n={r['n']})",
                            "value": round(100 * r["value"], 2),
                            "verified": False,
                        }
                        for r in rows
                    ],
                }
            )
    return [{"name": plan.name, "results": results}] if results else []


def model_card(plan: ExportPlan, *, chat_template: bool) -> str:
    """README.md: YAML front matter and the sections; every number comes from the run's files."""
    import yaml

    meta: dict[str, Any] = {}
    known_license = plan.license and plan.license != UNKNOWN_LICENSE
    if known_license:
        meta["license"] = plan.license
    if plan.base_model:
        meta["base_model"] = plan.base_model
    meta["library_name"] = "transformers"
    meta["pipeline_tag"] = "text-generation"
    meta["tags"] = ["math", "mathforge", *dict.fromkeys(s.stage for s in plan.stages)]
    datasets = _datasets(plan)
    if datasets:
        meta["datasets"] = datasets
    index = _model_index(plan)
    if index:
        meta["model-index"] = index
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    if not known_license:
        front = f"# license: {UNKNOWN_LICENSE}\n" + front
    L: list[str] = ["---", front.rstrip(), "---", "", f"# {plan.name}", ""]
    L.append(
        f"A math-specialised language model exported by mathforge {__version__} from `{plan.rel(plan.model)}`. "
        "It loads with plain `transformers`:"
    )
    L += [
        "",
        "```python",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        'tok = AutoTokenizer.from_pretrained("PATH_OR_REPO")',
        'model = AutoModelForCausalLM.from_pretrained("PATH_OR_REPO")',
        "```",
        "",
        "## Base model",
        "",
        f"{plan.base_label}." if plan.base_label else "unknown.",
        "",
        "## Recipe and data mix",
        "",
    ]
    if plan.stages:
        L += [
            "| stage | started from | steps | final train loss | learning rate | seq len | LoRA r | seconds |"
        ]
        L += ["|---|---|---:|---:|---:|---:|---:|---:|"]
        for n, st in enumerate(plan.stages):
            m, c = st.manifest, st.manifest.get("config") or {}
            loss = m.get("train_loss")
            start = str(c.get("model", "?"))
            if n == 0 and plan.base_model:
                shown = plan.base_model
            else:
                shown = plan.rel(start) if Path(start).exists() else start
            L.append(
                f"| {st.label} | `{shown}` | {m.get('steps', '?')} | "
                f"{f'{loss:.4f}' if isinstance(loss, int | float) else '?'} | {c.get('learning_rate', '?')} | "
                f"{c.get('seq_len', '?')} | {c.get('lora_r', '?')} | {m.get('seconds', '?')} |"
            )
        mix = _data_mix(plan)
        if mix:
            L += ["", "| stage | data file | source | records |", "|---|---|---|---:|"]
            for stage, shown, counts, truncated in mix:
                if not counts:
                    L.append(f"| {stage} | `{shown}` | (file not present at export) | – |")
                for src, n in counts.most_common():
                    L.append(f"| {stage} | `{shown}` | {src} | {n}{'+' if truncated else ''} |")
    else:
        L.append("No training manifest was found next to the checkpoint; the recipe is unknown.")
    L += ["", "## Decontamination", ""]
    if plan.decontam:
        L += [
            "Training data was checked against the benchmarks (13-gram match confirmed by LCS ≥ 0.6).",
            "",
            "| benchmark | benchmark items flagged | training data removed | summary file |",
            "|---|---:|---:|---|",
        ]
        for r in plan.decontam:
            flagged = "–" if r.items_flagged is None else str(r.items_flagged)
            removed = "–" if r.records_removed is None else f"{r.records_removed} {r.unit}"
            L.append(f"| {r.benchmark} | {flagged} | {removed} | `{r.source}` |")
    else:
        L.append("No decontamination summary was found: overlap with the benchmarks below was not checked.")
    L += ["", "## Evaluation", ""]
    if plan.metrics:
        L += [
            "Scored by mathforge's grader (answer extraction + equivalence); accuracy is the first sample's, "
            "with a 95% Wilson interval.",
            "",
            "| benchmark | metric | value % | 95% CI % | prompt style | n | samples | temperature | grader version |",
            "|---|---|---:|---|---|---:|---:|---:|---|",
        ]
        for _path, metrics in plan.metrics:
            for r in eval_rows(metrics):
                ci = f"{_pct(r['ci'][0])}–{_pct(r['ci'][1])}" if r["ci"] else "–"
                L.append(
                    f"| {r['benchmark']} | {r['metric']} | {_pct(r['value'])} | {ci} | {r['prompt']} | {r['n']} | "
                    f"{r['samples']} | {r['temperature']} | {r['grader']} |"
                )
        L += ["", "Results files: " + ", ".join(f"`{plan.rel(p)}`" for p, _ in plan.metrics) + "."]
    else:
        L.append("No evaluation results were found for this checkpoint.")
    small = [r for _p, m in plan.metrics for r in eval_rows(m) if r["metric"] == "accuracy" and r["n"] < 200]
    L += [
        "",
        "## Intended use and limits",
        "",
        "- Solving and explaining math problems (English and Chinese), step by step, with the final answer "
        "in `\\boxed{}`; with a tool-integrated prompt it writes Python whose output it reads back.",
        "- Run model-written code only in a sandbox (mathforge's sandbox or equivalent).",
        "- Answers can be wrong with confident reasoning: check them before relying on them; not for "
        "high-stakes decisions.",
        "- The numbers above hold for the listed benchmarks, prompt styles and sampling settings only.",
    ]
    if small:
        L.append(
            "- Some results come from few items (n < 200): their confidence intervals are wide; "
            "compare models by interval, not by point estimate."
        )
    if not chat_template:
        L.append("- The tokenizer has no chat template: prompt it with plain text.")
    L += ["", "## Licence", ""]
    if known_license:
        L.append(f"`{plan.license}` ({plan.license_source}).")
    else:
        L.append(f"{UNKNOWN_LICENSE.capitalize()}: pass `--license` (the base model's licence applies).")
    L.append("")
    return "\n".join(L)


# ------------------------------------------------------------------------------------------- export


@dataclass
class ExportResult:
    plan: ExportPlan
    out: Path
    files: list[str]
    warnings: list[str]


def _check_out(out: Path, overwrite: bool) -> None:
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
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    if not (out / "generation_config.json").is_file():
        model.generation_config.save_pretrained(out)
    chat = bool(getattr(tok, "chat_template", None))
    if not chat:
        warnings.append("the tokenizer has no chat template")
    if not plan.license:
        warnings.append(f"licence {UNKNOWN_LICENSE} (pass --license)")
    (out / "README.md").write_text(model_card(plan, chat_template=chat), encoding="utf-8")
    files = sorted(p.name for p in out.iterdir())
    if not any(f.endswith(".safetensors") for f in files):
        raise ExportError(f"{out}: no safetensors weights were written")
    return ExportResult(plan, out, files, warnings)


def push_to_hub(out: str | Path, repo_id: str, *, private: bool = False, license_known: bool = True) -> str:
    """Upload an exported folder; ExportError with one line when it cannot (no package, offline, no
    token, unknown licence, Hub error). Returns the repository URL."""
    out = Path(out)
    try:
        import huggingface_hub
        from huggingface_hub import HfApi
    except ImportError:
        raise ExportError(
            f"cannot push: huggingface_hub is not installed (pip install huggingface_hub); the export is in {out}"
        ) from None
    if getattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False):
        raise ExportError(f"cannot push: HF_HUB_OFFLINE is set (offline mode); the export is in {out}")
    token = huggingface_hub.get_token()
    if not token:
        raise ExportError(
            "cannot push: no Hugging Face token found (set HF_TOKEN or run `hf auth login`); "
            f"the export is in {out}"
        )
    if not license_known:
        raise ExportError(f"cannot push: the licence is unknown; pass --license (the export is in {out})")
    try:
        api = HfApi(token=token)
        url = api.create_repo(repo_id, private=private, exist_ok=True)
        api.upload_folder(
            folder_path=str(out),
            repo_id=repo_id,
            commit_message=f"Upload model exported by mathforge {__version__}",
        )
    except Exception as exc:  # network, auth, name: one actionable line
        msg = str(exc).strip().splitlines()
        raise ExportError(
            f"cannot push to {repo_id}: {type(exc).__name__}: {msg[0] if msg else ''}; the export is in {out}"
        ) from None
    return str(url)


def card_numbers(card: str) -> dict[str, Any]:
    """The model card's front matter (for checks and tests)."""
    return front_matter(card)


__all__ = [
    "ExportError",
    "ExportPlan",
    "ExportResult",
    "card_numbers",
    "eval_rows",
    "export_model",
    "model_card",
    "push_to_hub",
    "resolve",
]
