"""How the families write numbers (LaTeX, Python and sympy literals, decimals, money) and read their own
canonical answers back: one place, so a question, its solution and its gold answer always agree on form.

The readers here are deliberately not the grader's, so that a family's ``check`` does not depend on it.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

# ---------------------------------------------------------------------------------------------------------
# LaTeX


def tex_rational(v: Fraction | int) -> str:
    """An exact rational in lowest terms, as gold answers are written: ``3``, ``\\frac{3}{4}``, ``-\\frac{3}{4}``."""
    v = Fraction(v)
    if v.denominator == 1:
        return str(v.numerator)
    sign = "-" if v < 0 else ""
    return f"{sign}\\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"


def tex_unreduced_fraction(n: int, d: int) -> str:
    """``n/d`` exactly as given, not reduced (a worked step before cancelling), sign in front."""
    if d == 1:
        return str(n)
    return f"{'-' if n < 0 else ''}\\frac{{{abs(n)}}}{{{d}}}"


def decimal_or_none(v: Fraction | int) -> str | None:
    """The exact decimal expansion of ``v`` if it terminates ("12.5", "-0.375", "3"), else None."""
    v = Fraction(v)
    den, k2, k5 = v.denominator, 0, 0
    while den % 2 == 0:
        den //= 2
        k2 += 1
    while den % 5 == 0:
        den //= 5
        k5 += 1
    if den != 1:
        return None
    k = max(k2, k5)
    digits = str(abs(v.numerator) * 10**k // v.denominator).rjust(k + 1, "0")
    out = f"{digits[:-k]}.{digits[-k:]}".rstrip("0").rstrip(".") if k else digits
    return ("-" if v < 0 else "") + out


def decimal_or_tex_fraction(v: Fraction | int) -> str:
    """A terminating decimal when there is one (how prices and measures are read), else a LaTeX fraction."""
    d = decimal_or_none(v)
    return d if d is not None else tex_rational(v)


def money(cents: int) -> str:
    """An amount of money as people write it: 1500 cents → "15", 750 cents → "7.50"."""
    return str(cents // 100) if cents % 100 == 0 else f"{cents // 100}.{cents % 100:02d}"


def paren_if_negative(n: int) -> str:
    """An integer as a factor or subtrahend in a worked step: negatives in plain parentheses, ``(-3)``."""
    return str(n) if n >= 0 else f"({n})"


def tex_factor(v: Fraction | int) -> str:
    """A number about to be multiplied or raised to a power: negatives and fractions in ``\\left(…\\right)``."""
    v = Fraction(v)
    return f"\\left({tex_rational(v)}\\right)" if v < 0 or v.denominator != 1 else tex_rational(v)


def tex_after_sign(v: Fraction | int) -> str:
    """A number after a plus or minus sign: ``\\left(…\\right)`` only when it is negative."""
    v = Fraction(v)
    return f"\\left({tex_rational(v)}\\right)" if v < 0 else tex_rational(v)


def tex_argument(t: Fraction | int) -> str:
    """A function's argument, ``f(3)`` or ``f\\left(\\frac{1}{2}\\right)``: tall parentheses for fractions."""
    return f"\\left({tex_rational(t)}\\right)" if Fraction(t).denominator != 1 else f"({tex_rational(t)})"


def squarefree_split(n: int) -> tuple[int, int]:
    """``n = k² m`` with ``m`` square-free → ``(k, m)``: what a radical in simplest form needs."""
    k, m, p = 1, n, 2
    while p * p <= m:
        while m % (p * p) == 0:
            m //= p * p
            k *= p
        p += 1
    return k, m


def tex_sqrt(n: int) -> str:
    """√n in simplest radical form: ``6``, ``\\sqrt{5}``, ``3\\sqrt{2}``."""
    k, m = squarefree_split(n)
    if m == 1:
        return str(k)
    return f"\\sqrt{{{m}}}" if k == 1 else f"{k}\\sqrt{{{m}}}"


def ordinal(n: int) -> str:
    """English ordinal for question text: 1st, 2nd, 3rd, 11th, 22nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ---------------------------------------------------------------------------------------------------------
# the generated programs


def python_literal(v: Fraction | int) -> str:
    """A value as Python source for the generated programs: ``3`` or ``Fraction(3, 4)``, so they stay exact."""
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"Fraction({v.numerator}, {v.denominator})"


def sympy_literal(v: Fraction | int) -> str:
    """A value as sympy source for the generated programs: ``3`` or ``Rational(3, 4)``, so they stay exact."""
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"Rational({v.numerator}, {v.denominator})"


def sympy_x_program(imports: str, body: str) -> str:
    """A generated program over the symbol ``x``: ``from sympy import <imports>, symbols``, then
    ``x = symbols('x')``, then ``body``."""
    return f"from sympy import {imports}, symbols\n\nx = symbols('x')\n{body}"


# Prepended to programs whose answer is shown like ``decimal_or_tex_fraction``: ``show(q)`` prints a
# terminating decimal when there is one, else the fraction, so the printed output matches the gold.
SHOW_PRELUDE = """from decimal import Decimal
from fractions import Fraction


def show(q):
    q = Fraction(q)
    if q.denominator == 1:
        return str(q.numerator)
    d = q.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    return format(Decimal(q.numerator) / Decimal(q.denominator), "f") if d == 1 else str(q)


"""


# ---------------------------------------------------------------------------------------------------------
# JSON-safe rationals (a draft's ``data`` is stored as JSON)


def to_pair(v: Fraction | int) -> list[int]:
    """A rational as ``[numerator, denominator]``, so it survives JSON."""
    v = Fraction(v)
    return [v.numerator, v.denominator]


def from_pair(p: list[int]) -> Fraction:
    """The inverse of ``to_pair``."""
    return Fraction(p[0], p[1])


# ---------------------------------------------------------------------------------------------------------
# reading canonical answers back (strict: only the forms the families write)

_FRAC_RE = re.compile(r"^(-?)\\frac\{(\d+)\}\{(\d+)\}$")
_DEC_RE = re.compile(r"^-?\d+(?:\.\d+)?$")


def is_plain_decimal(s: str) -> bool:
    """Whether ``s`` is an integer or a decimal like ``-12.5`` (no fraction, no exponent)."""
    return bool(_DEC_RE.match(s))


def parse_gold_number(s: str) -> Fraction | None:
    """Read a canonical gold number (integer, decimal, or ``\\frac`` in lowest terms) exactly; written here,
    not borrowed from the grader, so that the checks do not depend on it."""
    s = s.strip()
    m = _FRAC_RE.match(s)
    if m:
        n, d = int(m.group(2)), int(m.group(3))
        if d < 2 or n == 0 or math.gcd(n, d) != 1:
            return None
        return -Fraction(n, d) if m.group(1) else Fraction(n, d)
    if _DEC_RE.match(s):
        return Fraction(s)
    return None


def split_pair(s: str) -> tuple[str, str] | None:
    """``"(a, b)"`` → ``("a", "b")``; None unless it is exactly an ordered pair."""
    s = s.strip()
    if not (s.startswith("(") and s.endswith(")")):
        return None
    parts = s[1:-1].split(", ")
    return (parts[0], parts[1]) if len(parts) == 2 else None


def parse_gold_pair(s: str) -> tuple[Fraction, Fraction] | None:
    """``"(a, b)"`` with both entries canonical gold numbers → their exact values; None otherwise."""
    parts = split_pair(s)
    if parts is None:
        return None
    x, y = parse_gold_number(parts[0]), parse_gold_number(parts[1])
    return None if x is None or y is None else (x, y)
