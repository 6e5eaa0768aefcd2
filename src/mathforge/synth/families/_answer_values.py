"""Values of answers as the grader's own evaluator reads them: for checks that should accept any form the
grader accepts (an unreduced fraction, an unexpanded polynomial), unlike the strict readers in ``_format``."""

from __future__ import annotations

from fractions import Fraction


def exact_rational(answer: str) -> Fraction | None:
    """The exact rational value of an answer, or None (not rational, or not readable)."""
    from mathforge.grade.numeric import evaluate

    v = evaluate(answer)
    if v is None or not v.exact or v.approx:
        return None
    return v.value


def _sym_parse(answer: str):
    """Parse a LaTeX answer to sympy; (expr, symbol x) or None."""
    import sympy

    from mathforge.grade.symbolic import ParseError, parse

    try:
        expr = parse(answer)
    except ParseError:
        return None
    if not isinstance(expr, sympy.Expr):
        return None
    names = {s.name for s in expr.free_symbols}
    if names - {"x"}:
        return None
    sym = next(iter(expr.free_symbols)) if expr.free_symbols else sympy.Symbol("x")
    return expr, sym


def value_at(answer: str, t: Fraction) -> Fraction | None:
    """Exact value at x = t of an expression answer in x: the grader's fast rational evaluator, with
    the sympy parser as a fallback."""
    try:
        from mathforge.grade.normalize import normalise
        from mathforge.grade.numeric import _evaluate

        v = _evaluate(normalise(answer).text, {"x": Fraction(t)})
        if v is not None:
            return v.value if v.exact and not v.approx else None
    except (ImportError, TypeError, AttributeError):  # evaluator unavailable: parse instead
        pass
    import sympy

    parsed = _sym_parse(answer)
    if parsed is None:
        return None
    expr, sym = parsed
    return _to_fraction(expr.subs(sym, sympy.Rational(t.numerator, t.denominator)))


def _to_fraction(value) -> Fraction | None:
    import sympy

    value = sympy.nsimplify(value) if not isinstance(value, sympy.Rational) else value
    if not isinstance(value, sympy.Rational):
        return None
    return Fraction(int(value.p), int(value.q))
