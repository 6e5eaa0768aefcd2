"""Symbolic equivalence: LaTeX → sympy, then a structure-aware comparison.

Parsing builds on ``latex2sympy2_extended`` (the ANTLR LaTeX grammar that Math-Verify also uses): unlike
``sympy.parsing.latex`` it understands sets, intervals, matrices, ``\\pm`` and answer lists, and it is
maintained. The *comparison* is ours: Math-Verify's numeric comparison rounds and uses an absolute
tolerance, which accepts ``1/2^99`` for ``1/2^98`` (its issue #14). Here numbers are compared exactly or
with a relative tolerance, and expressions with free symbols must agree symbolically or at random points.

This module runs inside killable worker processes (see ``pool.py``); anything here may be slow.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

import sympy
from latex2sympy2_extended import latex2sympy
from latex2sympy2_extended.latex2sympy2 import ConversionConfig
from latex2sympy2_extended.math_normalization import NormalizationConfig
from sympy import (
    Basic,
    Eq,
    FiniteSet,
    Interval,
    MatrixBase,
    Rel,
    Tuple,
    Union,
)

from mathforge.grade.numeric import REL_TOL, display_equal, evaluate, mp

# units=False: its unit list eats ordinary variables ("\frac{1}{2}ab" → 1/2); normalize.py strips units.
_NORM = NormalizationConfig(
    basic_latex=True, units=False, malformed_operators=True, nits=True, boxed="none", equations=False
)
_CONV = ConversionConfig(
    interpret_as_mixed_fractions=False,  # \frac{1}{2}ab is ab/2; mixed numbers are read by numeric.py
    interpret_simple_eq_as_assignment=False,
    interpret_contains_as_eq=True,
    lowercase_symbols=False,
)
_EXACT_TOL = sympy.Float("1e-30", 50)
_EXACT_SCALE = sympy.Float("1e20", 50)


class ParseError(Exception):
    pass


_SET_BUILDER_RE = re.compile(r"^\\\{\s*([a-zA-Z])\s*\|(.*)\\\}$")


def parse(text: str) -> Basic | MatrixBase:
    """LaTeX (or plain math) → sympy; raises ParseError with the parser's message."""
    m = _SET_BUILDER_RE.match(text)
    if m and re.search(r"<|>|\\le|\\ge", m.group(2)) and "," not in m.group(2):
        text = m.group(2)  # {x | -2 ≤ x < 1} is the condition's set
    return _parse(text)


@lru_cache(maxsize=4096)
def _parse(text: str) -> Basic | MatrixBase:
    try:
        expr = latex2sympy(text, normalization_config=_NORM, conversion_config=_CONV)
    except Exception as exc:  # the parser raises many types; all mean "cannot read this"
        raise ParseError(
            f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
        ) from exc
    if expr is None:
        raise ParseError("empty")
    return expr


def _has_float(e) -> bool:
    try:
        return any(isinstance(a, sympy.Float) for a in sympy.preorder_traversal(e))
    except Exception:
        return False


def _numbers_close(a, b, approx: bool) -> bool | None:
    """Compare two constants numerically; None if either is not a finite number."""
    try:
        x = sympy.N(a, 50)
        y = sympy.N(b, 50)
    except Exception:
        return None
    if not (x.is_number and y.is_number):
        return None
    if x.has(sympy.zoo, sympy.nan) or y.has(sympy.zoo, sympy.nan):
        return False  # undefined values (1/0, 12:00 read as 12/0) are never equal
    if x.is_infinite or y.is_infinite:
        return bool(x == y)
    try:
        diff = sympy.N(abs(x - y), 50)
        scale = max(sympy.N(abs(x), 50), sympy.N(abs(y), 50))
    except (TypeError, ValueError):
        return None
    if scale == 0:
        return True
    if approx:
        return bool(diff <= REL_TOL * scale)
    if diff > _EXACT_TOL * scale:
        return False
    if scale < _EXACT_SCALE:
        return True
    # 50 digits cannot tell 10^{10^{10}} from 10^{10^{10}}+1: only an exact proof says "equal"
    return None


