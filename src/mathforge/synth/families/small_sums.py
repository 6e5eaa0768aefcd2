"""The tiny recipe's task, behind the README's headline numbers; checked by ``arithmetic``'s check."""

from __future__ import annotations

import random

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families.arithmetic import check_arithmetic


def make_small_sums(rng: random.Random, lang: str, level: int) -> Draft:
    """Sums and differences of small numbers: what a model of a few million parameters learns in
    minutes on a CPU (the tiny recipe's task); level 1 one-digit sums, 2 up to 20 with differences,
    3 up to 99."""
    top = {1: 9, 2: 20, 3: 99}[level]
    a, b = rng.randint(0, top), rng.randint(0, top)
    op = "+" if level == 1 else rng.choice("+-")
    value = a + b if op == "+" else a - b
    q = pick(lang, f"What is ${a} {op} {b}$?", f"${a} {op} {b}$ 等于多少？")
    cot = pick(lang, f"${a} {op} {b} = {value}$. ", f"${a} {op} {b} = {value}$。") + boxed(str(value), lang)
    return Draft(q, str(value), cot, f"print({a} {op} {b})\n", "number", {"a": a, "b": b, "op": op})


FAMILIES = (
    Family(
        "small_sums",
        "sums and differences of small numbers (the tiny recipe's task)",
        make_small_sums,
        check_arithmetic,
    ),
)
