"""Solve one question: sample K answers (chain-of-thought or tool-integrated), extract each final
answer, and choose one -- by majority vote, or another selection strategy (``select``: sctir, genselect,
verify, rm, rm_vote; see ``mathforge.evaluate.selection``). The CLI (``mathforge solve``) and the app
render what this returns, including which strategy chose the answer and why."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from mathforge.bench.problem import Problem
from mathforge.grade import extract_answer
from mathforge.grade.normalize import normalise
from mathforge.infer import Backend, SamplingParams
from mathforge.prompts import Prompt, build_prompt
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
    share: float  # of the samples that gave the chosen answer
    chosen_by: str = "maj"  # the selection strategy
    why: str = ""  # vote shares, reward scores, the GenSelect judgement, substitution checks


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
    select: str = "maj",
    reward_model=None,
    sandbox=None,
) -> Solution:
    """``style``: cot, tir, tora or pot (the last three need ``backend`` to be a ToolBackend).
    ``select``: maj, sctir, genselect (``backend`` judges), verify (needs ``sandbox``, or a ToolBackend's),
    rm / rm_vote (need ``reward_model``, a ``RewardModel``)."""
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
    if select == "maj" or len(out) < 2:
        answer, top = votes[0] if votes else (None, 0)
        why = ", ".join(f"{a}: {c}/{len(out)}" for a, c in votes[:3]) or "no sample has an answer"
        return Solution(question, out, votes, answer, top / max(1, len(out)), "maj", why)
    choice = _choose(question, out, select, backend, reward_model, sandbox)
    answer = out[choice.index].answer if choice.index is not None else None
    key = normalise(answer).text if answer else None
    agree = sum(1 for s in out if s.answer and normalise(s.answer).text == key) if key else 0
    return Solution(question, out, votes, answer, agree / len(out), select, choice.why)


def _choose(question: str, out: list[Sample], select: str, backend, reward_model, sandbox):
    from mathforge.evaluate import selection as sel

    texts = [s.text for s in out]
    rewards = reward_model.score(question, texts) if reward_model is not None else [None] * len(out)
    verified: list[bool | None] = [None] * len(out)
    if select == "verify":
        box = sandbox or getattr(backend, "sandbox", None)
        if box is None:
            raise ValueError("the verify strategy needs a sandbox (use --tir, or pass one)")
        verified = sel.verify_candidates(question, [s.answer for s in out], box)
    samples = [
        sel.Sample(s.answer, s.text, False, r, v) for s, r, v in zip(out, rewards, verified, strict=True)
    ]
    if select == "genselect":
        judge_backend = getattr(backend, "inner", backend)
        params = SamplingParams(n=1, temperature=0.0, max_tokens=512)

        def judge(prompts: list[str]) -> list[str]:
            asked = [Prompt(({"role": "user", "content": t},), t, "genselect") for t in prompts]
            return [g[0].text for g in judge_backend.generate(asked, params)]

        return sel.genselect_many([question], [samples], judge)[0]
    if select in ("rm", "rm_vote") and reward_model is None:
        raise ValueError(f"the {select} strategy needs a reward model")
    return sel.choose(select, samples)
