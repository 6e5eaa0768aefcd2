"""Derivatives of polynomials, products and powers; definite and indefinite integrals.

``make`` applies the power, product and chain rules by hand; ``check`` compares exact central
differences at rational points, and sympy's antiderivative.
"""

from __future__ import annotations

import random
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._answer_values import exact_rational, value_at
from mathforge.synth.families._format import (
    from_pair,
    sympy_literal,
    sympy_x_program,
    tex_after_sign,
    tex_argument,
    tex_factor,
    tex_rational,
    to_pair,
)
from mathforge.synth.families._polynomials import (
    poly_add,
    poly_antiderivative,
    poly_derivative,
    poly_eval,
    poly_mul,
    poly_python,
    poly_subst_tex,
    poly_sympy,
    poly_tex,
    random_poly,
)

_NZ9 = [v for v in range(-9, 10) if v != 0]


def _frac_poly(rng: random.Random, deg: int) -> list[Fraction]:
    cs = [Fraction(rng.randint(-9, 9), rng.choice([1, 1, 2, 3])) for _ in range(deg)]
    cs.append(Fraction(rng.choice(_NZ9), rng.choice([1, 2, 3, 4])))
    return cs


def _ask_derivative(lang: str, ftex: str, expanded: bool = False) -> str:
    """The question "find f'(x)" for ``f(x) = ftex``, optionally asking for an expanded polynomial."""
    en, zh = (", written as an expanded polynomial", "（写成展开后的多项式）") if expanded else ("", "")
    return pick(
        lang, f"Find the derivative of $f(x) = {ftex}${en}.", f"求函数 $f(x) = {ftex}$ 的导数 $f'(x)${zh}。"
    )


