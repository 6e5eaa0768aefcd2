"""The first three families (arithmetic, order_of_operations, linear_equations): ≥500 draws each across
seeds, languages and levels, every gold re-verified independently; corrupted golds are rejected."""

from __future__ import annotations

import contextlib
import io
import random
import re
from dataclasses import replace

import pytest

from mathforge.grade import grade_many
from mathforge.synth.families import FAMILIES

NAMES = ["arithmetic", "order_of_operations", "linear_equations"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _draws(name: str, n: int = 540):
    fam = FAMILIES[name]
    out = []
    for i in range(n):
        lang, level = ("en", "zh")[i % 2], 1 + (i // 2) % 3
        out.append((lang, level, fam.make(random.Random(f"{i // 6}:{name}:{lang}:{level}:{i}"), lang, level)))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_gold_checks_and_solutions_agree(name):
    fam = FAMILIES[name]
    draws = _draws(name)
    assert all(fam.check(d) for _, _, d in draws)
    results = grade_many([(d.answer, d.cot, "boxed") for _, _, d in draws], workers=2)
    assert all(r.correct for r in results)
    for lang, _, d in draws:
        assert bool(CJK.search(d.question)) == (lang == "zh") and bool(CJK.search(d.cot)) == (lang == "zh")
    assert len({d.question for _, _, d in draws}) >= 0.9 * len(draws)


@pytest.mark.parametrize("name", NAMES)
def test_programs_print_the_gold(name):
    pairs = []
    for _, _, d in _draws(name)[:60]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(d.code, {"__name__": "__main__"})
        pairs.append((d.answer, buf.getvalue().strip().splitlines()[-1]))
    assert all(r.correct for r in grade_many(pairs, workers=2))


@pytest.mark.parametrize("name", NAMES)
def test_corrupted_golds_are_rejected(name):
    from mathforge.grade.numeric import evaluate

    fam = FAMILIES[name]
    for _, _, d in _draws(name, 120):
        value = evaluate(d.answer).value
        for wrong in (
            value + 1,
            value - 1,
            -value if value else value + 2,
            value * 10 if value else value + 3,
        ):
            bad = (
                f"{wrong.numerator}"
                if wrong.denominator == 1
                else f"\\frac{{{wrong.numerator}}}{{{wrong.denominator}}}"
            )
            assert not fam.check(replace(d, answer=bad)), (d.question, bad)
