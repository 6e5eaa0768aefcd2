"""Quadratics: real roots (rational or surd), the vertex, and Vieta's formulas.

``check`` substitutes the roots with sympy, tests the vertex by the curve's symmetry, and recomputes
Vieta expressions from sympy's roots.
"""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._format import (
    paren_if_negative,
    parse_gold_number,
    parse_gold_pair,
    squarefree_split,
    sympy_x_program,
    tex_rational,
)


def _quadratic_tex(a: int, b: int, c: int) -> str:
    """a x² + b x + c in LaTeX as ``x^2`` (``_polynomials.poly_tex`` writes ``x^{2}``; kept apart so that
    existing items stay byte-identical)."""
    s = f"{'-' if a < 0 else ''}{'' if abs(a) == 1 else abs(a)}x^2"
    if b:
        s += f" {'-' if b < 0 else '+'} {'' if abs(b) == 1 else abs(b)}x"
    if c:
        s += f" {'-' if c < 0 else '+'} {abs(c)}"
    return s


def _irrational_roots(a: int, b: int, c: int) -> tuple[str, str]:
    disc = b * b - 4 * a * c
    k, m = squarefree_split(disc)
    g = math.gcd(math.gcd(abs(b), k), 2 * a)
    p, kk, den = -b // g, k // g, 2 * a // g
    rad = f"\\sqrt{{{m}}}" if kk == 1 else f"{kk}\\sqrt{{{m}}}"
    if den == 1:
        return (f"{p}+{rad}", f"{p}-{rad}") if p else (rad, f"-{rad}")
    if p == 0:
        return f"\\frac{{{rad}}}{{{den}}}", f"-\\frac{{{rad}}}{{{den}}}"
    return f"\\frac{{{p}+{rad}}}{{{den}}}", f"\\frac{{{p}-{rad}}}{{{den}}}"


