"""Equivalence on the cases the issue names, plus the API's contracts."""

import pytest

from mathforge.grade import grade, is_equiv, normalise


@pytest.mark.parametrize(
    ("gold", "pred"),
    [
        ("1,-2", "1,-3"),  # false positive of the Qwen2.5-Math grader
        (r"\frac{1}{2^{99}}", r"\frac{1}{2^{98}}"),  # Math-Verify #14
        (r"1-\frac{1}{e}", r"1+\frac{1}{e}"),  # Math-Verify #14
        (r"10^{10^{10}}", r"10^{10^{10}}+1"),  # beyond any fixed precision
        ("(0,1]", "(0,1)"),
        ("3x-y+13=0", "3x+4y+14=0"),  # Math-Verify #60
        ("12:00", "1:00"),
        ("25", "0.25"),  # no % sign: no percentage reading
        (r"\frac13", "0.33"),
        ("A", "AC"),
    ],
)
def test_different_answers_are_not_equal(gold, pred):
    kind = "choice" if gold == "A" else "auto"
    assert not is_equiv(gold, pred, kind=kind)


@pytest.mark.parametrize(
    ("gold", "pred"),
    [
        (r"\frac{\sqrt{3}}{3}", r"\frac{1}{\sqrt3}"),
        ("1,-2", "-2, 1"),
        (r"\left( 3, \frac{\pi}{2} \right)", r"(3,\tfrac{\pi}{2})"),
        ("x^2+y^2=4", "y^2+x^2=4"),
        (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"),
        ("25\\%", "0.25"),
        ("1000000", "1,000,000"),
        ("１２", "12"),
        ("−3", "-3"),
        (r"\$18.00", "18"),
        (r"30^\circ", "30"),
        ("x \\in [1,2)", "[1,2)"),
        (r"\pm 2", "2,-2"),
        (r"1.5\times10^{3}", "1500"),
        ("x > 2", r"(2,\infty)"),
    ],
)
def test_equal_answers_are_equal(gold, pred):
    assert is_equiv(gold, pred)


def test_normalise_is_idempotent():
    for s in [r"\left( 3, \dfrac{\pi}{2} \right)", "x = 5", r"10,\!000", r"25\%", r"\text{(B)}", "9页"]:
        once = normalise(s).text
        assert normalise(once).text == once


def test_grade_reports_where_the_answer_came_from():
    r = grade("18", "She makes 9 * 2 = 18 dollars.\n#### 18")
    assert (r.verdict, r.pred, r.source) == ("correct", "18", "gsm8k")
    r = grade("12", "I could not finish.")
    assert r.verdict == "unparseable" and r.pred is None


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown kind 'numbr'"):
        is_equiv("1", "1", kind="numbr")


def test_timeout_is_a_verdict_not_a_hang():
    r = grade("3", r"\boxed{5^{5^{5^{5^{5}}}}}", timeout=1.0)
    assert r.verdict in ("timeout", "wrong") and r.symbolic
