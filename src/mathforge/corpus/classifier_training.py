"""Training the math classifier: DeepSeekMath's iterative recall and the ``train-classifier`` command.

``iterative_recall`` trains on a seed, scores an unlabeled pool, takes the top-scoring pool texts (above
a high threshold, at most a fraction of the pool) as new positives and, optionally, the lowest as new
negatives, and retrains; every round records held-out precision/recall/F1. ``train_classifier`` runs it
on the default data (:mod:`mathforge.corpus.classifier_data`), saves the model and writes a report.

The default data is bilingual (English and Chinese, see :mod:`mathforge.corpus.classifier_zh`); the report
gives held-out precision/recall per language (``heldout_by_lang``) besides the overall numbers.

Precision depends on the base rate: the held-out sets are balanced, while math is a few percent of a web
crawl, so read the false-positive rate on real pages (``heldout_real`` in the report) before choosing a
threshold.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mathforge.corpus.classifier import MathClassifier, metrics
from mathforge.corpus.classifier_data import Sample, build_default_data
from mathforge.corpus.classifier_zh import AUTO

__all__ = [
    "DEFAULT_PARAMS",
    "FAST_PARAMS",
    "iterative_recall",
    "metrics_by_lang",
    "scoring_speed",
    "train_classifier",
]


def iterative_recall(
    seed_pos: Sequence[str],
    seed_neg: Sequence[str],
    pool: Sequence[str],
    rounds: int = 3,
    top_fraction: float = 0.8,
    heldout: tuple[Sequence[str], Sequence[str]] | None = None,
    *,
    high_threshold: float = 0.9,
    low_threshold: float | None = None,
    neg_fraction: float = 0.25,
    threshold: float = 0.5,
    pool_labels: Sequence[int] | None = None,
    train_kwargs: dict[str, Any] | None = None,
) -> tuple[MathClassifier, list[dict[str, Any]]]:
    """Train on the seed, then ``rounds - 1`` times: score the whole ``pool`` with the current model,
    take the top-scoring texts with P(math) ≥ ``high_threshold`` (at most ``top_fraction`` of the pool)
    as positives and, when ``low_threshold`` is set, those with P(math) ≤ ``low_threshold`` (at most
    ``neg_fraction`` of the pool) as negatives, and retrain on seed + recalled. The recalled set is
    recomputed from the whole pool every round, so an early mistake can be undone.

    ``history`` has one dict per round: training sizes, the pool texts recalled into that round's
    training (``pool_pos``, ``pool_neg``), how many pool texts the round's model puts above the high
    threshold (``pool_above``), held-out precision/recall/F1 at ``threshold`` when ``heldout`` is given,
    and, when ``pool_labels`` are given (diagnostics only, never used for training), the precision of the
    recalled positives against them."""
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    kw = dict(train_kwargs or {})
    pool = list(pool)
    labels = np.asarray(pool_labels, dtype=np.int64) if pool_labels is not None else None
    if labels is not None and len(labels) != len(pool):
        raise ValueError(f"pool_labels has {len(labels)} entries for a pool of {len(pool)}")
    history: list[dict[str, Any]] = []
    rec_pos: list[int] = []
    rec_neg: list[int] = []
    model: MathClassifier | None = None
    for rnd in range(rounds):
        t0 = time.perf_counter()
        pos = list(seed_pos) + [pool[i] for i in rec_pos]
        neg = list(seed_neg) + [pool[i] for i in rec_neg]
        model = MathClassifier.train(pos, neg, **kw)
        entry: dict[str, Any] = {
            "round": rnd,
            "n_pos": len(pos),
            "n_neg": len(neg),
            "pool_pos": len(rec_pos),
            "pool_neg": len(rec_neg),
        }
        if labels is not None and rec_pos:
            entry["pool_pos_precision"] = round(float(labels[rec_pos].mean()), 4)
        if labels is not None and rec_neg:
            entry["pool_neg_precision"] = round(float(1 - labels[rec_neg].mean()), 4)
        if heldout is not None:
            m = model.evaluate(heldout[0], heldout[1], threshold)
            entry.update({k: m[k] for k in ("precision", "recall", "f1", "false_positive_rate", "n")})
        if pool:
            scores = model.score(pool)
            order = np.argsort(-scores, kind="stable")
            cap = int(top_fraction * len(pool))
            rec_pos = [int(i) for i in order[:cap] if scores[i] >= high_threshold]
            entry["pool_above"] = int((scores >= high_threshold).sum())
            if low_threshold is not None:
                cap_n = int(neg_fraction * len(pool))
                rec_neg = [int(i) for i in order[::-1][:cap_n] if scores[i] <= low_threshold]
            if labels is not None:
                entry["pool_recall"] = metrics(scores[labels == 1], scores[labels == 0], high_threshold)
        entry["seconds"] = round(time.perf_counter() - t0, 2)
        history.append(entry)
    assert model is not None
    return model, history


# ---------------------------------------------------------------------------------------------------------
# The train-classifier command (wired into typer by the CLI module)
# ---------------------------------------------------------------------------------------------------------

FAST_PARAMS: dict[str, Any] = {
    "epoch": 5,
    "lr": 0.5,
    "dim": 16,
    "word_ngrams": 2,
    "minn": 0,
    "maxn": 0,
    "bucket": 100_000,
}
DEFAULT_PARAMS: dict[str, Any] = {
    "epoch": 10,
    "lr": 0.5,
    "dim": 32,
    "word_ngrams": 2,
    "minn": 0,
    "maxn": 0,
    "bucket": 200_000,
}


def _per_source(
    model: MathClassifier, samples: Sequence[Sample], threshold: float
) -> dict[str, dict[str, Any]]:
    """Per source: n, the share scored as math (recall for math sources, false-positive rate otherwise)."""
    by: dict[str, list[Sample]] = {}
    for s in samples:
        by.setdefault(s.source, []).append(s)
    out: dict[str, dict[str, Any]] = {}
    for src, items in sorted(by.items()):
        sc = model.score([s.text for s in items])
        out[src] = {
            "label": "math" if items[0].label == 1 else "other",
            "n": len(items),
            "scored_math": round(float((sc >= threshold).mean()), 4),
            "mean_score": round(float(sc.mean()), 4),
        }
    return out


def metrics_by_lang(
    model: MathClassifier, samples: Sequence[Sample], threshold: float = 0.5
) -> dict[str, dict[str, Any]]:
    """Per language: precision/recall/F1 of "math" on ``samples`` (``all``) and the same with only real
    negatives (``real``: without the generated ``gen:``/``gen-zh:`` sources)."""
    out: dict[str, dict[str, Any]] = {}
    for lang in sorted({s.lang for s in samples}):
        mine = [s for s in samples if s.lang == lang]
        scores = model.score([s.text for s in mine])
        labels = np.asarray([s.label for s in mine], dtype=np.int64)
        real = np.asarray(
            [s.label == 1 or not s.source.startswith(("gen:", "gen-zh:")) for s in mine], dtype=bool
        )
        out[lang] = {
            "all": metrics(scores[labels == 1], scores[labels == 0], threshold),
            "real": metrics(scores[labels == 1], scores[(labels == 0) & real], threshold),
        }
    return out


def scoring_speed(model: MathClassifier, texts: Sequence[str], repeat: int = 1) -> dict[str, float]:
    """Texts and characters per second of ``model.score`` over ``texts`` (one thread)."""
    t0 = time.perf_counter()
    for _ in range(repeat):
        model.score(texts)
    dt = max(time.perf_counter() - t0, 1e-9)
    chars = sum(min(len(t), model.max_chars) for t in texts) * repeat
    return {"texts_per_s": round(len(texts) * repeat / dt, 1), "chars_per_s": round(chars / dt, 1)}


def train_classifier(
    out_path: str | Path,
    data_dir: str | Path,
    web_dir: str | Path | None = None,
    rounds: int = 3,
    seed: int = 0,
    *,
    threshold: float = 0.5,
    limit_per_source: int | None = None,
    top_fraction: float = 0.8,
    high_threshold: float = 0.9,
    low_threshold: float | None = None,
    params: dict[str, Any] | None = None,
    chinese: bool = True,
    zh_dir: str | Path | None = AUTO,
) -> dict[str, Any]:
    """Build the default data, run iterative recall (seed = labeled held-in data, pool = held-in web
    passages without their labels), save the final model to ``out_path`` and a JSON report to
    ``<out_path>.report.json``; returns the report (data counts, per-round held-out P/R/F1, final
    held-out metrics overall, per language, per source and per page, scoring speed). ``chinese`` and
    ``zh_dir`` (the Ape210K folder; ``"auto"`` finds it, see ``build_default_data``) choose the Chinese
    data; what was skipped and why is in the report's ``data.notes``."""
    out_path = Path(out_path)
    t0 = time.perf_counter()
    data = build_default_data(
        data_dir, web_dir, seed, limit_per_source=limit_per_source, chinese=chinese, zh_dir=zh_dir
    )
    t_data = time.perf_counter() - t0
    train_kwargs = {**DEFAULT_PARAMS, **(params or {}), "seed": seed, "threads": 1}
    model, history = iterative_recall(
        [s.text for s in data.seed_pos],
        [s.text for s in data.seed_neg],
        [s.text for s in data.pool],
        rounds=rounds,
        top_fraction=top_fraction,
        heldout=(data.heldout_pos, data.heldout_neg),
        high_threshold=high_threshold,
        low_threshold=low_threshold,
        threshold=threshold,
        pool_labels=[s.label for s in data.pool],
        train_kwargs=train_kwargs,
    )
    model.save(out_path)
    final = model.evaluate(data.heldout_pos, data.heldout_neg, threshold)
    page_scores = model.score([s.text for s in data.heldout_pages]) if data.heldout_pages else np.zeros(0)
    page_labels = np.asarray([s.label for s in data.heldout_pages], dtype=np.int64)
    report: dict[str, Any] = {
        "model": out_path.name,
        "seed": seed,
        "rounds": rounds,
        "threshold": threshold,
        "params": {**train_kwargs, "max_chars": model.max_chars},
        "recall": {
            "top_fraction": top_fraction,
            "high_threshold": high_threshold,
            "low_threshold": low_threshold,
        },
        "data": {
            "counts": data.counts,
            "seed_pos": len(data.seed_pos),
            "seed_neg": len(data.seed_neg),
            "pool": len(data.pool),
            "heldout_pos": len(data.heldout_pos),
            "heldout_neg": len(data.heldout_neg),
            "heldout_sources": data.heldout_sources,
            "chinese": chinese,
            "zh_dir": data.zh_dir,
            "notes": data.notes,
            "build_seconds": round(t_data, 2),
        },
        "history": history,
        "heldout": final,
        # the same without the generated (held-out template) negatives: real text only
        "heldout_real": model.evaluate(
            data.heldout_pos,
            [x.text for x in data.heldout if x.label == 0 and not x.source.startswith(("gen:", "gen-zh:"))],
            threshold,
        ),
        "heldout_by_lang": metrics_by_lang(model, data.heldout, threshold),
        "heldout_by_source": _per_source(model, data.heldout, threshold),
        "heldout_pages": {
            **metrics(page_scores[page_labels == 1], page_scores[page_labels == 0], threshold),
            "scores": {
                s.source: round(float(p), 4) for s, p in zip(data.heldout_pages, page_scores, strict=True)
            },
        },
        "speed": scoring_speed(model, [s.text for s in data.heldout]),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    out_path.with_name(out_path.name + ".report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return report