def _expr_equal(a, b) -> bool:
    if a == b:
        return True
    approx = _has_float(a) or _has_float(b)
    free = (a.free_symbols | b.free_symbols) if hasattr(a, "free_symbols") else set()
    if not free:
        close = _numbers_close(a, b, approx)
        if close is not None:
            return close
        return _exact_zero(a - b)
    else:
        # random-point test: a difference at any point proves "different"; agreement at several
        # independent points is strong evidence of identity (Schwartz–Zippel for polynomials).
        rng = random.Random(0)
        agreed = 0
        for _ in range(6):
            point = {s: sympy.Rational(rng.randint(2, 97), rng.randint(2, 13)) for s in free}
            try:
                close = _numbers_close(a.subs(point), b.subs(point), approx)
            except Exception:
                close = None
            if close is False:
                return False
            if close:
                agreed += 1
        if agreed >= 4:
            return True
    try:
        return bool(sympy.simplify(a - b) == 0)
    except Exception:
        return False


def _exact_zero(d) -> bool:
    """Whether a constant difference is provably zero (exact integer arithmetic or simplification)."""
    try:
        d = sympy.nsimplify(d) if _has_float(d) else d
        if d.is_zero is not None:
            return bool(d.is_zero)
        return bool(sympy.simplify(d) == 0)
    except Exception:
        return False


def _relational_equal(a: Rel, b: Rel) -> bool:
    def canon(r: Rel):
        if isinstance(r, (sympy.StrictGreaterThan, sympy.GreaterThan)):
            return type(r).__name__.replace("Greater", "Less"), r.rhs - r.lhs
        return type(r).__name__, r.lhs - r.rhs

    if isinstance(a, Eq) and isinstance(b, Eq):
        da, db = a.lhs - a.rhs, b.lhs - b.rhs
        if _expr_equal(da, db) or _expr_equal(da, -db):
            return True
        try:
            ratio = sympy.simplify(da / db)
            return bool(ratio.is_number and ratio != 0)
        except Exception:
            return False
    (ta, da), (tb, db) = canon(a), canon(b)
    return ta == tb and _expr_equal(da, db)


def _unordered_equal(xs: list, ys: list) -> bool:
    if len(xs) != len(ys):
        return False
    remaining = list(ys)
    for x in xs:
        for i, y in enumerate(remaining):
            if equal(x, y):
                del remaining[i]
                break
        else:
            return False
    return True


def _unwrap_assignment(e):
    """``x = 5`` → 5 and ``x \\in [1,2)`` → the interval, when the left side is a lone symbol."""
    if isinstance(e, Eq) and isinstance(e.lhs, sympy.Symbol) and not e.rhs.free_symbols & {e.lhs}:
        return e.rhs
    return e


def _as_set(e):
    """'x > 2' → (2, ∞), '0 ≤ x ≤ 2' → [0, 2]: a condition on one variable as the set it describes."""
    if isinstance(e, (Rel, sympy.And, sympy.Or)) and not isinstance(e, Eq) and len(e.free_symbols) == 1:
        try:
            return e.as_set()
        except Exception:
            return None
    return None


