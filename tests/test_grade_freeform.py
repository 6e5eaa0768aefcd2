"""The free-form answer rules (issue 17), one group per rule: answers that are not boxed, reasoning and
chat artefacts, truncated outputs, chained equalities, percent words, decimal commas, vectors in prose,
golds written as solutions, decimals against exact values, and sec/csc/cot. The labelled cases of the
same kinds are in the audit set (category ``freeform``)."""

from __future__ import annotations

import pytest

from mathforge.evaluate.metrics import score
from mathforge.grade import extract_answer, grade, grade_many, is_equiv
from mathforge.grade.api import as_item


def _verdict(gold: str, output: str, **kw) -> str:
    return grade(gold, output, **kw).verdict


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Final Answer: The volume of $ABCDEFGH$ is 120.", "120"),
        (r"Since the angles sum to $180^\circ$, $\angle C$ measures 40 degrees.", "40"),
        ("The minimum value of $(x+2)^2 - 4$ is -4.", "-4"),
        ("Thus $x = 5$ is the solution in all 3 cases.", "$x = 5$"),
        (
            "We get\n\\[\n\\theta = \\frac{\\pi}{6}\n\\]",
            r"\frac{\pi}{6}",
        ),  # a display span; a Greek name's "=" is cut
        ("Solving gives $x = \\frac{5}{2}$.\n\nI hope this helps!", r"$x = \frac{5}{2}$"),
        ("She makes 9 * 2 = $18 every day at the market.", "18"),
        ("Factoring, $x = -2$ or $x = 6$.", "$x = -2$, $x = 6$"),
        ("The intersection point is (7, 6).", "(7, 6)"),
    ],
)
def test_the_final_statement_gives_the_answer(text, answer):
    assert extract_answer(text).answer == answer


@pytest.mark.parametrize(
    ("gold", "output", "verdict"),
    [
        (r"[5, \infty)", r"Therefore $x \geq 5$ is the solution.", "correct"),
        (r"x \neq 3", r"We find that $x \neq 3$.", "correct"),
        (r"(-\infty, 2]", "Thus $x <= 2$", "correct"),
        (r"(-\infty, 2)", "Thus $x <= 2$", "wrong"),
        (r"(1, \infty)", r"So it holds exactly when $x \gt 1$.", "correct"),
        ("x > 3", "From one we get $x > 3$ and from the other $x > 1$; so the answer is $x > 1$.", "wrong"),
    ],
)
def test_relations_stated_in_prose(gold, output, verdict):
    assert _verdict(gold, output) == verdict


def test_chained_equalities_answer_their_last_side_and_contradictions_are_reported():
    assert grade("11", "Adding everything, $x = 5+5+1 = 11$.").correct
    assert not grade("5", "Adding everything, $x = 5+5+1 = 11$.").correct
    bad = grade("11", "Adding everything, $x = 5+5+1 = 11 = 12$.")
    assert bad.verdict == "wrong" and "contradicts itself" in bad.reason
    assert not grade("24", r"$\boxed{4! = 4 \cdot 3 \cdot 2 = 12}$").correct
    assert grade(r"\frac{1}{3}", r"So $p = \frac{2}{6} = \frac{1}{3} \approx 0.333$.").correct


@pytest.mark.parametrize(
    "output",
    ["It is 28 percent.", "It is 28 pct.", "It is 28 percentage.", "It is 28 per cent.", "占百分之二十八。"],
)
def test_percent_in_words(output):
    assert grade(r"28\%", output).correct


def test_percent_word_keeps_its_scale():
    assert not grade(r"28\%", "The answer is 0.28 percent.").correct
    assert grade("0.28", "The share is 28 percent.").correct


def test_units_in_text_commands_and_function_operators():
    assert grade("10", r"The side is $10\textnormal{ cm}$.").correct
    assert grade("5", r"The mass is $5 \operatorname{kg}$.").correct
    assert grade("12", r"The answer is $\operatorname{lcm}(4,6)$.").correct
    assert not grade("24", r"The answer is $\operatorname{lcm}(4,6)$.").correct


@pytest.mark.parametrize(
    ("gold", "output", "verdict"),
    [
        ("1000.99", "The total is 1000,99.", "correct"),
        ("0.111", "The probability is 0,111.", "correct"),
        ("111", "The probability is 0,111.", "wrong"),
        ("2.74", "Der Preis beträgt 2,74 $.", "correct"),
        ("1000", "The answer is 1,000.", "correct"),
        ("1", "The answer is 1,000.", "wrong"),
        ("1.5", "The answer is 1,500.", "wrong"),
        ("1.5", "The two solutions are $1$ and $5$.", "wrong"),
        ("1000.5", "Das Ergebnis ist 1.000,5.", "correct"),
    ],
)
def test_decimal_commas_only_where_unambiguous(gold, output, verdict):
    assert _verdict(gold, output, kind="number") == verdict


