"""Is B better than A? A paired comparison of two evaluations over the same items.

Two accuracies with overlapping Wilson intervals prove nothing either way; what matters is how the
*same* items changed. For each benchmark: the difference in first-sample accuracy, a 95% paired-bootstrap
interval of it (items resampled with replacement, both runs together), an exact two-sided McNemar
p-value from the discordant items (right in one run only), and the items that changed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from math import comb
from pathlib import Path
from typing import Any

from mathforge.stage_io import read_jsonl


class CompareError(ValueError):
    """The two runs cannot be compared item by item: the message says why."""


def mcnemar_exact(b: int, c: int) -> float:
    """Exact two-sided McNemar p-value: ``b`` items right only in A, ``c`` right only in B. Under the
    null each discordant item is a fair coin, so p = 2·P(Binomial(b + c, ½) ≤ min(b, c)), capped at 1."""
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    tail = sum(comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def paired_bootstrap(a: list[bool], b: list[bool], n: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """95% interval of mean(b) − mean(a), resampling items (pairs) with replacement."""
    if len(a) != len(b) or not a:
        raise ValueError("paired_bootstrap needs two equally long, non-empty lists")
    diffs = [int(y) - int(x) for x, y in zip(a, b, strict=True)]
    rng = random.Random(seed)
    m = len(diffs)
    stats = sorted(sum(diffs[rng.randrange(m)] for _ in range(m)) / m for _ in range(n))
    return stats[int(0.025 * n)], stats[min(n - 1, int(0.975 * n))]


@dataclass
class PairedResult:
    """A vs B on one benchmark's items."""

    benchmark: str
    items: int
    accuracy_a: float
    accuracy_b: float
    ci95: tuple[float, float]
    only_a: list[str] = field(default_factory=list)  # item ids right in A only
    only_b: list[str] = field(default_factory=list)  # item ids right in B only

    @property
    def difference(self) -> float:
        return self.accuracy_b - self.accuracy_a

    @property
    def p_value(self) -> float:
        return mcnemar_exact(len(self.only_a), len(self.only_b))

    @property
    def holds(self) -> bool:
        """The change is unlikely under "no difference" (p < 0.05)."""
        return self.p_value < 0.05

    def to_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "items": self.items,
            "accuracy_a": self.accuracy_a,
            "accuracy_b": self.accuracy_b,
            "difference": self.difference,
            "ci95": list(self.ci95),
            "p_value": self.p_value,
            "holds": self.holds,
            "only_a": self.only_a,
            "only_b": self.only_b,
        }


def compare_correct(benchmark: str, a: dict[str, bool], b: dict[str, bool], seed: int = 0) -> PairedResult:
    """Compare two {item id: first sample correct} maps over exactly the same items."""
    if set(a) != set(b):
        missing_b, missing_a = sorted(set(a) - set(b)), sorted(set(b) - set(a))
        what = f"{len(missing_b)} item(s) only in A (first: {missing_b[0]})" if missing_b else ""
        what += ("; " if what and missing_a else "") + (
            f"{len(missing_a)} item(s) only in B (first: {missing_a[0]})" if missing_a else ""
        )
        raise CompareError(
            f"{benchmark}: the runs are over different items — {what}; rerun both on the same items"
        )
    if not a:
        raise CompareError(f"{benchmark}: no items to compare")
    ids = sorted(a)
    xa, xb = [a[i] for i in ids], [b[i] for i in ids]
    return PairedResult(
        benchmark=benchmark,
        items=len(ids),
        accuracy_a=sum(xa) / len(ids),
        accuracy_b=sum(xb) / len(ids),
        ci95=paired_bootstrap(xa, xb, seed=seed),
        only_a=[i for i in ids if a[i] and not b[i]],
        only_b=[i for i in ids if b[i] and not a[i]],
    )


def _samples(run: Path) -> dict[str, dict[str, bool]]:
    """{benchmark: {item id: first sample correct}} from an evaluation folder's ``BENCH/samples.jsonl``."""
    run = Path(run)
    if not (run / "metrics.json").is_file():
        raise CompareError(
            f"{run}: not an evaluation folder (no metrics.json); pass the --out of `mathforge eval`"
        )
    out: dict[str, dict[str, bool]] = {}
    for samples in sorted(run.glob("*/samples.jsonl")):
        out[samples.parent.name] = {str(r["id"]): bool(r["correct"][0]) for r in read_jsonl(samples)}
    if not out:
        raise CompareError(f"{run}: no BENCH/samples.jsonl inside")
    return out


def compare_runs(run_a: str | Path, run_b: str | Path, seed: int = 0) -> list[PairedResult]:
    """Every benchmark both evaluation folders hold, compared item by item."""
    a, b = _samples(Path(run_a)), _samples(Path(run_b))
    common = sorted(set(a) & set(b))
    if not common:
        raise CompareError(
            f"no benchmark in common: {run_a} has {', '.join(sorted(a))}; {run_b} has {', '.join(sorted(b))}"
        )
    return [compare_correct(name, a[name], b[name], seed) for name in common]


def format_p(p: float) -> str:
    return f"{p:.2g}" if p >= 0.001 else f"{p:.1e}"