def equal(a, b) -> bool:
    """Structure-aware equality of two parsed answers."""
    if isinstance(a, sympy.Set) != isinstance(b, sympy.Set):
        sa, sb = (a, _as_set(b)) if isinstance(a, sympy.Set) else (_as_set(a), b)
        if sa is not None and sb is not None:
            return equal(sa, sb)
    if isinstance(a, (sympy.And, sympy.Or)) or isinstance(b, (sympy.And, sympy.Or)):
        sa, sb = _as_set(a), _as_set(b)
        if sa is not None and sb is not None:
            return equal(sa, sb)
    if isinstance(a, MatrixBase) or isinstance(b, MatrixBase):
        if not (isinstance(a, MatrixBase) and isinstance(b, MatrixBase)) or a.shape != b.shape:
            return False
        return all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Rel) and isinstance(b, Rel):
        if isinstance(a, Eq) != isinstance(b, Eq):
            return False
        if isinstance(a, Eq) and isinstance(a.rhs, (sympy.Set, Tuple)):
            return equal(_unwrap_assignment(a), _unwrap_assignment(b))
        return _relational_equal(a, b)
    if isinstance(a, Rel) != isinstance(b, Rel):
        a2, b2 = _unwrap_assignment(a), _unwrap_assignment(b)
        if isinstance(a2, Rel) or isinstance(b2, Rel):
            return False
        return equal(a2, b2)
    if isinstance(a, Interval) and isinstance(b, Interval):
        return (
            a.left_open == b.left_open
            and a.right_open == b.right_open
            and equal(a.start, b.start)
            and equal(a.end, b.end)
        )
    if isinstance(a, Union) and isinstance(b, Union):
        return _unordered_equal(list(a.args), list(b.args))
    if isinstance(a, FiniteSet) and isinstance(b, FiniteSet):
        return _unordered_equal(list(a.args), list(b.args))
    if isinstance(a, FiniteSet) and len(a) == 1 and not isinstance(b, sympy.Set):
        return equal(next(iter(a)), b)
    if isinstance(b, FiniteSet) and len(b) == 1 and not isinstance(a, sympy.Set):
        return equal(a, next(iter(b)))
    if isinstance(a, Tuple) and isinstance(b, Tuple):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, sympy.Set) and isinstance(b, sympy.Set):
        try:  # {1,3} ∪ {2,4} against {1,2,3,4}: equal when neither has an element the other lacks
            return bool(a == b) or (
                sympy.Complement(a, b) == sympy.EmptySet and sympy.Complement(b, a) == sympy.EmptySet
            )
        except Exception:
            return False
    if isinstance(a, (sympy.Set, Tuple)) or isinstance(b, (sympy.Set, Tuple)):
        try:
            return bool(a == b)
        except Exception:
            return False
    if isinstance(a, sympy.logic.boolalg.Boolean) or isinstance(b, sympy.logic.boolalg.Boolean):
        return bool(a == b)
    return _expr_equal(a, b)


def _decimal_against_value(gold: str, pred: str, g, p) -> bool | None:
    """A plain decimal on one side against a constant on the other (``0.693`` vs ``\\ln 2``): equal to the
    precision the decimal displays (the rule of ``numeric.numbers_equal``); None when it does not apply."""
    dg, dp = evaluate(gold), evaluate(pred)
    dg = dg if dg is not None and dg.places is not None else None
    dp = dp if dp is not None and dp.places is not None else None
    if (dg is None) == (dp is None):
        return None
    dec, other = (dg, p) if dg is not None else (dp, g)
    if not isinstance(other, sympy.Expr) or other.free_symbols or _has_float(other):
        return None
    try:
        value = sympy.N(other, 50)
        if not value.is_real or not value.is_finite:
            return None
        return display_equal(dec, mp.mpf(str(value)))
    except Exception:
        return None


def symbolic_verdict(
    gold: str, pred: str, percent_gold: bool = False, percent_pred: bool = False
) -> tuple[str, str]:
    """(verdict, reason) for two normalised answer strings. Runs in a worker process."""
    try:
        g = parse(gold)
    except ParseError as exc:
        return "unparseable", f"gold does not parse ({exc})"
    try:
        p = parse(pred)
    except ParseError as exc:
        return "unparseable", f"answer does not parse ({exc})"
    shown = _decimal_against_value(gold, pred, g, p) if percent_gold == percent_pred else None
    if shown is not None:
        return (
            ("correct", "equal to the decimals shown")
            if shown
            else ("wrong", "differs at the decimals shown")
        )
    if equal(g, p):
        return "correct", "symbolically equal"
    # 25% may be written 0.25: accept the /100 reading only when one side carried the % sign
    if percent_gold != percent_pred:
        try:
            if percent_gold and equal(g / 100, p):
                return "correct", "equal as a percentage"
            if percent_pred and equal(g, p / 100):
                return "correct", "equal as a percentage"
        except Exception:
            pass
    return "wrong", "symbolically different"
