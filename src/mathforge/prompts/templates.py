"""The templates themselves. Few-shot exemplars are written for this project (never drawn from a test
split), so no benchmark item leaks into a prompt."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from mathforge.bench.problem import Problem

PROMPT_STYLES = ("auto", "cot", "fewshot", "mcq", "cloze")

SYSTEM_COT = {
    "en": "Please reason step by step, and put your final answer within \\boxed{}.",
    "zh": "请一步步推理，并把最终答案放在 \\boxed{} 中。",
}
SYSTEM_MCQ = {
    "en": "Please reason step by step, then give the letter of the correct option within \\boxed{}, "
    "e.g. \\boxed{B}. If several options are correct, put all their letters in the box.",
    "zh": "请一步步推理，最后把正确选项的字母放在 \\boxed{} 中，例如 \\boxed{B}。若有多个正确选项，请把所有字母都放入框中。",
}
SYSTEM_CLOZE = {
    "en": "Please reason step by step. The question has one or more blanks; give the answer of each blank "
    "in order, each in its own \\boxed{}.",
    "zh": "请一步步推理。题目中可能有多个空，请按顺序给出每个空的答案，每个答案各放在一个 \\boxed{} 中。",
}

# Written for mathforge; in the style of grade-school and competition problems, not copied from any set.
FEWSHOT = {
    "en": [
        (
            "A baker makes 24 muffins and sells them in boxes of 4. Each box costs $3. How much money does "
            "the baker make if every box is sold?",
            "24 muffins in boxes of 4 make 24 / 4 = 6 boxes. At $3 each, 6 boxes bring 6 * 3 = 18 dollars. "
            "The answer is 18.",
        ),
        (
            "What is the sum of all positive divisors of 12?",
            "The divisors of 12 are 1, 2, 3, 4, 6 and 12. Their sum is 1 + 2 + 3 + 4 + 6 + 12 = 28. "
            "The answer is 28.",
        ),
        (
            "Solve for $x$: $3x - 7 = 11$.",
            "Adding 7 to both sides gives $3x = 18$, so $x = 6$. The answer is 6.",
        ),
        (
            "A rectangle has a perimeter of 30 cm and a length of 9 cm. What is its area in square cm?",
            "The width is 30 / 2 - 9 = 6 cm, so the area is 9 * 6 = 54 square cm. The answer is 54.",
        ),
    ],
    "zh": [
        (
            "小明有 35 元，买了 3 支笔，每支 7 元，还剩多少元？",
            "3 支笔共 3 × 7 = 21 元，还剩 35 - 21 = 14 元。答案是 14。",
        ),
        (
            "一个数的 3 倍加上 5 等于 26，这个数是多少？",
            "设这个数为 x，则 3x + 5 = 26，3x = 21，x = 7。答案是 7。",
        ),
        (
            "等差数列的首项为 2，公差为 3，第 10 项是多少？",
            "第 10 项为 2 + (10 - 1) × 3 = 29。答案是 29。",
        ),
        (
            "一个长方形的长是 8 米，宽是 5 米，它的面积是多少平方米？",
            "面积为 8 × 5 = 40 平方米。答案是 40。",
        ),
    ],
}
FEWSHOT_LABELS = {"en": ("Question", "Answer"), "zh": ("问题", "解答")}


@dataclass(frozen=True)
class Prompt:
    """One prompt in both forms: ``messages`` for chat models, ``text`` for completion models."""

    messages: tuple[dict[str, str], ...]
    text: str
    style: str
    stop: tuple[str, ...] = field(default=())

    def key(self) -> str:
        """A stable digest of everything that is sent to a model (part of the result-cache key)."""
        payload = json.dumps([list(self.messages), self.text, list(self.stop)], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:24]


def default_style(problem: Problem) -> str:
    return {"choice": "mcq", "cloze": "cloze"}.get(problem.kind, "cot")


def _options_block(problem: Problem) -> str:
    return "\n".join(f"{'ABCDEFGH'[i]}. {opt}" for i, opt in enumerate(problem.options))


def build_prompt(problem: Problem, style: str = "auto") -> Prompt:
    """The prompt for ``problem`` in ``style`` (``auto`` picks by answer kind: cot / mcq / cloze)."""
    if style not in PROMPT_STYLES:
        raise ValueError(f"unknown prompt style {style!r}; use one of {', '.join(PROMPT_STYLES)}")
    if style == "auto":
        style = default_style(problem)
    lang = problem.language if problem.language in ("en", "zh") else "en"
    question = problem.question.strip()
    if problem.options and style in ("mcq", "fewshot") and _options_block(problem) not in question:
        question = f"{question}\n{_options_block(problem)}"
    if style == "fewshot":
        q_label, a_label = FEWSHOT_LABELS[lang]
        shots = "\n\n".join(f"{q_label}: {q}\n{a_label}: {a}" for q, a in FEWSHOT[lang])
        text = f"{shots}\n\n{q_label}: {question}\n{a_label}:"
        return Prompt(
            messages=({"role": "user", "content": text},),
            text=text,
            style=style,
            stop=(f"\n\n{q_label}:", f"\n{q_label}:"),
        )
    system = {"cot": SYSTEM_COT, "mcq": SYSTEM_MCQ, "cloze": SYSTEM_CLOZE}[style][lang]
    messages = ({"role": "system", "content": system}, {"role": "user", "content": question})
    text = f"{question}\n{system}\n"
    return Prompt(messages=messages, text=text, style=style)


def describe_templates() -> dict[str, object]:
    """Every template's text, for a run record: a score is reproducible only with its exact prompt."""
    return {
        "cot": SYSTEM_COT,
        "mcq": SYSTEM_MCQ,
        "cloze": SYSTEM_CLOZE,
        "fewshot": {lang: [list(pair) for pair in shots] for lang, shots in FEWSHOT.items()},
    }
