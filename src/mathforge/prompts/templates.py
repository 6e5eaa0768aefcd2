"""The templates themselves. Few-shot exemplars are written for this project (never drawn from a test
split), so no benchmark item leaks into a prompt."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from mathforge.bench.problem import Problem

PROMPT_STYLES = ("auto", "cot", "fewshot", "mcq", "cloze", "tir", "tora", "pot")
TOOL_STYLES = ("tir", "tora", "pot")  # styles whose code is executed in the sandbox
OUTPUT_FENCE = "```output"

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

# Qwen2.5-Math's tool-integrated reasoning prompt (its evaluation toolkit, "tir").
SYSTEM_TIR = {
    "en": "Please integrate natural language reasoning with programs to solve the problem above, and put "
    "your final answer within \\boxed{}.",
    "zh": "请结合自然语言推理与 Python 程序来解决上面的问题，并把最终答案放在 \\boxed{} 中。",
}
# ToRA's instruction: interleave rationale and ```python blocks whose results come back as ```output.
SYSTEM_TORA = {
    "en": "Solve the problem by interleaving reasoning in natural language with Python code in ```python "
    "blocks; each block is executed and its result is shown in an ```output block. Put the final answer "
    "within \\boxed{}.",
    "zh": "请交替使用自然语言推理和 ```python 代码块解题；每个代码块都会被执行，结果显示在 ```output 代码块中。最终答案放在 \\boxed{} 中。",
}
# Program of thought: one program whose printed output is the answer.
SYSTEM_POT = {
    "en": "Write a Python program in a ```python block that computes the answer to the problem and prints "
    "only the final answer.",
    "zh": "请在 ```python 代码块中写一个 Python 程序计算本题答案，并只打印最终答案。",
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
    continuation: str = ""  # the assistant's text so far (tool-integrated rounds continue it)

    def key(self) -> str:
        """A stable digest of everything that is sent to a model (part of the result-cache key)."""
        payload = json.dumps(
            [list(self.messages), self.text, list(self.stop), self.continuation], ensure_ascii=False
        )
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
    if style in TOOL_STYLES:
        system = {"tir": SYSTEM_TIR, "tora": SYSTEM_TORA, "pot": SYSTEM_POT}[style][lang]
        if problem.kind == "choice":
            system += " " + SYSTEM_MCQ[lang]
        messages = ({"role": "system", "content": system}, {"role": "user", "content": question})
        return Prompt(messages=messages, text=f"{question}\n{system}\n", style=style, stop=(OUTPUT_FENCE,))
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
        "tir": SYSTEM_TIR,
        "tora": SYSTEM_TORA,
        "pot": SYSTEM_POT,
        "fewshot": {lang: [list(pair) for pair in shots] for lang, shots in FEWSHOT.items()},
    }
