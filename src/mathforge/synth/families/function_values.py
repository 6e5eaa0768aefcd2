"""Evaluating, composing and inverting polynomial and rational (Möbius) functions.

``make`` computes with Horner's rule on Fractions; ``check`` substitutes and expands with sympy.
"""

from __future__ import annotations

import random
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._answer_values import exact_rational, value_at
from mathforge.synth.families._format import (
    sympy_literal,
    sympy_x_program,
    tex_after_sign,
    tex_argument,
    tex_factor,
    tex_rational,
    to_pair,
)
from mathforge.synth.families._polynomials import (
    poly_compose,
    poly_eval,
    poly_python,
    poly_subst_tex,
    poly_tex,
    random_poly,
)

_NZ9 = [v for v in range(-9, 10) if v != 0]


def _mobius_tex(a: int, b: int, c: int, d: int) -> str:
    return f"\\frac{{{poly_tex([Fraction(b), Fraction(a)])}}}{{{poly_tex([Fraction(d), Fraction(c)])}}}"


def _mobius_python(a: int, b: int, c: int, d: int) -> str:
    return f"({a}*x + ({b})) / ({c}*x + ({d}))"


def _value_at(lang: str, ftex: str, f_py: str, t: Fraction, steps: str, ans: Fraction, data: dict) -> Draft:
    """Find f(t), for f written in LaTeX and as sympy source; ``steps`` is the work between f(t) and the
    value."""
    q = pick(
        lang,
        f"Let $f(x) = {ftex}$. Find $f{tex_argument(t)}$.",
        f"已知 $f(x) = {ftex}$，求 $f{tex_argument(t)}$ 的值。",
    )
    calc = f"$f{tex_argument(t)} = {steps} = {tex_rational(ans)}$"
    cot = pick(
        lang, f"Substitute $x = {tex_rational(t)}$: {calc}. ", f"将 $x = {tex_rational(t)}$ 代入：{calc}。"
    ) + boxed(tex_rational(ans), lang)
    code = sympy_x_program("Rational", f"f = {f_py}\nprint(f.subs(x, {sympy_literal(t)}))\n")
    return Draft(q, tex_rational(ans), cot, code, "number", data)


def _composite_at(
    lang: str,
    ftex: str,
    f_py: str,
    g: list[Fraction],
    t: Fraction,
    f_steps: str,
    ans: Fraction,
    then: tuple[str, str],
    data: dict,
) -> Draft:
    """Find f(g(t)) for a polynomial g, from the inside out: g(t), then f at that value with ``f_steps``
    the work in between; ``then`` joins the two steps (English, Chinese)."""
    inner = poly_eval(g, t)
    q = pick(
        lang,
        f"Let $f(x) = {ftex}$ and $g(x) = {poly_tex(g)}$. Find $f(g({tex_rational(t)}))$.",
        f"已知 $f(x) = {ftex}$，$g(x) = {poly_tex(g)}$，求 $f(g({tex_rational(t)}))$ 的值。",
    )
    g_step = f"$g({tex_rational(t)}) = {poly_subst_tex(g, t)} = {tex_rational(inner)}$"
    f_step = f"$f({tex_rational(inner)}) = {f_steps} = {tex_rational(ans)}$"
    cot = pick(
        lang,
        f"Work from the inside out: {g_step}{then[0]}{f_step}. ",
        f"由内向外计算：{g_step}{then[1]}{f_step}。",
    ) + boxed(tex_rational(ans), lang)
    code = sympy_x_program(
        "Rational", f"f = {f_py}\ng = {poly_python(g)}\nprint(f.subs(x, g.subs(x, {sympy_literal(t)})))\n"
    )
    return Draft(q, tex_rational(ans), cot, code, "number", data)


def _fv_poly(rng: random.Random, lang: str, level: int) -> Draft:
    deg = {1: 2, 2: 3, 3: rng.choice([3, 4])}[level]
    cs = random_poly(rng, deg, -9 if level == 1 else -6, 9 if level == 1 else 6)
    if level == 3:
        t = Fraction(rng.choice(_NZ9), rng.choice([2, 3]))
    elif level == 2:
        t = Fraction(rng.randint(-5, 5)) if rng.random() < 0.7 else Fraction(rng.choice([-3, -1, 1, 3, 5]), 2)
    else:
        t = Fraction(rng.randint(-5, 5))
    data = {"type": "poly", "f": [to_pair(c) for c in cs], "t": to_pair(t)}
    return _value_at(lang, poly_tex(cs), poly_python(cs), t, poly_subst_tex(cs, t), poly_eval(cs, t), data)


def _rand_mobius(rng: random.Random) -> tuple[int, int, int, int]:
    while True:
        a, b, c, d = (
            rng.choice(_NZ9),
            rng.randint(-9, 9),
            rng.choice([v for v in range(-5, 6) if v]),
            rng.randint(-9, 9),
        )
        if a * d - b * c != 0:
            return a, b, c, d


