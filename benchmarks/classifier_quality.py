"""Math classifier quality per language, before and after the Chinese training data: source-held-out
precision and recall for English and Chinese, same held-out items for both models.

"before" is the English-only default data (``chinese=False``: the training data of earlier versions,
sample for sample); "after" adds the Chinese data (Ape210K word problems, generated Chinese lesson pages
and non-math text). Both models are scored on the same held-out items, which were never trained on:

* English: the test-only English benchmarks (Minerva, OlympiadBench, AIME/AMC, SAT, AQuA, CARP, college
  math, GaoKao-2023-en, ASDiv, SVAMP, MAWPS, MMLU-STEM math), held-out web sites/repositories/books and
  held-out templates of the English negative generator;
* Chinese: CMATH and the GaoKao sets (gaokao_math_cloze, gaokao_math_qa, gaokao2024_I/II/mix) and
  cn_middle_school as positives; hand-written Chinese paragraphs, held-out templates of the Chinese
  negative generator and the Chinese pages of held-out web sources as negatives.

Rows "real neg." count only real (not generated) negatives. Each language also gets a paired comparison
of per-item correctness (after − before): the difference in accuracy, its 95% paired-bootstrap interval
and the exact McNemar p-value.

    python benchmarks/classifier_quality.py [--data-dir DIR] [--web-dir DIR] [--zh-dir DIR] [--fast] [--keep DIR]

``--data-dir`` defaults to $MATHFORGE_DATA_DIR, ``--web-dir`` to $MATHFORGE_WEB_DIR or ``<data>/../web``,
``--zh-dir`` (the Ape210K folder) to $MATHFORGE_ZH_DIR or ``<data>/../zh/ape210k``; a missing folder is
named and the run goes on without it. The default settings (those of `mathforge corpus train-classifier`)
take about two minutes on two cores, ``--fast`` (the test suite's settings) about half a minute.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np


def _folder(label: str, given: str | None, fallback: Path | None, needed: str) -> Path | None:
    path = Path(given) if given else fallback
    if path is None:
        print(f"{label}: not given — {needed}")
        return None
    if not path.is_dir():
        print(f"{label}: folder {str(path)!r} is missing — {needed}")
        return None
    print(f"{label}: {path}")
    return path


def _paired(
    before: np.ndarray, after: np.ndarray, seed: int = 0, n: int = 10_000
) -> tuple[float, float, float]:
    """(95% bootstrap interval of mean(after) − mean(before), as low, high; exact McNemar p)."""
    from mathforge.evaluate.compare import mcnemar_exact

    diff = after.astype(np.int64) - before.astype(np.int64)
    rng = np.random.default_rng(seed)
    stats = np.sort(
        np.concatenate(
            [
                diff[rng.integers(0, len(diff), size=(min(500, n - i), len(diff)))].mean(axis=1)
                for i in range(0, n, 500)
            ]
        )
    )
    b = int(((before == 1) & (after == 0)).sum())
    c = int(((before == 0) & (after == 1)).sum())
    return float(stats[int(0.025 * n)]), float(stats[min(n - 1, int(0.975 * n))]), mcnemar_exact(b, c)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.environ.get("MATHFORGE_DATA_DIR"), help="benchmark folder")
    ap.add_argument("--web-dir", default=os.environ.get("MATHFORGE_WEB_DIR"), help="web sample folder")
    ap.add_argument("--zh-dir", default=os.environ.get("MATHFORGE_ZH_DIR"), help="Ape210K folder")
    ap.add_argument("--fast", action="store_true", help="the test suite's settings: small model, 1500/source")
    ap.add_argument("--rounds", type=int, default=3, help="iterative-recall rounds")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--keep", default=None, help="folder to keep both models and their reports in")
    args = ap.parse_args()

    data = _folder("benchmarks", args.data_dir, None, "set MATHFORGE_DATA_DIR or pass --data-dir")
    if data is None:
        return 2
    web = _folder("web sample", args.web_dir, data.parent / "web", "web pages are left out of both runs")
    zh = _folder(
        "Ape210K", args.zh_dir, data.parent / "zh" / "ape210k", "the 'after' run trains without Ape210K"
    )
    if zh is None and args.zh_dir:
        zh = Path(args.zh_dir)  # missing: the training notes say so again

    from mathforge.corpus import classifier_training as T
    from mathforge.corpus.classifier import MathClassifier, metrics
    from mathforge.corpus.classifier_data import build_default_data

    params = T.FAST_PARAMS if args.fast else T.DEFAULT_PARAMS
    limit = 1500 if args.fast else None
    print(
        f"settings: {'fast' if args.fast else 'default'} {params}, rounds={args.rounds}, limit/source={limit}"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the notes below say what was skipped
        held = build_default_data(data, web, args.seed, limit_per_source=limit, zh_dir=zh).heldout
    models: dict[str, MathClassifier] = {}
    with tempfile.TemporaryDirectory(prefix="clf-quality-") as tmp_dir:
        tmp = args.keep or tmp_dir
        for name, chinese in (("before", False), ("after", True)):
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rep = T.train_classifier(
                    Path(tmp) / f"{name}.bin",
                    data,
                    web,
                    rounds=args.rounds,
                    seed=args.seed,
                    threshold=args.threshold,
                    limit_per_source=limit,
                    params=params,
                    chinese=chinese,
                    zh_dir=zh,
                )
            models[name] = MathClassifier.load(Path(tmp) / f"{name}.bin")
            d = rep["data"]
            print(
                f"{name:6s}: trained on {d['seed_pos']:,} positives + {d['seed_neg']:,} negatives "
                f"(+ pool {d['pool']:,}) in {time.perf_counter() - t0:.0f} s"
            )
            for note in d["notes"]:
                print(f"        note: {note}")

    scores = {name: model.score([s.text for s in held]) for name, model in models.items()}
    labels = np.asarray([s.label for s in held])
    langs = np.asarray([s.lang for s in held])
    real = np.asarray([s.label == 1 or not s.source.startswith("gen") for s in held])

    print(f"\nsource-held-out items (never trained on), threshold {args.threshold}:")
    for lang in ("en", "zh"):
        kinds: dict[str, int] = {}
        for s in held:
            if s.lang == lang:
                kind = s.source if s.source.startswith(("bench:", "gen", "zh-")) else s.source.split(":")[0]
                kinds[kind] = kinds.get(kind, 0) + 1
        print(f"  {lang}: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))

    header = (
        f"{'lang':4s} {'negatives':9s} {'model':7s} {'precision':>9s} {'recall':>7s} {'F1':>6s} "
        f"{'FPR':>6s} {'n_pos':>6s} {'n_neg':>6s}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for lang in ("en", "zh"):
        if not (langs == lang).any():
            print(f"{lang:4s} (no held-out items)")
            continue
        for neg_kind, keep in (("all", np.ones_like(real)), ("real neg.", real)):
            for name, sc in scores.items():
                pos = sc[(langs == lang) & (labels == 1)]
                neg = sc[(langs == lang) & (labels == 0) & keep]
                m = metrics(pos, neg, args.threshold)
                print(
                    f"{lang:4s} {neg_kind:9s} {name:7s} {m['precision']:9.4f} {m['recall']:7.4f} "
                    f"{m['f1']:6.4f} {m['false_positive_rate']:6.4f} {m['n_pos']:6d} {m['n_neg']:6d}"
                )

    print("\nChinese held-out sources: share scored as math (recall for math, false-positive rate otherwise)")
    zh_sources = sorted({s.source for s in held if s.lang == "zh" and not s.source.startswith("warc:")})
    groups = [(src, np.asarray([s.source == src for s in held])) for src in zh_sources]
    groups.append(("web pages (warc/html)", (langs == "zh") & ~np.isin([s.source for s in held], zh_sources)))
    print(f"  {'source':34s} {'n':>5s} {'before':>7s} {'after':>7s}")
    for src, mask in groups:
        if mask.any():
            row = "".join(f" {(scores[name][mask] >= args.threshold).mean():7.3f}" for name in scores)
            print(f"  {src:34s} {int(mask.sum()):5d}{row}")

    print("\npaired, same items (all negatives): accuracy after − before")
    for lang in ("en", "zh"):
        mask = langs == lang
        if not mask.any():
            continue
        a, b = ((scores[n][mask] >= args.threshold) == (labels[mask] == 1) for n in ("before", "after"))
        lo, hi, p = _paired(a, b)
        print(
            f"  {lang}: {a.mean():.4f} → {b.mean():.4f}  difference {b.mean() - a.mean():+.4f}  "
            f"95% CI [{lo:+.4f}, {hi:+.4f}]  McNemar p={p:.3g}  (n={len(a)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
