"""Selection strategies applied to an evaluation's sample rows, and their scores.

``mathforge eval --n N --select maj,rm,...`` generates N samples per problem once; every strategy then
chooses among those same samples (so their accuracies are paired, item by item). GenSelect's own
generations go through the run's result cache like any other generation, so a rerun does not redo them.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

from mathforge.evaluate.cache import ResultCache, cache_key
from mathforge.evaluate.selection import Sample, choose, genselect_many, verify_candidates
from mathforge.infer import Backend, SamplingParams
from mathforge.prompts import Prompt

GENSELECT_MAX_TOKENS = 512


def samples_of(row: dict[str, Any], verified: Sequence[bool | None] | None = None) -> list[Sample]:
    rewards = row.get("rm_scores") or [None] * len(row["preds"])
    verified = verified or [None] * len(row["preds"])
    return [
        Sample(a, t, bool(c), r, v)
        for a, t, c, r, v in zip(row["preds"], row["outputs"], row["correct"], rewards, verified, strict=True)
    ]


def select_rows(
    rows: list[dict[str, Any]],
    strategies: Sequence[str],
    *,
    judge: Callable[[list[str]], list[str]] | None = None,
    sandbox=None,
) -> None:
    """Fill ``row["select"][strategy] = {"index", "answer", "correct", "why"}`` for every row."""
    verified: list[list[bool | None] | None] = [None] * len(rows)
    if "verify" in strategies:
        if sandbox is None:
            raise ValueError("the verify strategy needs a sandbox")
        verified = [verify_candidates(r["question"], r["preds"], sandbox) for r in rows]
    sets = [samples_of(r, v) for r, v in zip(rows, verified, strict=True)]
    chosen: dict[str, list] = {}
    for strategy in strategies:
        if strategy == "genselect":
            if judge is None:
                raise ValueError("the genselect strategy needs a model to judge")
            chosen[strategy] = genselect_many([r["question"] for r in rows], sets, judge)
        else:
            chosen[strategy] = [choose(strategy, s) for s in sets]
    for i, (row, samples) in enumerate(zip(rows, sets, strict=True)):
        row["select"] = {}
        for strategy, choices in chosen.items():
            c = choices[i]
            pick = samples[c.index] if c.index is not None else None
            row["select"][strategy] = {
                "index": c.index,
                "answer": pick.answer if pick else None,
                "correct": bool(pick and pick.correct),
                "why": c.why,
            }
        if verified[i] is not None:
            row["verified"] = verified[i]


def make_judge(
    backend: Backend, cache: ResultCache, identity: dict[str, Any], label: str, max_tokens: int
) -> Callable[[list[str]], list[str]]:
    """GenSelect's judge: the evaluated model itself, greedy, without tools, its answers cached."""
    inner = getattr(backend, "inner", backend)  # a tool-integrated run judges in plain text
    params = SamplingParams(n=1, temperature=0.0, max_tokens=max_tokens)

    def judge(texts: list[str]) -> list[str]:
        prompts = [Prompt(({"role": "user", "content": t},), t, "genselect") for t in texts]
        keys = [cache_key(inner.model_id, identity, p.key(), params.to_dict(), label) for p in prompts]
        have = cache.get_many(keys)
        todo = [i for i, k in enumerate(keys) if k not in have]
        if todo:
            gens = inner.generate([prompts[i] for i in todo], params)
            cache.put_many([(keys[i], label, g) for i, g in zip(todo, gens, strict=True)])
            have.update({keys[i]: g for i, g in zip(todo, gens, strict=True)})
        return [have[k][0].text for k in keys]

    return judge


def avg_at_k(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """avg@k: mean accuracy over each problem's k samples, and its standard error across problems (how
    R1-style models are reported)."""
    per_problem = [sum(r["correct"]) / len(r["correct"]) for r in rows if r["correct"]]
    k = len(rows[0]["correct"]) if rows else 0
    if not per_problem:
        return {"k": k, "mean": 0.0, "se": 0.0}
    se = statistics.stdev(per_problem) / len(per_problem) ** 0.5 if len(per_problem) > 1 else 0.0
    return {"k": k, "mean": statistics.fmean(per_problem), "se": se}


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def cost(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Length and cost of a run: tokens per sample (mean, p50, p95), the share cut at the token limit,
    tokens per correct answer, and seconds per problem."""
    tokens = [t for r in rows for t in r.get("tokens", ())]
    finish = [f for r in rows for f in r.get("finish", ())]
    correct = sum(sum(r["correct"]) for r in rows)
    seconds = [sum(r.get("seconds", ())) for r in rows]
    return {
        "tokens_mean": statistics.fmean(tokens) if tokens else 0.0,
        "tokens_p50": _percentile(tokens, 0.5),
        "tokens_p95": _percentile(tokens, 0.95),
        "truncated_share": sum(f == "length" for f in finish) / len(finish) if finish else 0.0,
        "tokens_per_correct": sum(tokens) / correct if correct else None,
        "seconds_per_problem": statistics.fmean(seconds) if seconds else 0.0,
    }


def run_metrics(rows: Sequence[dict[str, Any]], n: int, strategies: Sequence[str]) -> dict[str, Any]:
    """What a run adds to ``score``: its cost, avg@k (n > 1), and each selection strategy's accuracy with
    a Wilson interval (all on the same samples: compare them with paired tests, not the intervals)."""
    from mathforge.evaluate.metrics import wilson_interval

    out: dict[str, Any] = {"cost": cost(rows)}
    if n > 1:
        out["avg@k"] = avg_at_k(rows)
    if strategies and rows and all("select" in r for r in rows):
        table = {}
        for s in strategies:
            right = sum(r["select"][s]["correct"] for r in rows)
            answered = sum(r["select"][s]["index"] is not None for r in rows)
            lo, hi = wilson_interval(right, len(rows))
            table[s] = {"accuracy": right / len(rows), "ci95": [lo, hi], "answered": answered / len(rows)}
        out["select"] = table
    return out
