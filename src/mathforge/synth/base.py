"""What a generator family is, and the item it produces.

A family draws a problem from a seeded ``random.Random``, solves it by construction, and writes three
things: a worked chain-of-thought ending in ``\\boxed{answer}``, a Python program that prints the
answer (the tool-integrated solution), and the gold answer. Its ``check`` re-derives the answer by a
route independent of how it was produced (substitute the root back, recompute with exact rationals…);
an item whose check fails is never emitted.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

LANGS = ("en", "zh")
LEVELS = (1, 2, 3)


@dataclass
class Draft:
    """A problem as a family writes it, before checking and packaging."""

    question: str
    answer: str  # grader-readable gold: "42", "\\frac{3}{4}", "(2, -1)", "x \\le 3", …
    cot: str  # ends with \\boxed{answer}
    code: str  # prints the answer
    kind: str = "number"  # number | expr
    data: dict[str, Any] = field(default_factory=dict)  # what ``check`` needs, JSON-serialisable


@dataclass(frozen=True)
class Family:
    name: str
    description: str
    make: Callable[[random.Random, str, int], Draft]  # (rng, lang, level) → draft
    check: Callable[[Draft], bool]  # independent verification of draft.answer


@dataclass
class SynthItem:
    id: str
    family: str
    language: str
    level: int
    seed: int
    question: str
    answer: str
    kind: str
    cot: str
    code: str
    code_output: str | None = None  # filled when the program was executed (in the sandbox)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def tir_solution(self) -> str:
        """The tool-integrated transcript: the program, its real output, the boxed answer."""
        out = self.code_output if self.code_output is not None else ""
        return f"```python\n{self.code.rstrip()}\n```\n```output\n{out.rstrip()}\n```\n" + boxed(
            self.answer, self.language
        )


def boxed(answer: str, lang: str) -> str:
    return f"所以答案是 $\\boxed{{{answer}}}$。" if lang == "zh" else f"The answer is $\\boxed{{{answer}}}$."


def pick(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en
