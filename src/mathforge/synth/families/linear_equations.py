"""Linear equations in one unknown; ``check`` substitutes the root back."""

from __future__ import annotations

import random
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._format import tex_rational


def make_linear(rng: random.Random, lang: str, level: int) -> Draft:
    a = rng.choice([x for x in range(-9, 10) if x not in (0, 1)])
    x = (
        Fraction(rng.randint(-12, 12))
        if level == 1
        else Fraction(rng.randint(-20, 20), rng.choice([1, 2, 3, 4, 5]))
    )
    b = rng.randint(-30, 30)
    c = a * x + b
    if level == 3:  # variables on both sides: a x + b = d x + e
        d = rng.choice([v for v in range(-9, 10) if v not in (0, a)])
        e = c - d * x
        lhs, rhs = (
            f"{a}x {'+' if b >= 0 else '-'} {abs(b)}",
            f"{d}x {'+' if e >= 0 else '-'} {tex_rational(abs(e))}",
        )
        steps = f"Collect terms: $({a} - ({d}))x = {tex_rational(e)} - ({b})$, so $x = {tex_rational(x)}$."
        data = {"a": a, "b": b, "d": d, "e": [e.numerator, e.denominator]}
    else:
        lhs, rhs = f"{a}x {'+' if b >= 0 else '-'} {abs(b)}", tex_rational(c)
        steps = f"Subtract {b} and divide by {a}: $x = \\frac{{{tex_rational(c)} - ({b})}}{{{a}}} = {tex_rational(x)}$."
        data = {"a": a, "b": b, "d": 0, "e": [c.numerator, c.denominator]}
    q = pick(lang, f"Solve for $x$: ${lhs} = {rhs}$.", f"解方程：${lhs} = {rhs}$，求 $x$。")
    cot = pick(
        lang,
        steps + " ",
        steps.replace("Collect terms:", "移项合并：")
        .replace("Subtract", "两边减去")
        .replace("and divide by", "再除以")
        .replace("so", "所以")
        + " ",
    ) + boxed(tex_rational(x), lang)
    code = f"from sympy import symbols, Eq, solve, Rational\nx = symbols('x')\nprint(solve(Eq({a}*x + ({b}), {data['d']}*x + Rational({data['e'][0]}, {data['e'][1]})), x)[0])\n"
    return Draft(q, tex_rational(x), cot, code, "number", data)


def check_linear(d: Draft) -> bool:
    from mathforge.grade.numeric import evaluate

    value = evaluate(d.answer)
    if value is None or not value.exact:
        return False
    x = value.value
    e = Fraction(*d.data["e"])
    return d.data["a"] * x + d.data["b"] == d.data["d"] * x + e  # substitute the root back


FAMILIES = (Family("linear_equations", "linear equations in one unknown", make_linear, check_linear),)
