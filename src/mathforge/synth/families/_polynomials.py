"""Polynomials as lists of exact ``Fraction`` coefficients, lowest degree first: written out (LaTeX, sympy
source) and computed with by hand (Horner, sums, products, derivatives), shared by the function-value,
calculus and geometry families so that ``make`` never needs sympy and ``check`` can use it as the other
route."""

from __future__ import annotations

import random
from fractions import Fraction

from mathforge.synth.families._format import sympy_literal, tex_rational


def poly_tex(cs: list[Fraction], var: str = "x", sep: str = "") -> str:
    """The polynomial in LaTeX, highest degree first (``3x^{2} - x + \\frac{1}{2}``); ``var`` may be any
    LaTeX, ``sep`` goes between a coefficient and its power."""
    parts: list[str] = []
    for k in range(len(cs) - 1, -1, -1):
        c = Fraction(cs[k])
        if c == 0:
            continue
        mag = abs(c)
        if k == 0:
            body = tex_rational(mag)
        else:
            pw = var if k == 1 else f"{var}^{{{k}}}"
            body = pw if mag == 1 else f"{tex_rational(mag)}{sep}{pw}"
        if not parts:
            parts.append(("-" if c < 0 else "") + body)
        else:
            parts.append((" - " if c < 0 else " + ") + body)
    return "".join(parts) or "0"


def poly_subst_tex(cs: list[Fraction], t: Fraction) -> str:
    """The polynomial with ``x`` replaced by the value ``t`` (shown in parentheses): a worked step."""
    return poly_tex(cs, f"({tex_rational(t)})", " \\cdot ")


def poly_python(cs: list[Fraction], var: str = "x") -> str:
    """The polynomial as sympy source for the generated programs, exact coefficients."""
    terms = []
    for k in range(len(cs) - 1, -1, -1):
        c = Fraction(cs[k])
        if c == 0:
            continue
        pw = "" if k == 0 else (var if k == 1 else f"{var}**{k}")
        terms.append(sympy_literal(c) if not pw else f"{sympy_literal(c)}*{pw}")
    return " + ".join(f"({t})" if t.startswith("-") else t for t in terms) or "0"


def poly_eval(cs: list[Fraction], t: Fraction) -> Fraction:
    """The value at ``t``, exactly, by Horner's rule."""
    acc = Fraction(0)
    for c in reversed(cs):
        acc = acc * t + c
    return acc


def _trim(p: list[Fraction]) -> list[Fraction]:
    p = list(p)
    while len(p) > 1 and p[-1] == 0:
        p.pop()
    return p


def poly_add(p: list[Fraction], q: list[Fraction]) -> list[Fraction]:
    """p + q."""
    n = max(len(p), len(q))
    return _trim([(p[i] if i < len(p) else 0) + (q[i] if i < len(q) else 0) for i in range(n)])


def poly_mul(p: list[Fraction], q: list[Fraction]) -> list[Fraction]:
    """p · q."""
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += a * b
    return _trim(out)


def poly_derivative(p: list[Fraction]) -> list[Fraction]:
    """p′, by the power rule."""
    return _trim([k * p[k] for k in range(1, len(p))] or [Fraction(0)])


def poly_antiderivative(p: list[Fraction]) -> list[Fraction]:
    """The antiderivative with constant term 0."""
    return _trim([Fraction(0)] + [Fraction(c) / (k + 1) for k, c in enumerate(p)])


def poly_compose(f: list[Fraction], g: list[Fraction]) -> list[Fraction]:
    """f(g(x)) by Horner's rule on polynomials."""
    acc = [Fraction(0)]
    for c in reversed(f):
        acc = poly_add(poly_mul(acc, g), [Fraction(c)])
    return acc


def random_poly(rng: random.Random, deg: int, lo: int, hi: int) -> list[Fraction]:
    """Integer coefficients in [lo, hi], a nonzero leading one: exactly degree ``deg``."""
    cs = [Fraction(rng.randint(lo, hi)) for _ in range(deg)]
    cs.append(Fraction(rng.choice([v for v in range(lo, hi + 1) if v != 0])))
    return cs


def poly_sympy(cs: list[Fraction], sym):
    """The polynomial as a sympy expression in ``sym`` (for the checks' independent route)."""
    import sympy

    return sum(
        (sympy.Rational(c.numerator, c.denominator) * sym**k for k, c in enumerate(cs)), sympy.Integer(0)
    )
