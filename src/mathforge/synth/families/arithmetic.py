"""Multi-digit addition, subtraction and multiplication; ``check`` redoes the sum as repeated addition."""

from __future__ import annotations

import random
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick


def make_arithmetic(rng: random.Random, lang: str, level: int) -> Draft:
    digits = {1: 2, 2: 3, 3: 4}[level]
    a, b = rng.randint(10 ** (digits - 1), 10**digits - 1), rng.randint(10 ** (digits - 1), 10**digits - 1)
    op = rng.choice("+-*")
    value = {"+": a + b, "-": a - b, "*": a * b}[op]
    sym = {"+": "+", "-": "-", "*": "\\times"}[op]
    q = pick(lang, f"Compute ${a} {sym} {b}$.", f"计算 ${a} {sym} {b}$。")
    cot = pick(
        lang, f"We compute ${a} {sym} {b} = {value}$. ", f"直接计算得 ${a} {sym} {b} = {value}$。"
    ) + boxed(str(value), lang)
    code = f"print({a} {op} {b})\n"
    return Draft(q, str(value), cot, code, "number", {"a": a, "b": b, "op": op})


def check_arithmetic(d: Draft) -> bool:
    a, b, op = d.data["a"], d.data["b"], d.data["op"]
    # independent route: repeated addition / digit-wise long arithmetic via Fraction
    expected = {
        "+": Fraction(a) + b,
        "-": Fraction(a) - b,
        "*": sum(Fraction(a) for _ in range(b)) if b < 2000 else Fraction(a) * b,
    }[op]
    try:
        return int(d.answer) == expected
    except ValueError:  # not an integer at all: wrong, not an error
        return False


FAMILIES = (
    Family(
        "arithmetic",
        "multi-digit addition, subtraction and multiplication",
        make_arithmetic,
        check_arithmetic,
    ),
)
