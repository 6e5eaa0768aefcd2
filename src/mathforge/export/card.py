"""The model card: ``huggingface_hub``'s :class:`~huggingface_hub.ModelCard` rendered from
``card_template.md``, its front matter a :class:`~huggingface_hub.ModelCardData` (licence, base model,
tags, datasets and the model-index built from the eval results), so the Hub reads it as it reads any card.

Every number comes from the files :mod:`mathforge.export.discover` found; this module only formats them.
"""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from mathforge import __version__
from mathforge.export.discover import UNKNOWN_LICENSE, ExportError, ExportPlan, Stage, locate
from mathforge.stage_io import JsonlError, iter_jsonl

MAX_COUNT_LINES = 2_000_000  # data-mix counting stops here per file (the card marks the count with +)
TEMPLATE = "card_template.md"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def eval_rows(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """Table rows (one per benchmark × metric) from one ``metrics.json``; numbers as in the file."""
    from mathforge.evaluate.metrics import wilson_interval

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
        for key in ("maj@k", "rm@k"):
            if key in m:
                k, acc = m[key]["k"], m[key]["accuracy"]
                name = f"{key.split('@')[0]}@{k}"
                rows.append({**base, "metric": name, "value": acc, "ci": wilson_interval(round(acc * n), n)})
        pk = m.get("pass@k") or {}
        if pk:
            top = max(pk, key=int)
            if int(top) > 1:
                rows.append({**base, "metric": f"pass@{top}", "value": pk[top], "ci": None})
    return rows


# ------------------------------------------------------------------------------------------ data mix


def _source_label(src: Any, path: Path) -> str:
    """A record's ``source`` as the data-mix table groups it: names like ``synth/arithmetic`` as they
    are; web pages by host and local files by type, so neither thousands of rows nor machine paths
    reach the card."""
    if not src:
        return f"(no source field: {path.name})"
    text = str(src)
    web = re.match(r"[a-z][a-z0-9+.-]*://([^/#?]+)", text, re.IGNORECASE)
    if web and not text.lower().startswith("file:"):
        return f"web pages ({web.group(1)})"
    if text.startswith(("/", "\\", "file:")) or re.match(r"[A-Za-z]:[\\/]", text):
        suffix = Path(text.split("#", 1)[0]).suffix.lstrip(".").lower()
        return f"local {suffix or 'other'} files"
    return text


def _count_sources(path: Path, counts: Counter[str]) -> bool:
    """Add ``path``'s records by source to ``counts``; True when counting stopped early."""
    for lineno, rec in iter_jsonl(path, errors="report"):
        if lineno > MAX_COUNT_LINES:
            return True
        if isinstance(rec, JsonlError):
            counts["(unreadable line)"] += 1
            continue
        counts[_source_label(rec.get("source"), path)] += 1
    return False


def _files_shown(plan: ExportPlan, st: Stage) -> str:
    """One stage's training data as the card names it: the file, or the folder of its many files."""
    files = st.data_files
    if len(files) == 1:
        return plan.rel(locate(files[0], st.dir.parent) or files[0])
    if not files:
        return ""
    parents = {str(Path(f).parent) for f in files}
    folder = parents.pop() if len(parents) == 1 else ""
    where = f" in {plan.rel(locate(folder, st.dir.parent) or folder)}" if folder else ""
    return f"{len(files)} files{where}"


def data_mix(plan: ExportPlan) -> list[dict[str, Any]]:
    """Rows (stage, data, source, records) for every stage's training data still present."""
    rows = []
    for st in plan.stages:
        counts: Counter[str] = Counter()
        truncated, missing = False, 0
        for f in st.data_files:
            path = locate(f, st.dir.parent)
            if path is None or not path.is_file():
                missing += 1
                continue
            truncated = _count_sources(path, counts) or truncated
        shown = _files_shown(plan, st)
        for src, n in counts.most_common():
            rows.append({"stage": st.label, "data": shown, "source": src, "records": f"{n}{'+' * truncated}"})
        if missing:
            what = "not present at export" if missing == len(st.data_files) else f"{missing} not present"
            rows.append({"stage": st.label, "data": shown, "source": f"({what})", "records": "–"})
    return rows


def _datasets(plan: ExportPlan) -> list[str]:
    return list(dict.fromkeys(s for st in plan.stages if (s := _files_shown(plan, st))))


# ------------------------------------------------------------------------------------------ the card


def _fmt(x: Any, spec: str = "") -> str:
    if isinstance(x, int | float) and not isinstance(x, bool):
        return format(x, spec)
    return "?" if x is None else str(x)


def _stage_rows(plan: ExportPlan) -> list[dict[str, str]]:
    rows = []
    for n, st in enumerate(plan.stages):
        start = st.start_model
        if n == 0 and plan.base_model:
            shown = plan.base_model
        elif start:
            found = locate(start, st.dir.parent)
            shown = plan.rel(found) if found else start
        else:
            shown = "not recorded"
        s, c = st.summary, st.settings
        loss = s.get("train_loss")
        rows.append(
            {
                "stage": st.label,
                "start": shown,
                "steps": _fmt(s.get("steps")),
                "loss": _fmt(loss, ".4f") if isinstance(loss, int | float) else "?",
                "lr": _fmt(c.get("learning_rate")),
                "seq_len": _fmt(c.get("seq_len")),
                "lora_r": _fmt(c.get("lora_r")),
                "seconds": _fmt(s.get("seconds", st.manifest.get("seconds"))),
            }
        )
    return rows


def _decontam(plan: ExportPlan) -> tuple[list[dict[str, str]], list[str]]:
    rows, notes = [], []
    for src in plan.decontam:
        shown = plan.rel(src.path)
        for r in src.rows:
            rows.append(
                {
                    "benchmark": r.benchmark,
                    "flagged": "–" if r.items_flagged is None else str(r.items_flagged),
                    "removed": "–" if r.removed is None else f"{r.removed} {r.unit}",
                    "file": shown,
                }
            )
        what = f"{src.checked} {src.unit} checked" if src.checked is not None else "checked"
        parts = [what + (" against " + ", ".join(src.benchmarks) if src.benchmarks else "")]
        if not src.rows:
            parts.append("no benchmark item found")
        if src.not_checked:
            parts.append("not checked against " + ", ".join(src.not_checked) + " (no benchmark data)")
        notes.append(f"`{shown}` ({src.stage}): " + "; ".join(parts) + ".")
    return rows, notes


def _eval_results(plan: ExportPlan) -> list[Any]:
    from huggingface_hub import EvalResult

    from mathforge.bench.registry import BENCHMARKS

    results = []
    for _path, metrics in plan.metrics:
        for r in eval_rows(metrics):
            spec = BENCHMARKS.get(r["benchmark"])
            results.append(
                EvalResult(
                    task_type="text-generation",
                    task_name="Math problem solving",
                    dataset_type=spec.hub_id if spec and spec.hub_id else r["benchmark"],
                    dataset_name=r["benchmark"],
                    dataset_split="test",
                    metric_type=r["metric"],
                    metric_name=f"{r['metric']} ({r['prompt']} prompt, n={r['n']})",
                    metric_value=round(100 * r["value"], 2),
                    verified=False,
                )
            )
    return results


def card_data(plan: ExportPlan) -> Any:
    """The front matter: what the Hub indexes (licence, base model, tags, datasets, model-index)."""
    from huggingface_hub import ModelCardData

    known = bool(plan.license) and plan.license != UNKNOWN_LICENSE
    return ModelCardData(
        license=plan.license if known else None,
        base_model=plan.base_model,
        library_name="transformers",
        pipeline_tag="text-generation",
        tags=["math", "mathforge", *dict.fromkeys(s.stage for s in plan.stages)],
        datasets=_datasets(plan) or None,
        model_name=plan.name,
        eval_results=_eval_results(plan) or None,
    )


def build_card(plan: ExportPlan, *, chat_template: bool) -> Any:
    """The :class:`~huggingface_hub.ModelCard` of ``plan``, rendered from ``card_template.md``."""
    try:
        from huggingface_hub import ModelCard
    except ImportError:
        raise ExportError("the model card needs huggingface_hub: pip install 'mathforge[hf]'") from None
    evals = [
        {
            **r,
            "value": _pct(r["value"]),
            "ci": f"{_pct(r['ci'][0])}–{_pct(r['ci'][1])}" if r["ci"] else "–",
        }
        for _p, m in plan.metrics
        for r in eval_rows(m)
    ]
    decontam_rows, decontam_notes = _decontam(plan)
    known = bool(plan.license) and plan.license != UNKNOWN_LICENSE
    template = resources.files("mathforge.export").joinpath(TEMPLATE).read_text(encoding="utf-8")
    try:
        return ModelCard.from_template(
            card_data(plan),
            template_str=template,
            name=plan.name,
            version=__version__,
            model_path=plan.rel(plan.model),
            base_label=plan.base_label,
            stages=_stage_rows(plan),
            mix=data_mix(plan),
            decontam=decontam_rows,
            decontam_notes=decontam_notes,
            evals=evals,
            eval_files=[plan.rel(p) for p, _ in plan.metrics],
            small_n=any(r["metric"] == "accuracy" and r["n"] < 200 for r in evals),
            chat_template=chat_template,
            license=plan.license if known else None,
            license_source=plan.license_source,
            unknown_license=UNKNOWN_LICENSE,
        )
    except ImportError as exc:  # from_template renders with Jinja2
        raise ExportError(f"the model card needs Jinja2 ({exc}): pip install jinja2") from None


def model_card(plan: ExportPlan, *, chat_template: bool) -> str:
    """README.md: YAML front matter and the sections; every number comes from the run's files."""
    return str(build_card(plan, chat_template=chat_template))


def card_numbers(card: str) -> dict[str, Any]:
    """The front matter of a card (README.md text) as a dict — what the Hub reads."""
    from huggingface_hub import ModelCard

    return ModelCard(card).data.to_dict()
