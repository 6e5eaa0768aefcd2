"""Solve one question: sample K answers (chain-of-thought or tool-integrated), extract each final
answer, and vote. The CLI (``mathforge solve``) and the app render what this returns."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from mathforge.bench.problem import Problem
from mathforge.grade import extract_answer
from mathforge.grade.normalize import normalise
from mathforge.infer import Backend, SamplingParams
from mathforge.prompts import build_prompt
from mathforge.sandbox import CellResult

_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Sample:
    text: str  # the whole response; with tools it includes the code and ```output blocks
    answer: str | None
    cells: list[tuple[str, CellResult]] = field(default_factory=list)
    finish: str = "stop"
    error: str | None = None


@dataclass
class Solution:
    question: str
    samples: list[Sample]
    votes: list[tuple[str, int]]  # (answer, count), most common first
    answer: str | None
    share: float


def vote(answers: list[str | None]) -> list[tuple[str, int]]:
    """Answers grouped by their normalised form (first spelling kept), most votes first."""
    first: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for a in answers:
        if not a:
            continue
        key = normalise(a).text
        first.setdefault(key, a)
        counts[key] += 1
    return [(first[k], c) for k, c in counts.most_common()]


def solve(
    question: str,
    backend: Backend,
    *,
    samples: int = 1,
    style: str = "cot",
    temperature: float | None = None,
    max_tokens: int = 1024,
    seed: int = 0,
) -> Solution:
    """``style``: cot, tir, tora or pot (the last three need ``backend`` to be a ToolBackend)."""
    lang = "zh" if _CJK.search(question) else "en"
    problem = Problem("q", "solve", question.strip(), "", "expr", lang)
    prompt = build_prompt(problem, style)
    temp = temperature if temperature is not None else (0.0 if samples == 1 else 0.7)
    params = SamplingParams(n=samples, temperature=temp, max_tokens=max_tokens, seed=seed)
    gens = backend.generate([prompt], params)[0]
    trajectories = getattr(backend, "last_trajectories", None)
    out = []
    for j, g in enumerate(gens):
        cells = trajectories[0][j].cells if trajectories else []
        out.append(Sample(g.text, extract_answer(g.text).answer, cells, g.finish_reason, g.error))
    votes = vote([s.answer for s in out])
    answer, top = votes[0] if votes else (None, 0)
    return Solution(question, out, votes, answer, top / max(1, len(out)))