def _cal_deriv_poly(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 3:
        cs = _frac_poly(rng, rng.randint(3, 5))
    else:
        cs = random_poly(rng, rng.randint(2, 4) if level == 1 else rng.randint(3, 6), -9, 9)
    der = poly_derivative(cs)
    ans = poly_tex(der)
    q = _ask_derivative(lang, poly_tex(cs))
    cot = pick(
        lang,
        f"Differentiate term by term with $(x^n)' = n x^{{n-1}}$: $f'(x) = {ans}$. ",
        f"利用 $(x^n)' = n x^{{n-1}}$ 逐项求导：$f'(x) = {ans}$。",
    ) + boxed(ans, lang)
    code = sympy_x_program("Rational, diff, latex", f"f = {poly_python(cs)}\nprint(latex(diff(f, x)))\n")
    return Draft(q, ans, cot, code, "expr", {"type": "deriv", "form": "poly", "f": [to_pair(c) for c in cs]})


def _cal_deriv_product(rng: random.Random, lang: str, level: int) -> Draft:
    m, n = rng.randint(1, 3), rng.randint(1, 3)
    a, b, c, e = rng.choice(_NZ9), rng.choice(_NZ9), rng.choice(_NZ9), rng.choice(_NZ9)
    u = [Fraction(b)] + [Fraction(0)] * (m - 1) + [Fraction(a)]
    v = [Fraction(e)] + [Fraction(0)] * (n - 1) + [Fraction(c)]
    du, dv = poly_derivative(u), poly_derivative(v)
    der = poly_add(poly_mul(du, v), poly_mul(u, dv))
    ans = poly_tex(der)
    ut, vt = poly_tex(u), poly_tex(v)
    q = _ask_derivative(lang, f"\\left({ut}\\right)\\left({vt}\\right)", expanded=True)
    rule = (
        f"$f'(x) = \\left({poly_tex(du)}\\right)\\left({vt}\\right) + \\left({ut}\\right)\\left({poly_tex(dv)}\\right)"
        f" = {ans}$"
    )
    cot = pick(
        lang,
        f"By the product rule $(uv)' = u'v + uv'$: {rule}. ",
        f"由乘积的求导法则 $(uv)' = u'v + uv'$：{rule}。",
    ) + boxed(ans, lang)
    code = sympy_x_program(
        "diff, expand, latex",
        f"f = ({poly_python(u)}) * ({poly_python(v)})\nprint(latex(expand(diff(f, x))))\n",
    )
    data = {"type": "deriv", "form": "product", "u": [to_pair(c) for c in u], "v": [to_pair(c) for c in v]}
    return Draft(q, ans, cot, code, "expr", data)


def _cal_deriv_chain(rng: random.Random, lang: str, level: int) -> Draft:
    m, n = rng.randint(1, 3), rng.randint(2, 6)
    a, b = rng.choice([v for v in range(-6, 7) if v not in (0,)]), rng.choice(_NZ9)
    inner = [Fraction(b)] + [Fraction(0)] * (m - 1) + [Fraction(a)]
    it = poly_tex(inner)
    k = n * a * m
    xpart = "" if m == 1 else ("x" if m == 2 else f"x^{{{m - 1}}}")
    powpart = f"\\left({it}\\right)" + ("" if n - 1 == 1 else f"^{{{n - 1}}}")
    ans = f"{k}{xpart}{powpart}"
    q = _ask_derivative(lang, f"\\left({it}\\right)^{{{n}}}")
    dinner = poly_tex(poly_derivative(inner))
    du_tex = tex_factor(a) if m == 1 else f"\\left({dinner}\\right)"
    rule = f"$f'(x) = {n}\\left({it}\\right)^{{{n - 1}}} \\cdot {du_tex} = {ans}$"
    cot = pick(
        lang,
        f"By the chain rule, with inner function $u = {it}$ and $u' = {dinner}$: {rule}. ",
        f"由复合函数求导法则，内层函数 $u = {it}$，$u' = {dinner}$：{rule}。",
    ) + boxed(ans, lang)
    code = sympy_x_program(
        "diff, factor, latex", f"f = ({poly_python(inner)})**{n}\nprint(latex(factor(diff(f, x))))\n"
    )
    data = {"type": "deriv", "form": "chain", "inner": [to_pair(c) for c in inner], "n": n}
    return Draft(q, ans, cot, code, "expr", data)


def _cal_deriv_at(rng: random.Random, lang: str, level: int) -> Draft:
    cs = random_poly(
        rng,
        rng.randint(2, 3) if level == 1 else rng.randint(3, 5),
        -9 if level == 1 else -6,
        9 if level == 1 else 6,
    )
    t = Fraction(rng.randint(-3, 3)) if level < 3 else Fraction(rng.choice(_NZ9), rng.choice([2, 3]))
    der = poly_derivative(cs)
    ans = poly_eval(der, t)
    ftex = poly_tex(cs)
    q = pick(
        lang,
        f"Let $f(x) = {ftex}$. Find $f'{tex_argument(t)}$.",
        f"已知 $f(x) = {ftex}$，求 $f'{tex_argument(t)}$。",
    )
    calc = f"$f'(x) = {poly_tex(der)}$, so $f'{tex_argument(t)} = {poly_subst_tex(der, t)} = {tex_rational(ans)}$"
    cot = pick(
        lang, f"Differentiate: {calc}. ", "先求导：" + calc.replace(", so ", "，所以 ") + "。"
    ) + boxed(tex_rational(ans), lang)
    code = sympy_x_program(
        "Rational, diff", f"f = {poly_python(cs)}\nprint(diff(f, x).subs(x, {sympy_literal(t)}))\n"
    )
    data = {"type": "deriv_at", "f": [to_pair(c) for c in cs], "t": to_pair(t)}
    return Draft(q, tex_rational(ans), cot, code, "number", data)


def _cal_definite(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1:
        cs = random_poly(rng, rng.randint(1, 2), -9, 9)
        lo, hi = Fraction(0), Fraction(rng.randint(1, 4))
    elif level == 2:
        cs = random_poly(rng, 3, -6, 6)
        lo = Fraction(rng.randint(-3, 1))
        hi = lo + rng.randint(1, 4)
    else:
        cs = random_poly(rng, rng.randint(3, 4), -6, 6)
        lo = Fraction(rng.randint(-6, 2), 2)
        hi = lo + Fraction(rng.randint(1, 6), 2)
    anti = poly_antiderivative(cs)
    fh, fl = poly_eval(anti, hi), poly_eval(anti, lo)
    ans = fh - fl
    ftex = poly_tex(cs)
    q = pick(
        lang,
        f"Evaluate $\\int_{{{tex_rational(lo)}}}^{{{tex_rational(hi)}}} \\left({ftex}\\right)\\,dx$.",
        f"计算定积分 $\\int_{{{tex_rational(lo)}}}^{{{tex_rational(hi)}}} \\left({ftex}\\right)\\,dx$。",
    )
    calc = f"$F(x) = {poly_tex(anti)}$, and $F({tex_rational(hi)}) - F({tex_rational(lo)}) = {tex_rational(fh)} - {tex_after_sign(fl)} = {tex_rational(ans)}$"
    cot = pick(
        lang,
        f"An antiderivative is {calc}. ",
        "一个原函数为 " + calc.replace(", and ", "，于是 ") + "。",
    ) + boxed(tex_rational(ans), lang)
    code = sympy_x_program(
        "Rational, integrate",
        f"print(integrate({poly_python(cs)}, (x, {sympy_literal(lo)}, {sympy_literal(hi)})))\n",
    )
    data = {"type": "definite", "f": [to_pair(c) for c in cs], "lo": to_pair(lo), "hi": to_pair(hi)}
    return Draft(q, tex_rational(ans), cot, code, "number", data)


def _cal_antideriv(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 3 and rng.random() < 0.5:
        u, v = random_poly(rng, 1, -5, 5), random_poly(rng, rng.randint(1, 2), -5, 5)
        cs = poly_mul(u, v)
        ftex = f"\\left({poly_tex(u)}\\right)\\left({poly_tex(v)}\\right)"
        pre_en = f"Expand first: $f(x) = {poly_tex(cs)}$. "
        pre_zh = f"先展开：$f(x) = {poly_tex(cs)}$。"
        code_f = f"({poly_python(u)}) * ({poly_python(v)})"
    else:
        cs = random_poly(rng, rng.randint(2, 3) if level == 2 else rng.randint(3, 4), -9, 9)
        ftex, pre_en, pre_zh, code_f = poly_tex(cs), "", "", poly_python(cs)
    anti = poly_antiderivative(cs)
    ans = poly_tex(anti)
    q = pick(
        lang,
        f"Find the antiderivative $F(x)$ of $f(x) = {ftex}$ that satisfies $F(0) = 0$.",
        f"求函数 $f(x) = {ftex}$ 满足 $F(0) = 0$ 的原函数 $F(x)$。",
    )
    cot = pick(
        lang,
        pre_en
        + f"Integrate term by term with $\\int x^n\\,dx = \\frac{{x^{{n+1}}}}{{n+1}}$; $F(0) = 0$ makes the "
        f"constant zero: $F(x) = {ans}$. ",
        pre_zh + f"利用 $\\int x^n\\,dx = \\frac{{x^{{n+1}}}}{{n+1}}$ 逐项积分，由 $F(0) = 0$ 知常数项为 0："
        f"$F(x) = {ans}$。",
    ) + boxed(ans, lang)
    code = sympy_x_program("Rational, integrate, latex", f"print(latex(integrate({code_f}, x)))\n")
    return Draft(q, ans, cot, code, "expr", {"type": "antideriv", "f": [to_pair(c) for c in cs]})


_CAL = {
    "deriv_poly": _cal_deriv_poly,
    "deriv_product": _cal_deriv_product,
    "deriv_chain": _cal_deriv_chain,
    "deriv_at": _cal_deriv_at,
    "definite": _cal_definite,
    "antideriv": _cal_antideriv,
}
_CAL_LEVELS = {
    1: ("deriv_poly", "deriv_at", "definite"),
    2: ("deriv_poly", "deriv_product", "deriv_at", "definite", "antideriv"),
    3: ("deriv_poly", "deriv_chain", "deriv_at", "definite", "antideriv"),
}


def make_calculus(rng: random.Random, lang: str, level: int) -> Draft:
    return _CAL[rng.choice(_CAL_LEVELS[level])](rng, lang, level)


_H = Fraction(1, 10**12)
_POINTS = (Fraction(1, 3), Fraction(-5, 7), Fraction(6, 5), Fraction(-13, 4), Fraction(9, 11))


def _calc_f(data: dict, t: Fraction) -> Fraction:
    """The original function, evaluated exactly from its factored form."""
    form = data["form"]
    if form == "poly":
        return poly_eval([from_pair(c) for c in data["f"]], t)
    if form == "product":
        return poly_eval([from_pair(c) for c in data["u"]], t) * poly_eval(
            [from_pair(c) for c in data["v"]], t
        )
    return poly_eval([from_pair(c) for c in data["inner"]], t) ** data["n"]


def check_calculus(d: Draft) -> bool:
    """Derivatives: exact central differences at rational points against the answer's value there.
    Integrals: sympy's polynomial antiderivative, at the bounds or at more points than the degree."""
    import sympy

    x, t = d.data, d.data["type"]
    X = sympy.Symbol("x")

    def srat(v: Fraction) -> sympy.Rational:
        return sympy.Rational(v.numerator, v.denominator)

    if t == "definite":
        got = exact_rational(d.answer)
        if got is None:
            return False
        anti = sympy.Poly(poly_sympy([from_pair(c) for c in x["f"]], X), X).integrate()
        return anti.eval(srat(from_pair(x["hi"]))) - anti.eval(srat(from_pair(x["lo"]))) == srat(got)
    if t == "deriv_at":
        got = exact_rational(d.answer)
        if got is None:
            return False
        cs = [from_pair(c) for c in x["f"]]
        tt = from_pair(x["t"])
        cd = (poly_eval(cs, tt + _H) - poly_eval(cs, tt - _H)) / (2 * _H)
        return abs(cd - got) <= Fraction(1, 10**9) * (1 + abs(got))
    if t == "antideriv":
        cs = [from_pair(c) for c in x["f"]]
        anti = sympy.Poly(poly_sympy(cs, X), X).integrate()  # the antiderivative with F(0) = 0
        if value_at(d.answer, Fraction(0)) != 0:
            return False
        for k in range(anti.degree() + 2):
            p = Fraction(2 * k - 3, k + 2)
            got = value_at(d.answer, p)
            if got is None or srat(got) != anti.eval(srat(p)):
                return False
            # and its slope there is the integrand
            lo, hi = value_at(d.answer, p - _H), value_at(d.answer, p + _H)
            if (
                lo is None
                or hi is None
                or abs((hi - lo) / (2 * _H) - poly_eval(cs, p))
                > Fraction(1, 10**9) * (1 + abs(poly_eval(cs, p)))
            ):
                return False
        return True
    if t == "deriv":
        for p in _POINTS:
            val = value_at(d.answer, p)
            if val is None:
                return False
            cd = (_calc_f(x, p + _H) - _calc_f(x, p - _H)) / (2 * _H)
            if abs(cd - val) > Fraction(1, 10**9) * (1 + abs(val)):
                return False
        return True
    return False


FAMILIES = (
    Family(
        "calculus",
        "derivatives of polynomials, products and powers; definite and indefinite integrals",
        make_calculus,
        check_calculus,
    ),
)
