import pytest

from mathforge.grade import extract_answer


@pytest.mark.parametrize(
    ("text", "style", "answer", "source"),
    [
        (
            r"First $\boxed{3}$ then we correct it: $\boxed{\frac{1}{\sqrt{2}}}$.",
            "auto",
            r"\frac{1}{\sqrt{2}}",
            "boxed",
        ),
        (r"So $x = \boxed{\left\{1, 2\right\}}$", "auto", r"\left\{1, 2\right\}", "boxed"),
        (r"The result is \boxed 5.", "auto", "5", "boxed"),
        (r"Hence \fbox{$12$}", "auto", "$12$", "boxed"),
        ("We add them.\nThe answer is $\\frac{3}{4}$.", "auto", "$\\frac{3}{4}$", "answer_is"),
        (
            "Final Answer: The final answer is $12\\sqrt{2}$. I hope it is correct.",
            "auto",
            "$12\\sqrt{2}$",
            "final_answer",
        ),
        ("She makes 9 * 2 = $18.\n#### 1,234", "gsm8k", "1,234", "gsm8k"),
        ("所以小明还剩 9 页没有看。", "auto", "9", "zh_answer"),
        ("答案是9页。", "auto", "9", "zh_answer"),
        ("So the answer is x equals $-4$ in this case.", "auto", "$-4$", "answer_is"),
        ("经计算，故答案为 $\\frac{1}{2}$。", "auto", "$\\frac{1}{2}$", "zh_answer"),
        ("We tried 3 and then 4 and finally 17 apples", "auto", "17", "last_number"),
        (r"$\frac{1}{2}$", "auto", r"$\frac{1}{2}$", "whole_output"),
        ("Nothing to see here.", "auto", None, "none"),
    ],
)
def test_auto_and_gsm8k(text, style, answer, source):
    got = extract_answer(text, style)
    assert (got.answer, got.source) == (answer, source)


@pytest.mark.parametrize(
    ("text", "letters"),
    [
        ("Comparing the options, the answer is (B).", "B"),
        ("由题意可得 a=-3，答案：C", "C"),
        ("Both hold, so the answer is A and C.", "AC"),
        (r"Therefore $\boxed{BD}$", "BD"),
        ("综上，故选 A、D", "AD"),
        ("Option (C) contradicts the premise, so (D) is right.", "D"),
        ("B", "B"),
    ],
)
def test_choice(text, letters):
    assert extract_answer(text, "choice").answer == letters


@pytest.mark.parametrize(
    ("text", "blanks"),
    [
        (r"所以 $a_1=\boxed{5}$，$a_2+a_3+a_4=\boxed{10}$", "5;10"),
        ("$5$;$10$", "5;10"),
        (r"故答案为：$1$；$\frac{8}{9}$", r"1;\frac{8}{9}"),
        (r"The answers are $\boxed{2; -1}$", "2;-1"),
    ],
)
def test_cloze(text, blanks):
    assert extract_answer(text, "cloze").answer == blanks


def test_unknown_style_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown answer style 'boxd'"):
        extract_answer("x", "boxd")


def test_huge_output_is_searched_in_its_tail_quickly():
    text = "blah " * 400_000 + r"so the answer is $\boxed{42}$."
    assert extract_answer(text).answer == "42"