@pytest.mark.parametrize(
    ("gold", "output", "verdict"),
    [
        (
            r"\begin{pmatrix} 1 \\ 2 \end{pmatrix}",
            r"It is $\left[ \begin{array}{c} 1 \\ 2 \end{array} \right]$.",
            "correct",
        ),
        (
            r"\begin{pmatrix} 1 \\ 2 \end{pmatrix}",
            r"It is $\left[ \begin{array}{c} 2 \\ 1 \end{array} \right]$.",
            "wrong",
        ),
        (r"\begin{pmatrix} 7 \\ 6 \end{pmatrix}", "So the vector is $(7, 6)$.", "correct"),
        (r"\begin{pmatrix} 7 \\ 6 \end{pmatrix}", "So the vector is $(6, 7)$.", "wrong"),
        ("(7, 6)", "The intersection point is $(7, 6)$.", "correct"),
        ("6", "The intersection point is (7, 6).", "wrong"),
    ],
)
def test_matrices_vectors_and_pairs_in_prose(gold, output, verdict):
    assert _verdict(gold, output) == verdict


def test_gold_written_as_a_full_solution():
    gsm = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nShe sold 48+24 = <<48+24=72>>72 in all.\n#### 72"
    assert grade(gsm, "So she sold 72 clips.").correct
    assert not grade(gsm, "She sold 24 clips in May.").correct
    solution = (
        "The numbers add to 30 and differ by 4, so the larger one is 17 and the smaller one is 13. "
        "Their product is therefore $17 \\cdot 13 = 221$."
    )
    assert grade(solution, "The product is $221$.").correct
    assert not grade(solution, "The larger number is $17$.").correct
    assert is_equiv(r"We find the minimum is $\boxed{4}$, attained at $x = 3$.", "4")


@pytest.mark.parametrize(
    ("gold", "pred", "equal"),
    [
        ("10000", "9999.857142857143", False),
        (r"\pi", "3.1416", True),
        (r"\pi", "3.1415", True),  # cut to 4 places
        (r"\pi", "3.15", False),
        (r"\frac{1}{3}", "0.333", True),
        (r"\frac{1}{3}", "0.334", False),
        (r"\frac{1}{3}", "0.3", False),  # one significant digit
        (r"\frac{2}{3}", "0.6666", True),
        (r"\frac{2}{3}", "0.6665", False),
        (r"\ln 2", "0.6931", True),
        (r"\ln 2", "0.6913", False),
        ("7", "6.99", False),
        ("2.5", "2.54", False),
    ],
)
def test_decimals_equal_exact_values_only_to_the_places_they_show(gold, pred, equal):
    assert is_equiv(gold, pred) is equal


def test_reasoning_and_chat_artefacts():
    r = grade("5", "<think>\nTry \\boxed{3}? No: x = 5.\n</think>\nThe solution is $x = 5$.")
    assert r.correct
    assert not grade("3", "<think>\n\\boxed{3} looks right.\n</think>\nThe solution is $x = 5$.").correct
    r = grade("5", "<think>\nTrying x = 5 gives 20, so the answer is \\boxed{5} unless")
    assert (r.verdict, r.reason) == ("unparseable", "no answer after the reasoning")
    assert grade("12", "6 + 6 = 12.\n</think>\n\nThe total is **12**.").correct
    leaked = "So the area is $3^2 = 9$.<|im_end|>\n<|im_start|>user\nAnd 4 squared?<|im_end|>\nIt is 16."
    assert grade("9", leaked).correct and not grade("16", leaked).correct
    assert grade("8", "Hence $x = 8$.<|endoftext|>Problem: Solve 2x = 10. Answer: 5").correct
    assert grade("4", "Hence $x = 4$.</s> The answer is 7.").correct
    assert grade("21", r"So $\binom{7}{2} = 21$.<|eot_id|><|start_header_id|>user").correct


def test_truncated_outputs_need_a_stated_answer():
    cut = "Each box has 3 rows of 4, so 3 * 4 = 12 per box. Now for the boxes we multiply by"
    items = [
        {"gold": "12", "output": cut, "finish_reason": "length"},
        {"gold": "12", "output": cut},
        {
            "gold": "12",
            "output": "So the answer is $\\boxed{12}$.\n\nTo check: 1, 2, 3,",
            "finish_reason": "length",
        },
    ]
    assert as_item(items[0]).truncated and not as_item(items[1]).truncated
    results = grade_many(items)
    assert (results[0].verdict, results[0].reason) == ("unparseable", "truncated")
    assert results[1].correct  # not cut off: the last value is the answer
    assert results[2].correct


def test_eval_metrics_count_truncated_outputs_apart():
    rows = [
        {"correct": [False], "verdicts": ["unparseable"], "reasons": ["truncated"], "finish": ["length"]},
        {"correct": [True], "verdicts": ["correct"], "reasons": ["identical"], "finish": ["length"]},
        {"correct": [False], "verdicts": ["wrong"], "reasons": ["numbers differ"], "finish": ["stop"]},
    ]
    assert score(rows, 1)["truncated"] == {"outputs": 2, "no_answer": 1}


@pytest.mark.parametrize(
    ("gold", "pred", "equal"),
    [
        (r"\tan^2(y)+1", r"\sec^2(y)", True),
        (r"\tan^2 x + 1", r"\sec^{2} x", True),
        (r"-1-\cot^2 x", r"-\csc^2 x", True),
        (r"\frac{1}{\sin^{3}(2x)}", r"\csc^{3}(2x)", True),
        (r"\csc^2 x", r"\cot^2 x", False),
        (r"\tan^2 x + 1", r"\sec x \tan x", False),
    ],
)
def test_sec_csc_cot_and_their_powers(gold, pred, equal):
    assert is_equiv(gold, pred) is equal