def _fv_rational(rng: random.Random, lang: str, level: int) -> Draft:
    a, b, c, d = _rand_mobius(rng)
    t = Fraction(rng.randint(-8, 8))
    while c * t + d == 0:
        t += 1
    ans = (a * t + b) / (c * t + d)
    steps = (
        f"\\frac{{{poly_subst_tex([Fraction(b), Fraction(a)], t)}}}{{{poly_subst_tex([Fraction(d), Fraction(c)], t)}}}"
        f" = \\frac{{{a * t + b}}}{{{c * t + d}}}"
    )
    data = {"type": "mobius", "abcd": [a, b, c, d], "t": to_pair(t)}
    return _value_at(lang, _mobius_tex(a, b, c, d), _mobius_python(a, b, c, d), t, steps, ans, data)


def _fv_compose(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1:
        f, g = random_poly(rng, 1, -9, 9), random_poly(rng, 1, -9, 9)
    else:
        f, g = random_poly(rng, rng.choice([1, 2]), -6, 6), random_poly(rng, 2, -5, 5)
    t = Fraction(rng.randint(-4, 4))
    inner = poly_eval(g, t)
    ans = poly_eval(f, inner)
    data = {"type": "compose", "f": [to_pair(c) for c in f], "g": [to_pair(c) for c in g], "t": to_pair(t)}
    steps = poly_subst_tex(f, inner)
    return _composite_at(lang, poly_tex(f), poly_python(f), g, t, steps, ans, (", then ", ", 于是 "), data)


def _fv_compose_expr(rng: random.Random, lang: str, level: int) -> Draft:
    if rng.random() < 0.5:
        f, g = random_poly(rng, 2, -5, 5), random_poly(rng, 1, -6, 6)
    else:
        f, g = random_poly(rng, 1, -6, 6), random_poly(rng, 2, -5, 5)
    comp = poly_compose(f, g)
    ans = poly_tex(comp)
    q = pick(
        lang,
        f"Let $f(x) = {poly_tex(f)}$ and $g(x) = {poly_tex(g)}$. Find $f(g(x))$ as an expanded polynomial.",
        f"已知 $f(x) = {poly_tex(f)}$，$g(x) = {poly_tex(g)}$，求 $f(g(x))$（写成展开后的多项式）。",
    )
    sub = poly_tex(f, f"\\left({poly_tex(g)}\\right)")
    cot = pick(
        lang,
        f"Replace $x$ in $f$ by $g(x)$: $f(g(x)) = {sub}$. Expanding gives ${ans}$. ",
        f"把 $f$ 中的 $x$ 换成 $g(x)$：$f(g(x)) = {sub}$，展开得 ${ans}$。",
    ) + boxed(ans, lang)
    code = sympy_x_program(
        "Rational, expand, latex",
        f"f = {poly_python(f)}\ng = {poly_python(g)}\nprint(latex(expand(f.subs(x, g))))\n",
    )
    data = {"type": "compose_expr", "f": [to_pair(c) for c in f], "g": [to_pair(c) for c in g]}
    return Draft(q, ans, cot, code, "expr", data)


def _fv_compose_mobius(rng: random.Random, lang: str, level: int) -> Draft:
    a, b, c, d = _rand_mobius(rng)
    g = random_poly(rng, rng.choice([1, 2]), -4, 4)
    while True:
        t = Fraction(rng.randint(-4, 4))
        inner = poly_eval(g, t)
        if c * inner + d != 0:
            break
    ans = (a * inner + b) / (c * inner + d)
    steps = f"\\frac{{{a * inner + b}}}{{{c * inner + d}}}"
    data = {"type": "compose_mobius", "abcd": [a, b, c, d], "g": [to_pair(v) for v in g], "t": to_pair(t)}
    ftex, f_py = _mobius_tex(a, b, c, d), _mobius_python(a, b, c, d)
    return _composite_at(lang, ftex, f_py, g, t, steps, ans, ("; ", "; "), data)


def _fv_inverse(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1 or (level == 2 and rng.random() < 0.5):
        a, b = rng.choice([v for v in range(-9, 10) if abs(v) >= 2]), rng.randint(-15, 15)
        x0 = Fraction(rng.randint(-10, 10)) if level == 1 else Fraction(rng.randint(-20, 20), abs(a))
        y = a * x0 + b
        ftex = poly_tex([Fraction(b), Fraction(a)])
        calc = f"${ftex} = {tex_rational(y)}$, so $x = \\frac{{{tex_rational(y)} - {tex_after_sign(b)}}}{{{a}}} = {tex_rational(x0)}$"
        data = {"type": "inv_poly", "f": [to_pair(b), to_pair(a)], "y": to_pair(y)}
        code_f = f"{a}*x + ({b})"
    elif level == 2:
        k, b = rng.choice([1, 1, 2, 3]), rng.randint(-20, 20)
        x0 = Fraction(rng.randint(-5, 5))
        y = k * x0**3 + b
        cs = [Fraction(b), Fraction(0), Fraction(0), Fraction(k)]
        ftex = poly_tex(cs)
        calc = f"${ftex} = {tex_rational(y)}$ gives $x^3 = {tex_rational((y - b) / k)}$, so $x = {tex_rational(x0)}$"
        data = {"type": "inv_poly", "f": [to_pair(c) for c in cs], "y": to_pair(y)}
        code_f = f"{k}*x**3 + ({b})"
    else:
        a, b, c, d = _rand_mobius(rng)
        while True:
            y = Fraction(rng.randint(-9, 9))
            if a - c * y != 0:
                break
        x0 = (d * y - b) / (a - c * y)
        ftex = _mobius_tex(a, b, c, d)
        calc = (
            f"${ftex} = {tex_rational(y)}$ gives "
            f"${poly_tex([Fraction(b), Fraction(a)])} = {tex_factor(y)}\\left({poly_tex([Fraction(d), Fraction(c)])}\\right)$, so "
            f"$x = \\frac{{{tex_rational(d * y)} - {tex_after_sign(b)}}}{{{a} - {tex_after_sign(c * y)}}} = {tex_rational(x0)}$"
        )
        data = {"type": "inv_mobius", "abcd": [a, b, c, d], "y": to_pair(y)}
        code_f = _mobius_python(a, b, c, d)
    q = pick(
        lang,
        f"Let $f(x) = {ftex}$, a one-to-one function. Find $f^{{-1}}({tex_rational(y)})$.",
        f"已知函数 $f(x) = {ftex}$ 存在反函数，求 $f^{{-1}}({tex_rational(y)})$ 的值。",
    )
    cot = pick(
        lang,
        f"$f^{{-1}}({tex_rational(y)})$ is the $x$ with $f(x) = {tex_rational(y)}$: {calc}. ",
        f"$f^{{-1}}({tex_rational(y)})$ 就是满足 $f(x) = {tex_rational(y)}$ 的 $x$："
        + calc.replace(" gives ", " 得 ").replace(", so ", "，所以 ")
        + "。",
    ) + boxed(tex_rational(x0), lang)
    code = sympy_x_program(
        "Eq, Rational, S, solveset",
        f"print(list(solveset(Eq({code_f}, {sympy_literal(y)}), x, domain=S.Reals))[0])\n",
    )
    return Draft(q, tex_rational(x0), cot, code, "number", data)


_FV = {
    "poly": _fv_poly,
    "rational": _fv_rational,
    "compose": _fv_compose,
    "compose_expr": _fv_compose_expr,
    "compose_mobius": _fv_compose_mobius,
    "inverse": _fv_inverse,
}
_FV_LEVELS = {
    1: ("poly", "compose", "inverse"),
    2: ("poly", "rational", "compose", "inverse"),
    3: ("poly", "compose_expr", "compose_mobius", "inverse"),
}


def make_function_values(rng: random.Random, lang: str, level: int) -> Draft:
    return _FV[rng.choice(_FV_LEVELS[level])](rng, lang, level)


def check_function_values(d: Draft) -> bool:
    """Sympy substitution and expansion (make used Horner's rule on Fractions)."""
    import sympy

    x, t = d.data, d.data["type"]
    X = sympy.Symbol("x")

    def rat(p: list[int]) -> sympy.Rational:
        return sympy.Rational(p[0], p[1])

    def poly(key: str):
        return sum((rat(c) * X**k for k, c in enumerate(x[key])), sympy.Integer(0))

    def mobius():
        a, b, c, dd = x["abcd"]
        return (a * X + b) / (c * X + dd)

    if t == "compose_expr":  # sympy composes; compare at more points than the degree
        comp = sympy.Poly(poly("f"), X).compose(sympy.Poly(poly("g"), X))
        for k in range(comp.degree() + 2):
            p = Fraction(2 * k - 3, k + 2)
            got = value_at(d.answer, p)
            if got is None or comp.eval(sympy.Rational(p.numerator, p.denominator)) != sympy.Rational(
                got.numerator, got.denominator
            ):
                return False
        return True
    got = exact_rational(d.answer)
    if got is None:
        return False
    g = sympy.Rational(got.numerator, got.denominator)
    if t == "poly":
        return poly("f").subs(X, rat(x["t"])) == g
    if t == "mobius":
        return mobius().subs(X, rat(x["t"])) == g
    if t == "compose":
        return poly("f").subs(X, poly("g")).subs(X, rat(x["t"])) == g
    if t == "compose_mobius":
        whole = sympy.cancel(mobius().subs(X, poly("g")))
        num, den = sympy.fraction(whole)
        tt = rat(x["t"])
        return den.subs(X, tt) != 0 and sympy.Rational(num.subs(X, tt), den.subs(X, tt)) == g
    if t == "inv_poly":
        f = poly("f")
        monotone = sympy.Poly(sympy.diff(f, X), X)  # f' of one sign on ℝ ⇒ one-to-one
        one_to_one = all(c >= 0 for c in monotone.all_coeffs()) or all(c <= 0 for c in monotone.all_coeffs())
        return one_to_one and f.subs(X, g) == rat(x["y"])
    if t == "inv_mobius":
        a, b, c, dd = x["abcd"]
        return a * dd - b * c != 0 and c * g + dd != 0 and mobius().subs(X, g) == rat(x["y"])
    return False


FAMILIES = (
    Family(
        "function_values",
        "evaluating, composing and inverting polynomial and rational functions",
        make_function_values,
        check_function_values,
    ),
)
