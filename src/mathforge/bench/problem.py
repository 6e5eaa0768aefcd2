"""The one record every benchmark is mapped into."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

AnswerKind = Literal["number", "expr", "choice", "cloze"]
Language = Literal["en", "zh"]


@dataclass(frozen=True)
class Problem:
    """A benchmark item, whatever its upstream fields were.

    ``answer`` is the gold answer as the grader reads it (a number, a LaTeX expression, choice letters
    such as ``"AC"``, or cloze blanks joined by ``;``); ``kind`` tells the grader and the prompt builder
    which of these it is.
    """

    id: str
    benchmark: str
    question: str
    answer: str
    kind: AnswerKind
    language: Language
    options: tuple[str, ...] = ()  # choice texts without their letters, in letter order (A, B, …)
    solution: str | None = None
    subject: str | None = None
    level: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def grade_kind(self) -> str:
        """The grader's ``kind`` for this answer."""
        return {"number": "auto", "expr": "auto", "choice": "choice", "cloze": "cloze"}[self.kind]

    @property
    def grade_style(self) -> str:
        """The grader's extraction ``style`` for this answer."""
        return {"choice": "choice", "cloze": "cloze"}.get(self.kind, "auto")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["options"] = list(self.options)
        return d
