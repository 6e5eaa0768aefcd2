"""The generator families' shared helpers: number formatting and reading (``_format``) and exact
polynomials (``_polynomials``). Each family's gold answer, question and program are written with them, so
what they write must read back to the same value."""

from __future__ import annotations

import random
from fractions import Fraction

import sympy

from mathforge.grade.symbolic import parse
from mathforge.synth.families._format import (
    SHOW_PRELUDE,
    decimal_or_none,
    decimal_or_tex_fraction,
    from_pair,
    is_plain_decimal,
    money,
    ordinal,
    paren_if_negative,
    parse_gold_number,
    parse_gold_pair,
    python_literal,
    split_pair,
    squarefree_split,
    sympy_literal,
    sympy_x_program,
    tex_after_sign,
    tex_argument,
    tex_factor,
    tex_rational,
    tex_sqrt,
    tex_unreduced_fraction,
    to_pair,
)
from mathforge.synth.families._polynomials import (
    poly_add,
    poly_antiderivative,
    poly_compose,
    poly_derivative,
    poly_eval,
    poly_mul,
    poly_python,
    poly_sympy,
    poly_tex,
    random_poly,
)

RNG = random.Random(7)
VALUES = [
    Fraction(RNG.randint(-400, 400), RNG.choice([1, 2, 3, 4, 5, 7, 8, 12, 16, 20, 25, 40]))
    for _ in range(400)
]


def test_two_fraction_writers_differ_on_purpose():
    """Reduced (the gold) and as-given (a worked step before cancelling): once both were called ``_fr``."""
    assert tex_rational(Fraction(6, 8)) == "\\frac{3}{4}"
    assert tex_unreduced_fraction(6, 8) == "\\frac{6}{8}"
    assert (
        tex_rational(Fraction(-6, 8)) == "-\\frac{3}{4}" and tex_unreduced_fraction(-6, 8) == "-\\frac{6}{8}"
    )
    assert tex_rational(4) == "4" and tex_unreduced_fraction(4, 1) == "4"


def test_what_is_written_reads_back():
    for v in VALUES:
        assert parse_gold_number(tex_rational(v)) == v
        assert parse_gold_number(decimal_or_tex_fraction(v)) == v
        assert from_pair(to_pair(v)) == v
        assert eval(python_literal(v), {"Fraction": Fraction}) == v
        assert sympy.sympify(sympy_literal(v)) == sympy.Rational(v.numerator, v.denominator)
        dec = decimal_or_none(v)
        terminates = all(p in (2, 5) for p in sympy.factorint(v.denominator))
        assert (dec is not None) == terminates, v
        if dec is not None:
            assert Fraction(dec) == v and is_plain_decimal(dec)
            assert "." not in dec or not dec.endswith("0")
            assert decimal_or_tex_fraction(v) == dec


def test_the_programs_show_matches_the_gold_form():
    """Programs print with ``show``; for a terminating value it must print exactly the gold's decimal."""
    env: dict = {}
    exec(SHOW_PRELUDE, env)
    for v in VALUES:
        shown = env["show"](v)
        assert shown == (decimal_or_none(v) or str(v)), v


def test_canonical_reader_is_strict():
    for text in ("\\frac{2}{4}", "\\frac{3}{1}", "\\frac{0}{5}", "1/2", "", "x", "1e3", "\\frac{-1}{2}"):
        assert parse_gold_number(text) is None, text
    assert parse_gold_number(" -\\frac{1}{2} ") == Fraction(-1, 2)
    assert parse_gold_number("-12.5") == Fraction(-25, 2)
    assert not is_plain_decimal("1/2") and not is_plain_decimal("") and is_plain_decimal("-3")
    assert split_pair("(1, -\\frac{1}{2})") == ("1", "-\\frac{1}{2}")
    assert split_pair("(1, 2, 3)") is None and split_pair("1, 2") is None
    assert parse_gold_pair("(1, -\\frac{1}{2})") == (Fraction(1), Fraction(-1, 2))
    for text in ("(1, 2, 3)", "1, 2", "(x, 1)", "(1, \\frac{2}{4})"):
        assert parse_gold_pair(text) is None, text


def test_sympy_programs_over_x(capsys):
    program = sympy_x_program("Rational, expand", "print(expand((x + Rational(1, 2))**2))\n")
    assert program.startswith("from sympy import Rational, expand, symbols\n\nx = symbols('x')\n")
    exec(program, {})
    assert capsys.readouterr().out == "x**2 + x + 1/4\n"


def test_small_writers():
    assert money(1500) == "15" and money(750) == "7.50" and money(5) == "0.05"
    assert paren_if_negative(3) == "3" and paren_if_negative(-3) == "(-3)"
    assert tex_factor(3) == "3" and tex_factor(-3) == "\\left(-3\\right)"
    assert tex_factor(Fraction(1, 2)) == "\\left(\\frac{1}{2}\\right)"
    assert tex_after_sign(Fraction(1, 2)) == "\\frac{1}{2}" and tex_after_sign(-2) == "\\left(-2\\right)"
    assert tex_argument(3) == "(3)" and tex_argument(Fraction(-1, 2)) == "\\left(-\\frac{1}{2}\\right)"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip
    assert tex_sqrt(49) == "7" and tex_sqrt(72) == "6\\sqrt{2}" and tex_sqrt(5) == "\\sqrt{5}"


def test_squarefree_split():
    for n in range(1, 2000):
        k, m = squarefree_split(n)
        assert k * k * m == n and all(e == 1 for e in sympy.factorint(m).values()), n


def test_polynomials_agree_with_sympy():
    x = sympy.Symbol("x")
    rng = random.Random(3)
    for _ in range(60):
        f = random_poly(rng, rng.randint(1, 4), -6, 6)
        g = random_poly(rng, rng.randint(1, 3), -6, 6)
        assert f[-1] != 0 and len(f) >= 2
        sf, sg = poly_sympy(f, x), poly_sympy(g, x)
        t = Fraction(rng.randint(-9, 9), rng.randint(1, 5))
        assert poly_eval(f, t) == sf.subs(x, sympy.Rational(t.numerator, t.denominator))
        assert poly_sympy(poly_add(f, g), x).expand() == (sf + sg).expand()
        assert poly_sympy(poly_mul(f, g), x).expand() == (sf * sg).expand()
        assert poly_sympy(poly_compose(f, g), x).expand() == sf.subs(x, sg).expand()
        assert poly_sympy(poly_derivative(f), x).expand() == sympy.diff(sf, x).expand()
        assert (
            poly_derivative(poly_antiderivative(f)) == f
            and poly_eval(poly_antiderivative(f), Fraction(0)) == 0
        )
        assert sympy.sympify(poly_python(f), locals={"x": x}).expand() == sf.expand()
        written = parse(poly_tex(f))  # the grader's LaTeX reader
        assert sympy.expand(written.subs({s: x for s in written.free_symbols}) - sf) == 0, poly_tex(f)


def test_poly_tex_examples():
    assert poly_tex([Fraction(1, 2), Fraction(-1), Fraction(3)]) == "3x^{2} - x + \\frac{1}{2}"
    assert poly_tex([Fraction(0)]) == "0"
    assert poly_tex([Fraction(0), Fraction(-2)], "\\left(y\\right)") == "-2\\left(y\\right)"
