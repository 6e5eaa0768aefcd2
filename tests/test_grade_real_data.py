"""Real benchmark data: every gold solution/answer graded against its own gold must be `correct`, the
same answers wrapped in a model-style sentence too, and different records' answers must not match."""

from __future__ import annotations

import itertools
import re

import pytest
from realdata import SETS, self_consistency_items

from mathforge.grade import GradeItem, grade_many

# Records whose gold answer is empty upstream: nothing to grade against.
EMPTY_GOLD = {"gaokao2023en:167", "gaokao2023en:192"}


@pytest.mark.parametrize("name", SETS)
def test_gold_grades_correct_against_itself(bench_dir, name):
    items = [(rid, it) for rid, it in self_consistency_items(bench_dir, name) if rid not in EMPTY_GOLD]
    results = grade_many([it for _, it in items], workers=2, timeout=5)
    misses = [
        (rid, it.gold, r.pred, r.verdict, r.reason)
        for (rid, it), r in zip(items, results, strict=False)
        if not r.correct
    ]
    rate = 1 - len(misses) / len(items)
    print(f"\n{name}: {len(items) - len(misses)}/{len(items)} = {100 * rate:.2f}% self-consistent")
    assert not misses, f"{name}: {len(misses)} misses, first: {misses[:5]}"


def _wrap(it: GradeItem, i: int) -> GradeItem:
    """The gold answer as a model would end a chain of thought, in rotating phrasings."""
    g = it.gold.strip().strip("$")
    if it.kind == "choice":
        return GradeItem(it.gold, f"Checking each option in turn, the answer is ({g}).", "choice", "choice")
    if it.kind == "cloze":
        boxes = "，".join(f"$\\boxed{{{b.strip().strip('$')}}}$" for b in it.gold.split(";"))
        return GradeItem(it.gold, f"由已知条件计算可得，依次填 {boxes}。", "cloze", "cloze")
    forms = [
        f"Putting everything together, we get $\\boxed{{{g}}}$.",
        f"After simplifying, the final answer is $\\boxed{{{g}}}$.",
        f"Final Answer: The final answer is ${g}$. I hope it is correct.",
        f"综上所述，答案为 $\\boxed{{{g}}}$。",
    ]
    return GradeItem(it.gold, forms[i % len(forms)], "auto", it.kind)


@pytest.mark.parametrize("name", SETS)
def test_gold_wrapped_in_model_phrasing_grades_correct(bench_dir, name):
    items = [(rid, _wrap(it, i)) for i, (rid, it) in enumerate(self_consistency_items(bench_dir, name))]
    items = [(rid, it) for rid, it in items if rid not in EMPTY_GOLD and it.gold.strip()]
    results = grade_many([it for _, it in items], workers=2, timeout=5)
    misses = [
        (rid, it.gold, r.pred, r.reason)
        for (rid, it), r in zip(items, results, strict=False)
        if not r.correct
    ]
    print(f"\n{name}: {len(items) - len(misses)}/{len(items)} wrapped answers graded correct")
    assert not misses, f"{name}: {len(misses)} misses, first: {misses[:5]}"


def _plain(gold: str) -> str:
    """A plain normalisation that is not the grader's: spacing, dollar signs, sizing commands and
    ``\\dfrac``; what it leaves different is written differently, whatever the grader thinks of it."""
    s = gold.strip().strip("$").rstrip(".")
    for a, b in (("\\left", ""), ("\\right", ""), ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\!", "")):
        s = s.replace(a, b)
    s = re.sub(r"\\[,;: ]|\s+", "", s)
    try:
        return repr(float(s.replace(",", "")))
    except ValueError:
        return s


# Neighbouring golds that are written differently yet denote the same answer: each was checked by hand.
SAME_VALUE = {
    ("math500", "5", "x=5"),  # a value and the equation that states it: the grader drops a leading "x ="
    ("gaokao2023en", "$-2$", "$\\{-2\\}$"),  # a one-element solution set and its element
}


@pytest.mark.parametrize("name", ["math500", "gaokao2023en", "cmath"])
def test_neighbouring_records_answers_are_not_equal(bench_dir, name):
    """False positives on real answer formats: record i's answer against record i+1's gold. The pairs
    are chosen without the grader — golds that differ after a plain normalisation — and every one of
    them must be graded `wrong` (apart from the hand-checked equal values in SAME_VALUE)."""
    items = [it for rid, it in self_consistency_items(bench_dir, name) if rid not in EMPTY_GOLD]
    golds = [it.gold for it in items]
    pairs = [
        (a, b)
        for a, b in itertools.pairwise(golds)
        if a.strip() and b.strip() and _plain(a) != _plain(b) and (name, a, b) not in SAME_VALUE
    ]
    assert len(pairs) > 0.8 * (len(golds) - 1)
    results = grade_many([GradeItem(a, f"So the answer is $\\boxed{{{b}}}$.") for a, b in pairs], workers=2)
    false_pos = [(a, b, r.reason) for (a, b), r in zip(pairs, results, strict=False) if r.correct]
    print(f"\n{name}: {len(pairs)} cross pairs, {len(false_pos)} graded correct")
    assert not false_pos
