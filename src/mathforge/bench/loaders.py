"""Per-set converters: one upstream record (upstream field names) → one ``Problem``.

Each converter raises ``RecordError`` for a record it cannot map (missing field, empty gold, unreadable
options); the loader skips that record and reports it as ``FILE:LINE: message``. Gold answers follow the
Qwen2.5-Math evaluation toolkit's ``parse_ground_truth`` so our scores are comparable with published ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mathforge.bench.errors import RecordError
from mathforge.bench.options import as_list, letters, option_texts, split_inline
from mathforge.bench.problem import AnswerKind, Language, Problem
from mathforge.grade.extract import find_boxes

Record = Mapping[str, Any]


@dataclass(frozen=True)
class Ctx:
    """Where a record came from: the set, the split and its 1-based line (or hub row) number."""

    benchmark: str
    split: str
    line: int
    language: Language

    @property
    def line_id(self) -> str:
        """Id for sets without an upstream one: stable as long as the file's order is."""
        return f"{self.split}-{self.line}"


Converter = Callable[[Record, Ctx], Problem]

# ----------------------------------------------------------------------------------------------- helpers


def field(rec: Record, key: str) -> Any:
    """A required field (missing or null → RecordError)."""
    if key not in rec or rec[key] is None:
        raise RecordError(f"missing field {key!r}")
    return rec[key]


def text(rec: Record, key: str) -> str:
    """A required field as stripped text."""
    value = field(rec, key)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return number_text(value)
    if not isinstance(value, str):
        raise RecordError(f"field {key!r} should be text, got {type(value).__name__}")
    return value.strip()


def opt_text(rec: Record, key: str) -> str | None:
    value = rec.get(key)
    if value is None or (isinstance(value, str) and value.strip() in ("", "None")):
        return None
    return str(value).strip()


