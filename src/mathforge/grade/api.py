"""Public grading API: one pair (``is_equiv``, ``grade``) or a batch (``grade_many``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from mathforge.grade.extract import STYLES, extract_answer, find_boxes, states_final_answer
from mathforge.grade.freeform import collapse_chain
from mathforge.grade.judge import KINDS, judge
from mathforge.grade.pool import DEFAULT_TIMEOUT, SymbolicPool, shared_pool

VERDICTS = ("correct", "wrong", "timeout", "unparseable")


@dataclass(frozen=True)
class GradeItem:
    """One thing to grade: the gold answer, the model's full output, and how to read them.

    ``truncated``: the generation stopped at the token limit (``finish_reason == "length"``); such an
    output counts as answered only when it states a final answer (a box, "the answer is", "####"…), not
    through the fallbacks that pick its last value, and is otherwise ``unparseable`` ("truncated")."""

    gold: str
    output: str
    style: str = "auto"
    kind: str = "auto"
    truncated: bool = False

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r}; use one of {', '.join(STYLES)}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; use one of {', '.join(KINDS)}")


@dataclass(frozen=True)
class GradeResult:
    """The verdict (correct / wrong / timeout / unparseable), why, and what answer was extracted."""

    verdict: str
    reason: str
    pred: str | None
    source: str
    symbolic: bool = False  # whether a worker process was needed

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_style(kind: str) -> str:
    return {"choice": "choice", "cloze": "cloze"}.get(kind, "auto")


def as_item(obj: GradeItem | Mapping[str, Any] | Sequence[Any]) -> GradeItem:
    """Accept a GradeItem, a mapping with gold/output[/style/kind], or a (gold, output[, style, kind]) tuple."""
    if isinstance(obj, GradeItem):
        return obj
    if isinstance(obj, Mapping):
        kind = str(obj.get("kind") or "auto")
        truncated = bool(obj.get("truncated")) or obj.get("finish_reason") == "length"
        return GradeItem(
            str(obj["gold"]),
            str(obj["output"]),
            str(obj.get("style") or default_style(kind)),
            kind,
            truncated,
        )
    gold, output, *rest = obj
    kind = str(rest[1]) if len(rest) > 1 and rest[1] else "auto"
    style = str(rest[0]) if rest and rest[0] else default_style(kind)
    return GradeItem(str(gold), str(output), style, kind)


TRUNCATED = "truncated"
_SOLUTION_WORD_RE = re.compile(r"(?<![\\a-zA-Z])[a-zA-Z]{3,}")
_SENTENCE_END_RE = re.compile(r"[.!?。](?:\s|$)|\n")


def gold_answer(gold: str, kind: str = "auto") -> str:
    """The gold's answer (see ``_gold_answer``), a chain of equalities read as a model's is: its last
    side (``\\log_2(32) = 5`` → 5), so a gold and the same text as an output always agree."""
    answer = _gold_answer(gold, kind)
    if kind in ("choice", "cloze") or ("=" not in answer and "\\approx" not in answer):
        return answer
    collapsed, problem = collapse_chain(answer)
    return answer if problem else collapsed


def _gold_answer(gold: str, kind: str = "auto") -> str:
    """The answer of a gold written as a full solution (some sets store the worked solution): the
    text after ``####``, the last ``\\boxed{}``, or — for a long prose solution of several sentences —
    the answer its final statement gives, by the same rules as a model's output. Any other gold is
    returned unchanged (a short gold is an answer, even when it is a sentence)."""
    if kind in ("choice", "cloze"):
        return gold
    if "####" in gold:
        tail = gold.rsplit("####", 1)[1].strip()
        return tail or gold
    if "\\boxed" in gold or "\\fbox" in gold:
        boxes = find_boxes(gold)
        return boxes[-1] if boxes else gold
    if len(gold) < 40:
        return gold
    prose = re.sub(r"\$[^$]*\$|\\[a-zA-Z]+", " ", gold)
    if len(_SOLUTION_WORD_RE.findall(prose)) < 12 or len(_SENTENCE_END_RE.findall(gold.strip())) < 2:
        return gold
    found = extract_answer(gold, "auto")
    return found.answer if found.answer and not found.problem else gold


def _with_gold_answer(item: GradeItem) -> GradeItem:
    gold = gold_answer(item.gold, item.kind)
    return item if gold == item.gold else replace(item, gold=gold)


def _fast(item: GradeItem, raw_gold: str | None = None) -> tuple[GradeResult | None, str | None, str]:
    """Extraction and the in-process decision. ``raw_gold``: the gold as given, before its answer was
    read out of it (a worked solution, a chain): an output stating exactly that text is right."""
    ext = extract_answer(item.output, item.style)
    if item.truncated and not states_final_answer(ext, item.output):
        return GradeResult("unparseable", TRUNCATED, ext.answer, ext.source), None, ext.source
    if ext.answer is None:
        reason = ext.problem or "no answer found in the output"
        return GradeResult("unparseable", reason, None, ext.source), None, ext.source
    if (
        raw_gold is not None
        and raw_gold != item.gold
        and (ext.stated or ext.answer).strip() == raw_gold.strip()
    ):
        return GradeResult("correct", "the gold's own text", ext.answer, ext.source), ext.answer, ext.source
    if ext.problem:  # a chain of equalities that contradicts itself is not an answer to accept
        return GradeResult("wrong", ext.problem, ext.answer, ext.source), ext.answer, ext.source
    decided = judge(item.gold, ext.answer, item.kind, symbolic=False)
    if decided is not None:
        return GradeResult(decided[0], decided[1], ext.answer, ext.source), ext.answer, ext.source
    return None, ext.answer, ext.source


def grade_many(
    items: Iterable[GradeItem | Mapping[str, Any] | Sequence[Any]],
    workers: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    pool: SymbolicPool | None = None,
    on_result: Callable[[int, GradeResult], None] | None = None,
) -> list[GradeResult]:
    """Grade a batch. Fast-path pairs are decided in this process; the rest go to ``workers`` killable
    processes with a hard ``timeout`` per pair, so the batch takes at most ~(hard pairs / workers) ×
    timeout and one pathological pair never blocks the others. With one worker and no ``pool``, the
    process-wide shared worker is used, so many small calls do not each start and stop a pool. Results
    come back in input order;
    ``on_result(index, result)`` is called as each one is known (for progress bars)."""
    given = [as_item(x) for x in items]
    parsed = [_with_gold_answer(x) for x in given]
    if pool is None and workers <= 1:
        pool = shared_pool()  # repeated small batches (rewards, teacher stats) reuse one warm worker
    results: list[GradeResult | None] = [None] * len(parsed)
    pending: list[tuple[int, Any, str, str]] = []
    own_pool = None
    try:
        for i, item in enumerate(parsed):
            res, pred, source = _fast(item, given[i].gold)
            if res is not None:
                results[i] = res
                if on_result:
                    on_result(i, res)
                continue
            if pool is None and own_pool is None:
                own_pool = SymbolicPool(workers=workers)
            active = pool or own_pool
            assert active is not None and pred is not None
            pending.append((i, active.submit(item.gold, pred, item.kind, timeout), pred, source))
        for i, future, pred, source in pending:
            verdict, reason = SymbolicPool.result(future, timeout)
            res = GradeResult(verdict, reason, pred, source, symbolic=True)
            results[i] = res
            if on_result:
                on_result(i, res)
    finally:
        if own_pool is not None:
            own_pool.close()
    return [r for r in results if r is not None]


def grade(
    gold: str, output: str, style: str = "auto", kind: str = "auto", timeout: float = DEFAULT_TIMEOUT
) -> GradeResult:
    """Grade one model output against a gold answer (extraction + equivalence)."""
    item = _with_gold_answer(GradeItem(gold, output, style, kind))
    res, pred, source = _fast(item, gold)
    gold = item.gold
    if res is not None:
        return res
    pool = shared_pool()
    verdict, reason = SymbolicPool.result(pool.submit(gold, pred or "", kind, timeout), timeout)
    return GradeResult(verdict, reason, pred, source, symbolic=True)


def is_equiv(gold: str, pred: str, kind: str = "auto", timeout: float = DEFAULT_TIMEOUT) -> bool:
    """Whether an already-extracted answer equals the gold answer. Never hangs: symbolic work runs in a
    killable worker, and a timeout counts as not equal."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    gold = gold_answer(gold, kind)
    decided = judge(gold, pred, kind, symbolic=False)
    if decided is None:
        decided = SymbolicPool.result(shared_pool().submit(gold, pred, kind, timeout), timeout)
    return decided[0] == "correct"
