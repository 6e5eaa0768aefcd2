"""What each stage bought, measured as a claim must be: for each consecutive pair of evaluated stages
(and CPT vs no CPT at equal SFT), on every evaluation set, the accuracy difference on the *same* items
with its 95% paired-bootstrap interval and exact McNemar p-value. A gain "holds" when p < 0.05."""

from __future__ import annotations

import itertools
from typing import Any

from mathforge.evaluate.compare import compare_correct
from mathforge.recipe.context import Context
from mathforge.stage_io import read_jsonl

CHAIN = ("base", "general", "cpt", "sft", "grpo")


def stage_pairs(evaluated: list[str]) -> list[tuple[str, str]]:
    """(before, after) pairs: consecutive stages of the training chain, and sft_nocpt → sft."""
    chain = [s for s in CHAIN if s in evaluated]
    pairs = list(itertools.pairwise(chain))
    if "sft_nocpt" in evaluated and "sft" in evaluated:
        pairs.append(("sft_nocpt", "sft"))
    return pairs


def _correct(ctx: Context, stage: str, bench: str) -> dict[str, bool] | None:
    samples = ctx.dir("eval") / stage / bench / bench / "samples.jsonl"
    if not samples.is_file():
        return None
    return {str(r["id"]): bool(r["correct"][0]) for r in read_jsonl(samples)}


def stage_gains(ctx: Context, evaluated: list[str], sets: list[str]) -> list[dict[str, Any]]:
    rows = []
    for before, after in stage_pairs(evaluated):
        for bench in sets:
            a, b = _correct(ctx, before, bench), _correct(ctx, after, bench)
            if a is None or b is None:
                continue
            res = compare_correct(bench, a, b).to_dict()
            rows.append(
                {"before": before, "after": after}
                | {k: v for k, v in res.items() if k not in ("only_a", "only_b")}
                | {"only_before": len(res["only_a"]), "only_after": len(res["only_b"])}
            )
    return rows