def _make_roots(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    if level == 1:
        r1, r2 = rng.sample(range(-12, 13), 2)
        lead = rng.choice([1, 1, 1, 1, 2, 3, -1])
        a, b, c = lead, -lead * (r1 + r2), lead * r1 * r2
        mb, mc = -(r1 + r2), r1 * r2  # the monic form x^2 + mb x + mc
        ans = f"{r1}, {r2}"
        f1 = f"(x {'-' if r1 >= 0 else '+'} {abs(r1)})" if r1 else "x"
        f2 = f"(x {'-' if r2 >= 0 else '+'} {abs(r2)})" if r2 else "x"
        cot = ""
        if lead != 1:
            cot = pick(
                lang,
                f"Divide both sides by ${lead}$: ${_quadratic_tex(1, mb, mc)} = 0$. ",
                f"两边同除以 ${lead}$：${_quadratic_tex(1, mb, mc)} = 0$。",
            )
        cot += pick(
            lang,
            f"Look for two numbers whose product is ${mc}$ and whose sum is ${-mb}$: they are ${r1}$ and ${r2}$. "
            f"So ${_quadratic_tex(1, mb, mc)} = {f1}{f2}$, and $x = {r1}$ or $x = {r2}$. ",
            f"找两个数，积为 ${mc}$，和为 ${-mb}$：它们是 ${r1}$ 和 ${r2}$。于是 ${_quadratic_tex(1, mb, mc)} = {f1}{f2}$，"
            f"所以 $x = {r1}$ 或 $x = {r2}$。",
        )
    else:
        while True:
            if level == 2:
                p1, p2 = rng.randint(1, 4), rng.randint(1, 4)
                q1, q2 = rng.randint(-9, 9), rng.randint(-9, 9)
                a, b, c = p1 * p2, -(p1 * q2 + p2 * q1), q1 * q2
                g = math.gcd(math.gcd(a, abs(b)), abs(c))
                a, b, c = a // g, b // g, c // g
                if a == 1 or Fraction(q1, p1) == Fraction(q2, p2):
                    continue
            else:
                a, b, c = rng.randint(1, 3), rng.randint(-10, 10), rng.randint(-12, 12)
                if math.gcd(math.gcd(a, abs(b)), abs(c)) != 1:
                    continue
                disc = b * b - 4 * a * c
                if disc <= 0 or math.isqrt(disc) ** 2 == disc:
                    continue
            break
        disc = b * b - 4 * a * c
        sq = math.isqrt(disc)
        if sq * sq == disc:
            x1, x2 = Fraction(-b + sq, 2 * a), Fraction(-b - sq, 2 * a)
            roots = (tex_rational(x1), tex_rational(x2))
            tail = f"x = \\frac{{{-b} \\pm {sq}}}{{{2 * a}}}"
        else:
            k, m = squarefree_split(disc)
            roots = _irrational_roots(a, b, c)
            tail = f"x = \\frac{{{-b} \\pm {'' if k == 1 else k}\\sqrt{{{m}}}}}{{{2 * a}}}"
        ans = ", ".join(roots)
        cot = pick(
            lang,
            f"Use the quadratic formula with $a = {a}$, $b = {b}$, $c = {c}$: the discriminant is "
            f"$b^2 - 4ac = {b * b} - {paren_if_negative(4 * a * c)} = {disc}$, so ${tail}$, giving $x = {roots[0]}$ or $x = {roots[1]}$. ",
            f"用求根公式，$a = {a}$，$b = {b}$，$c = {c}$：判别式 $b^2 - 4ac = {b * b} - {paren_if_negative(4 * a * c)} = {disc}$，"
            f"所以 ${tail}$，即 $x = {roots[0]}$ 或 $x = {roots[1]}$。",
        )
    q = pick(
        lang,
        f"Find all real solutions of ${_quadratic_tex(a, b, c)} = 0$.",
        f"求方程 ${_quadratic_tex(a, b, c)} = 0$ 的所有实数根。",
    )
    code = sympy_x_program(
        "Rational, solve", f"print(', '.join(str(r) for r in solve({a}*x**2 + ({b})*x + ({c}), x)))\n"
    )
    return q, ans, cot, code, {"sub": "roots", "abc": [a, b, c]}


def _make_vertex(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    while True:
        a = rng.choice([-3, -2, -1, 1, 2, 3])
        b, c = rng.randint(-12, 12), rng.randint(-15, 15)
        h = Fraction(-b, 2 * a)
        if b and (level == 3 or h.denominator == 1):
            break
    k = a * h * h + b * h + c
    ans = f"({tex_rational(h)}, {tex_rational(k)})"
    chain = f"h = -\\frac{{b}}{{2a}} = -\\frac{{{b}}}{{{2 * a}}} = {tex_rational(h)}"
    hs = tex_rational(h) if h >= 0 else f"\\left({tex_rational(h)}\\right)"
    cterm = f" {'+' if c >= 0 else '-'} {abs(c)}" if c else ""
    kchain = f"k = {a} \\cdot {hs}^2 {'+' if b >= 0 else '-'} {abs(b)} \\cdot {hs}{cterm} = {tex_rational(k)}"
    q = pick(
        lang,
        f"Find the vertex of the parabola $y = {_quadratic_tex(a, b, c)}$. Give it as $(h, k)$.",
        f"求抛物线 $y = {_quadratic_tex(a, b, c)}$ 的顶点坐标，写成 $(h, k)$ 的形式。",
    )
    cot = pick(
        lang,
        f"The axis of symmetry is ${chain}$. Substituting, ${kchain}$. ",
        f"对称轴为 ${chain}$。代入得 ${kchain}$。",
    )
    code = (
        "from fractions import Fraction\n\n"
        f"a, b, c = {a}, {b}, {c}\nh = Fraction(-b, 2 * a)\nk = a * h**2 + b * h + c\nprint(f'({{h}}, {{k}})')\n"
    )
    return q, ans, cot, code, {"sub": "vertex", "abc": [a, b, c]}


_VIETA = {
    "sum": ("r + s", "-\\frac{b}{a}"),
    "product": ("rs", "\\frac{c}{a}"),
    "squares": ("r^2 + s^2", "(r + s)^2 - 2rs"),
    "reciprocal": ("\\frac{1}{r} + \\frac{1}{s}", "\\frac{r + s}{rs}"),
    "diff2": ("(r - s)^2", "(r + s)^2 - 4rs"),
}


def _make_vieta(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    what = rng.choice(["sum", "product"] if level == 2 else ["squares", "reciprocal", "diff2", "squares"])
    while True:
        a, b, c = rng.randint(1, 5), rng.randint(-12, 12), rng.randint(-12, 12)
        if c and b * b - 4 * a * c > 0:
            break
    s, p = Fraction(-b, a), Fraction(c, a)
    value = {"sum": s, "product": p, "squares": s * s - 2 * p, "reciprocal": s / p, "diff2": s * s - 4 * p}[
        what
    ]
    target, formula = _VIETA[what]
    ans = tex_rational(value)
    q = pick(
        lang,
        f"Let $r$ and $s$ be the roots of ${_quadratic_tex(a, b, c)} = 0$. Find ${target}$.",
        f"设 $r$、$s$ 是方程 ${_quadratic_tex(a, b, c)} = 0$ 的两个根，求 ${target}$ 的值。",
    )
    base = f"r + s = -\\frac{{b}}{{a}} = {tex_rational(s)}, \\quad rs = \\frac{{c}}{{a}} = {tex_rational(p)}"
    step = "" if what in ("sum", "product") else f", \\quad {target} = {formula} = {ans}"
    cot = pick(
        lang,
        f"By Vieta's formulas, ${base}{step}$. ",
        f"由韦达定理，${base}{step}$。",
    )
    expr = {
        "sum": "r + s",
        "product": "r * s",
        "squares": "r**2 + s**2",
        "reciprocal": "1/r + 1/s",
        "diff2": "(r - s)**2",
    }[what]
    code = sympy_x_program(
        "nsimplify, simplify, solve",
        f"r, s = solve({a}*x**2 + ({b})*x + ({c}), x)\nprint(nsimplify(simplify({expr})))\n",
    )
    return q, ans, cot, code, {"sub": "vieta", "abc": [a, b, c], "what": what}


def make_quadratics(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1:
        maker = _make_roots
    else:
        maker = rng.choices([_make_roots, _make_vertex, _make_vieta], weights=[5, 2, 3])[0]
    q, ans, cot, code, data = maker(rng, lang, level)
    return Draft(q, ans, cot + boxed(ans, lang), code, "expr", data)


_SQRT_RE = re.compile(r"(\d*)\\sqrt\{(\d+)\}")
_TEXFRAC_RE = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")


def _tex_to_sympy(s: str):
    """The restricted LaTeX of a root (``\\frac{-3+2\\sqrt{5}}{4}``) → an exact sympy number."""
    import sympy

    s = _SQRT_RE.sub(lambda m: f"{m.group(1) or 1}*sqrt({m.group(2)})", s)
    while _TEXFRAC_RE.search(s):
        s = _TEXFRAC_RE.sub(r"((\1)/(\2))", s)
    if not re.fullmatch(r"[-+*/() 0-9sqrt]+", s):
        raise ValueError(s)
    return sympy.sympify(s)


def check_quadratics(d: Draft) -> bool:
    import sympy

    a, b, c = d.data["abc"]
    sub = d.data["sub"]
    try:
        if sub == "roots":  # two distinct numbers, each a root: that is all the roots of a quadratic
            items = d.answer.split(", ")
            if len(items) != 2:
                return False
            r = [_tex_to_sympy(t) for t in items]
            if sympy.expand(r[0] - r[1]) == 0:
                return False
            return all(sympy.expand(a * x**2 + b * x + c) == 0 for x in r)
        if sub == "vertex":  # on the curve, and the curve is symmetric about x = h
            pair = parse_gold_pair(d.answer)
            if pair is None:
                return False
            h, k = pair

            def f(t: Fraction) -> Fraction:
                return a * t * t + b * t + c

            return f(h) == k and f(h + 1) == f(h - 1)
        if sub == "vieta":  # the roots themselves, from sympy, put into the asked expression
            v = parse_gold_number(d.answer)
            if v is None:
                return False
            x = sympy.Symbol("x")
            roots = list(sympy.roots(sympy.Poly(a * x**2 + b * x + c, x)))
            if len(roots) != 2:
                return False
            r, s = roots
            expr = {
                "sum": r + s,
                "product": r * s,
                "squares": r**2 + s**2,
                "reciprocal": 1 / r + 1 / s,
                "diff2": (r - s) ** 2,
            }[d.data["what"]]
            return sympy.expand(sympy.radsimp(sympy.expand(expr))) == sympy.Rational(
                v.numerator, v.denominator
            )
    except (ValueError, sympy.SympifyError, TypeError):
        return False
    return False


FAMILIES = (
    Family(
        "quadratics", "roots, vertex, and Vieta's formulas for quadratics", make_quadratics, check_quadratics
    ),
)
