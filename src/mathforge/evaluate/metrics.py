"""Scores: accuracy with a confidence interval, maj@k, unbiased pass@k, and breakdowns."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from mathforge.grade.normalize import normalise


def wilson_interval(correct: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval for a proportion (sound at small n and at 0% / 100%)."""
    if n == 0:
        return 0.0, 0.0
    p = correct / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k estimator of the Codex paper: 1 - C(n-c, k) / C(n, k)."""
    if n - c < k:
        return 1.0
    prod = 1.0
    for i in range(n - c + 1, n + 1):
        prod *= 1.0 - k / i
    return 1.0 - prod


def majority(answers: Sequence[str | None], correct: Sequence[bool]) -> tuple[str | None, float, bool]:
    """The most frequent answer (by normalised form), its vote share, and whether it is correct.
    Ties go to the answer that appeared first."""
    keys = [normalise(a).text if a else None for a in answers]
    counts = Counter(k for k in keys if k)
    if not counts:
        return None, 0.0, False
    best = max(counts, key=lambda k: (counts[k], -keys.index(k)))
    i = keys.index(best)
    return answers[i], counts[best] / len(answers), bool(correct[i])


def ks_for(n: int) -> list[int]:
    ks = [1]
    while ks[-1] * 2 <= n:
        ks.append(ks[-1] * 2)
    if ks[-1] != n:
        ks.append(n)
    return ks


def score(rows: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """Metrics for one benchmark; each row has ``correct`` (list per sample), ``preds`` and breakdown keys."""
    total = len(rows)
    first = sum(r["correct"][0] for r in rows)
    lo, hi = wilson_interval(first, total)
    out: dict[str, Any] = {
        "items": total,
        "accuracy": first / total if total else 0.0,
        "ci95": [lo, hi],
        "verdicts": dict(Counter(v for r in rows for v in r["verdicts"])),
        # outputs cut off by the token limit, and those of them with no stated final answer (graded
        # unparseable, reason "truncated"): a max_tokens problem, not a maths one
        "truncated": {
            "outputs": sum(f == "length" for r in rows for f in r.get("finish", ())),
            "no_answer": sum(x == "truncated" for r in rows for x in r.get("reasons", ())),
        },
    }
    if n > 1:
        out["maj@k"] = {"k": n, "accuracy": sum(r["majority_correct"] for r in rows) / max(1, total)}
        if rows and all("rm_correct" in r for r in rows):
            out["rm@k"] = {"k": n, "accuracy": sum(r["rm_correct"] for r in rows) / total}
        out["pass@k"] = {
            str(k): sum(pass_at_k(n, sum(r["correct"]), k) for r in rows) / max(1, total) for k in ks_for(n)
        }
        out["mean_accuracy"] = sum(sum(r["correct"]) / n for r in rows) / max(1, total)
    for key in ("subject", "level", "language"):
        groups: dict[str, list[bool]] = defaultdict(list)
        for r in rows:
            if r.get(key) not in (None, ""):
                groups[str(r[key])].append(bool(r["correct"][0]))
        if len(groups) > 1:
            out[f"by_{key}"] = {
                k: {"items": len(v), "accuracy": sum(v) / len(v)} for k, v in sorted(groups.items())
            }
    return out