def number_text(value: float | int) -> str:
    """``27.0`` → ``"27"``, ``0.8888888889`` → ``"0.8888888889"`` (JSON floats of integer answers)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_NUMBER_RE = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:/\d+)?")


def guess_kind(answer: str) -> AnswerKind:
    """``number`` for a plain (possibly $-wrapped) number or ``a/b``, else ``expr``."""
    bare = answer.strip().strip("$").strip().replace(",", "")
    return "number" if _NUMBER_RE.fullmatch(bare) else "expr"


_DOLLAR_WRAPPED_RE = re.compile(r"^\s*\$([^$]+)\$\s*$")


def unwrap_math(answer: str, kind: AnswerKind | None) -> str:
    """``$\\frac{1}{2}$`` → ``\\frac{1}{2}`` (each blank for cloze): gold is mathematics, not display text.
    Only an answer that is one ``$…$`` is touched; ``$\\min$ at $x=-1$`` stays as written."""
    if kind == "choice":
        return answer
    parts = answer.split(";") if kind == "cloze" else [answer]
    out = []
    for part in parts:
        m = _DOLLAR_WRAPPED_RE.match(part)
        out.append(m.group(1).strip() if m else part.strip())
    return ";".join(out)


def last_box(solution: str, key: str = "solution") -> str:
    """Gold answer from the last ``\\boxed{}`` of a worked solution (MATH, Minerva)."""
    boxes = [b.strip() for b in find_boxes(solution)]
    if not boxes or not boxes[-1]:
        raise RecordError(f"no \\boxed{{}} answer in field {key!r}")
    return boxes[-1]


def make(
    ctx: Ctx,
    *,
    id: Any,
    question: str,
    answer: str,
    kind: AnswerKind | None = None,
    answer_field: str = "answer",
    **extra: Any,
) -> Problem:
    """Build the Problem, refusing empty questions and empty gold answers (a record nobody can grade)."""
    if not question.strip():
        raise RecordError("empty question")
    if not answer.strip():
        raise RecordError(f"empty gold answer in field {answer_field!r}")
    if kind == "choice" and any(ord(c) - 65 >= len(extra.get("options", ())) for c in answer):
        raise RecordError(f"gold {answer!r} is not among the {len(extra.get('options', ()))} options")
    answer = unwrap_math(answer, kind)
    meta = {"line": ctx.line, **extra.pop("meta", {})}
    return Problem(
        id=str(id),
        benchmark=ctx.benchmark,
        question=question.strip(),
        answer=answer.strip(),
        kind=kind or guess_kind(answer),
        language=ctx.language,
        meta=meta,
        **extra,
    )


def _join(body: str, question: str) -> str:
    """Body + question as one paragraph (adds the full stop some SVAMP bodies lack)."""
    body = body.strip()
    if body and body[-1] not in ".?!。？！,":
        body += "."
    return f"{body} {question.strip()}"


def _inline_choice(question: str) -> tuple[str, tuple[str, ...]]:
    """Options written into the question text: split them out so the prompt shows them once."""
    split = split_inline(question)
    if split is None:
        raise RecordError("choice question without readable options A, B, … in its text")
    return split


# -------------------------------------------------------------------------------------------- converters


def gsm8k(rec: Record, ctx: Ctx) -> Problem:
    solution = text(rec, "answer")
    if "####" not in solution:
        raise RecordError("field 'answer' has no '#### N' final answer")
    gold = solution.rsplit("####", 1)[1].strip().replace(",", "")
    return make(ctx, id=ctx.line_id, question=text(rec, "question"), answer=gold, solution=solution)


def hendrycks_math(rec: Record, ctx: Ctx) -> Problem:
    solution = text(rec, "solution")
    return make(
        ctx,
        id=rec.get("unique_id") or ctx.line_id,
        question=text(rec, "problem"),
        answer=last_box(solution),
        answer_field="solution",
        solution=solution,
        subject=opt_text(rec, "type"),
        level=opt_text(rec, "level"),
    )


def math500(rec: Record, ctx: Ctx) -> Problem:
    solution = text(rec, "solution")
    return make(
        ctx,
        id=rec.get("unique_id") or ctx.line_id,
        question=text(rec, "problem"),
        answer=text(rec, "answer"),
        solution=solution,
        subject=opt_text(rec, "subject"),
        level=opt_text(rec, "level"),
        meta={"boxed": find_boxes(solution)[-1].strip() if find_boxes(solution) else None},
    )


def minerva_math(rec: Record, ctx: Ctx) -> Problem:
    solution = text(rec, "solution")
    return make(
        ctx,
        id=rec.get("idx", ctx.line_id),
        question=text(rec, "problem"),
        answer=last_box(solution),
        answer_field="solution",
        solution=solution,
        subject=opt_text(rec, "type"),
    )


def cmath(rec: Record, ctx: Ctx) -> Problem:
    return make(
        ctx,
        id=ctx.line_id,
        question=text(rec, "input"),
        answer=text(rec, "golden"),
        answer_field="golden",
        level=opt_text(rec, "grade"),
        meta={"reasoning_step": rec.get("reasoning_step"), "num_digits": rec.get("num_digits")},
    )


def gaokao_math_cloze(rec: Record, ctx: Ctx) -> Problem:
    return make(
        ctx,
        id=ctx.line_id,
        question=text(rec, "question"),
        answer=text(rec, "answer"),
        kind="cloze",
        meta={"source": (rec.get("other") or {}).get("source")},
    )


def gaokao_math_qa(rec: Record, ctx: Ctx) -> Problem:
    question = text(rec, "question").rstrip("\\").strip()
    return make(
        ctx,
        id=ctx.line_id,
        question=question,
        answer=letters(field(rec, "label"), "label"),
        answer_field="label",
        kind="choice",
        options=option_texts(as_list(field(rec, "options"), "options")),
        meta={"source": (rec.get("other") or {}).get("source")},
    )


def mmlu_stem(rec: Record, ctx: Ctx) -> Problem:
    choices = as_list(field(rec, "choices"), "choices")
    index = field(rec, "answer")
    if not isinstance(index, int) or not 0 <= index < len(choices):
        raise RecordError(f"field 'answer' should be a choice index below {len(choices)}, got {index!r}")
    return make(
        ctx,
        id=ctx.line_id,
        question=text(rec, "question"),
        answer="ABCDEFGH"[index],
        kind="choice",
        options=tuple(str(c).strip() for c in choices),
        subject=opt_text(rec, "type"),
    )


def aqua(rec: Record, ctx: Ctx) -> Problem:
    return make(
        ctx,
        id=ctx.line_id,
        question=text(rec, "question"),
        answer=letters(field(rec, "correct"), "correct"),
        answer_field="correct",
        kind="choice",
        options=option_texts(as_list(field(rec, "options"), "options")),
        solution=opt_text(rec, "rationale"),
    )


def sat_math(rec: Record, ctx: Ctx) -> Problem:
    raw = field(rec, "options")
    if isinstance(raw, str) and not raw.lstrip().startswith("["):
        parsed = split_inline(" " + raw)
        if parsed is None or parsed[0].strip():
            raise RecordError("field 'options' is not 'A) … B) …'")
        options = parsed[1]
    else:
        options = option_texts(as_list(raw, "options"))
    return make(
        ctx,
        id=rec.get("id", ctx.line_id),
        question=text(rec, "question"),
        answer=letters(field(rec, "Answer"), "Answer"),
        answer_field="Answer",
        kind="choice",
        options=options,
    )


def _cloze_or_kind(answer: str) -> AnswerKind:
    return "cloze" if ";" in answer else guess_kind(answer)


def gaokao2024(rec: Record, ctx: Ctx) -> Problem:
    """gaokao2024_I / _II: ``type`` single / multi are multiple choice (options in the question text),
    ``blank`` a fill-in answer (several blanks joined by ';')."""
    question, qtype, answer = text(rec, "question"), text(rec, "type"), text(rec, "answer")
    if qtype in ("single", "multi"):
        stem, options = _inline_choice(question)
        return make(
            ctx,
            id=ctx.line_id,
            question=stem,
            answer=letters(answer, "answer"),
            kind="choice",
            options=options,
            meta={"type": qtype},
        )
    return make(
        ctx,
        id=ctx.line_id,
        question=question,
        answer=answer,
        kind=_cloze_or_kind(answer),
        meta={"type": qtype},
    )


def _choice_or_answer(rec: Record, ctx: Ctx) -> Problem:
    """gaokao2024_mix / cn_middle_school: ``choice_answer`` (a letter) when the item is multiple choice,
    else the open ``answer``. For choice items ``answer`` holds the option text, which upstream sometimes
    truncated or mangled (cn_middle_school line 45: ``\\left(a^{2}\\right)^{5}=a^{10}3``), so the letter is
    the trustworthy gold; the option text is kept in ``meta['answer_text']``."""
    question = text(rec, "question")
    choice = opt_text(rec, "choice_answer")
    answer = text(rec, "answer")
    rid = rec.get("idx", ctx.line_id)
    if choice:
        stem, options = _inline_choice(question)
        return make(
            ctx,
            id=rid,
            question=stem,
            answer=letters(choice, "choice_answer"),
            answer_field="choice_answer",
            kind="choice",
            options=options,
            meta={"answer_text": answer},
        )
    return make(ctx, id=rid, question=question, answer=answer)


gaokao2024_mix = _choice_or_answer
cn_middle_school = _choice_or_answer


def gaokao2023en(rec: Record, ctx: Ctx) -> Problem:
    return make(
        ctx,
        id=ctx.line_id,
        question=text(rec, "question"),
        answer=text(rec, "answer"),
        meta={k: rec[k] for k in ("id", "source", "sourcename") if rec.get(k)},
    )


def olympiadbench(rec: Record, ctx: Ctx) -> Problem:
    """Several final answers (``is_multiple_answer``) are joined with ', '; the ``$…$`` around each is
    dropped (the grader strips it anyway, and ``$69$,$84$`` is not a clean gold string)."""
    finals = [str(a).strip() for a in as_list(field(rec, "final_answer"), "final_answer")]
    answer = ", ".join(re.sub(r"(?<!\\)\$", "", a).strip() for a in finals if a)
    context = opt_text(rec, "context")
    question = text(rec, "question")
    solution = rec.get("solution")
    return make(
        ctx,
        id=rec.get("id", ctx.line_id),
        question=f"{context}\n\n{question}" if context else question,
        answer=answer,
        answer_field="final_answer",
        solution="\n\n".join(solution) if isinstance(solution, list) else solution,
        subject=opt_text(rec, "subfield"),
        meta={k: rec.get(k) for k in ("unit", "answer_type", "is_multiple_answer", "error") if rec.get(k)},
    )


def svamp(rec: Record, ctx: Ctx) -> Problem:
    return make(
        ctx,
        id=rec.get("ID", ctx.line_id),
        question=_join(text(rec, "Body"), text(rec, "Question")),
        answer=text(rec, "Answer"),
        answer_field="Answer",
        solution=opt_text(rec, "Equation"),
        subject=opt_text(rec, "Type"),
    )


_UNIT_RE = re.compile(r"\s*\([^()]*\)")


def asdiv(rec: Record, ctx: Ctx) -> Problem:
    """Answers look like ``9 (apples)``; the unit in parentheses is dropped, as the Qwen toolkit does.
    A few answers are ratios (``5:6``), times (``3:30 p.m.``) or names (``Mrs. Hilt``) — kept as text."""
    answer = _UNIT_RE.sub("", text(rec, "answer")).strip()
    return make(
        ctx,
        id=rec.get("idx", ctx.line_id),
        question=_join(text(rec, "body"), text(rec, "question")),
        answer=answer,
        solution=opt_text(rec, "formula"),
        subject=opt_text(rec, "solution_type"),
    )


def mawps(rec: Record, ctx: Ctx) -> Problem:
    return make(
        ctx,
        id=rec.get("idx", ctx.line_id),
        question=text(rec, "input"),
        answer=text(rec, "target"),
        answer_field="target",
        subject=opt_text(rec, "type"),
    )


def college_math(rec: Record, ctx: Ctx) -> Problem:
    source, number = opt_text(rec, "data_source"), opt_text(rec, "question_number")
    return make(
        ctx,
        id=f"{source}:{number}" if source and number else ctx.line_id,
        question=text(rec, "question"),
        answer=text(rec, "answer"),
        subject=opt_text(rec, "data_topic"),
    )


def carp_en(rec: Record, ctx: Ctx) -> Problem:
    return make(
        ctx,
        id=ctx.line_id,
        question=text(rec, "content"),
        answer=text(rec, "answer"),
        solution=opt_text(rec, "steps"),
    )


def aime24(rec: Record, ctx: Ctx) -> Problem:
    return make(
        ctx,
        id=rec.get("id", ctx.line_id),
        question=text(rec, "problem"),
        answer=text(rec, "answer"),
        solution=opt_text(rec, "solution"),
        meta={"url": rec.get("url")},
    )


def amc23(rec: Record, ctx: Ctx) -> Problem:
    key = "question" if rec.get("question") else "problem"
    return make(
        ctx,
        id=rec.get("id", ctx.line_id),
        question=text(rec, key),
        answer=text(rec, "answer"),
        meta={"url": rec.get("url")},
    )


def synth(rec: Record, ctx: Ctx) -> Problem:
    """A set written by ``mathforge synth bench``: one language per record."""
    from dataclasses import replace

    problem = make(
        ctx,
        id=text(rec, "id"),
        question=text(rec, "question"),
        answer=text(rec, "answer"),
        kind=rec.get("kind") if rec.get("kind") in ("number", "expr") else None,
        subject=opt_text(rec, "family"),
        level=opt_text(rec, "level"),
    )
    lang = rec.get("language")
    return replace(problem, language=lang) if lang in ("en", "zh") else problem
