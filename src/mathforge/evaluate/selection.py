"""Choosing one answer among N samples of the same problem: every strategy on the same samples.

Strategies (``STRATEGIES``), each a function of the samples alone -- the gold answer is never looked at,
except by the oracle, which is the ceiling (pass@N):

- ``maj``: majority vote over equivalent answers (normalised form; ties to the answer seen first);
- ``rm``: the reward model's best sample (RM@N);
- ``rm_vote``: reward-weighted vote, the sum of sigmoid(r) per equivalent-answer class (Qwen2.5-Math's
  RM@N variant): many middling samples can outvote one confident outlier, and vice versa;
- ``sctir``: self-consistency over tool-integrated samples (NuminaMath's SC-TIR): a sample whose last
  executed cell failed (an error, a timeout, a killed process) does not vote; samples without code vote;
- ``genselect``: the model itself is shown up to k candidate solutions, one per distinct answer, and
  names the best (NeMo-Skills' GenSelect); a tournament when there are more than k classes. An
  unreadable or out-of-range judgement falls back to the majority within that group, and says so;
- ``verify``: candidates substituted into the problem's equation with sympy in the sandbox; those that
  fail are dropped, and the rest vote (where the problem has no single-variable equation, or no
  candidate can be checked, this is the plain majority);
- ``oracle``: a correct sample when there is one.

Each returns a ``Choice``: the chosen sample's index and a one-line ``why`` (vote shares, reward scores,
the judgement) that ``mathforge solve`` and the app show next to the answer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath

from mathforge.grade.normalize import normalise
from mathforge.grade.numeric import evaluate

STRATEGIES = ("maj", "rm", "rm_vote", "sctir", "genselect", "verify", "oracle")


@dataclass(frozen=True)
class Sample:
    """What the strategies may see of one sample (``correct`` is for the oracle and for scoring only)."""

    answer: str | None
    text: str = ""
    correct: bool = False
    reward: float | None = None
    verified: bool | None = None  # verify-by-execution: True passed, False failed, None not checkable


@dataclass(frozen=True)
class Choice:
    index: int | None  # the chosen sample; None when no sample has an answer
    strategy: str
    why: str


def answer_key(answer: str | None) -> str | None:
    """Equivalence class of an answer: its value when it is a number (``1/2``, ``0.5`` and
    ``\\frac{1}{2}`` vote together; values to 12 significant digits), else its normalised form."""
    if not answer:
        return None
    text = normalise(answer).text
    try:
        num = evaluate(text)
    except Exception:  # the grader's parser is bounded; anything odd just keeps the text form
        num = None
    if num is None or isinstance(num.value, mpmath.mpc):
        return text
    value = num.value
    if isinstance(value, Fraction):
        value = mpmath.mpf(value.numerator) / value.denominator
    return "=" + mpmath.nstr(value, 12)


def _classes(samples: Sequence[Sample], voters: Sequence[int]) -> dict[str, list[int]]:
    """Answer class → indices of the voting samples in it, classes in order of first appearance."""
    out: dict[str, list[int]] = {}
    for i in voters:
        key = answer_key(samples[i].answer)
        if key:
            out.setdefault(key, []).append(i)
    return out


def _vote(
    samples: Sequence[Sample], voters: Sequence[int], weight: Callable[[int], float], name: str
) -> Choice:
    classes = _classes(samples, voters)
    if not classes:
        return Choice(None, name, "no sample has an answer")
    totals = {k: sum(weight(i) for i in idx) for k, idx in classes.items()}
    best = max(totals, key=lambda k: (totals[k], -list(classes).index(k)))  # ties: first seen
    total = sum(totals.values()) or 1.0
    shares = ", ".join(
        f"{samples[classes[k][0]].answer}: {100 * totals[k] / total:.0f}%"
        for k in sorted(totals, key=totals.get, reverse=True)[:3]
    )
    return Choice(classes[best][0], name, shares)


def majority(samples: Sequence[Sample]) -> Choice:
    return _vote(samples, range(len(samples)), lambda i: 1.0, "maj")


def reward_best(samples: Sequence[Sample]) -> Choice:
    scored = [i for i, s in enumerate(samples) if s.reward is not None and s.answer]
    if not scored:
        return Choice(None, "rm", "no reward scores")
    best = max(scored, key=lambda i: samples[i].reward)  # ties: the first sample
    return Choice(best, "rm", f"reward {samples[best].reward:.2f} (highest of {len(scored)})")


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def reward_vote(samples: Sequence[Sample]) -> Choice:
    if not any(s.reward is not None for s in samples):
        return Choice(None, "rm_vote", "no reward scores")
    rewards = [s.reward if s.reward is not None else -math.inf for s in samples]
    choice = _vote(samples, range(len(samples)), lambda i: _sigmoid(rewards[i]), "rm_vote")
    return Choice(choice.index, "rm_vote", f"σ(reward) mass {choice.why}")


_OUTPUT_BLOCK = re.compile(r"```output\n(.*?)(?:```|\Z)", re.S)
_FAILED_LINE = re.compile(r"^(?:\w+(?:Error|Exception|Exit|Interrupt)\b|Killed:|Traceback)")


def last_cell_failed(text: str) -> bool | None:
    """Whether the last executed cell of a tool-integrated sample failed (None: no cell ran). A cell's
    output ends with its error line (``NameError: …``, ``TimeoutError: …``, ``Killed: …``)."""
    blocks = _OUTPUT_BLOCK.findall(text)
    if not blocks:
        return None
    lines = [ln for ln in blocks[-1].strip().splitlines() if ln.strip()]
    return bool(lines) and bool(_FAILED_LINE.match(lines[-1].strip()))


def sc_tir(samples: Sequence[Sample]) -> Choice:
    voters = [i for i, s in enumerate(samples) if last_cell_failed(s.text) is not True]
    dropped = len(samples) - len(voters)
    choice = _vote(samples, voters, lambda i: 1.0, "sctir")
    return Choice(
        choice.index, "sctir", f"{choice.why}; {dropped} sample(s) with a failed last cell left out"
    )


def verified_vote(samples: Sequence[Sample]) -> Choice:
    failed = [i for i, s in enumerate(samples) if s.verified is False]
    voters = [i for i, s in enumerate(samples) if s.verified is not False]
    if not any(s.verified is not None for s in samples):
        choice = majority(samples)
        return Choice(choice.index, "verify", f"nothing to check: majority {choice.why}")
    choice = _vote(samples, voters, lambda i: 1.0, "verify")
    if choice.index is None:  # every candidate failed: no answer is better than a refuted one
        return Choice(None, "verify", f"all {len(failed)} checked candidates failed the substitution")
    return Choice(choice.index, "verify", f"{choice.why}; {len(failed)} failed the substitution")


def oracle(samples: Sequence[Sample]) -> Choice:
    for i, s in enumerate(samples):
        if s.correct:
            return Choice(i, "oracle", "a correct sample exists")
    return Choice(None, "oracle", "no sample is correct")


# ------------------------------------------------------------------------------------------- GenSelect

GENSELECT_K = 4  # candidate solutions shown in one prompt

GENSELECT_PROMPT = """You are given a math problem and {k} candidate solutions. They reach different final answers, so at most one is right. Check each solution's reasoning and arithmetic, then name the best one.

Problem:
{question}

{solutions}

Compare the solutions briefly, then finish with a line of the form "Best solution: N" (N from 1 to {k})."""

_BEST_RE = re.compile(r"best\s+solution\s*(?:is|:|=)?\s*(?:solution\s*|#\s*|\(|\[)?\s*(\d+)", re.I)
_BOXED_INT = re.compile(r"\\boxed\{\s*(?:solution\s*)?(\d+)\s*\}", re.I)


def genselect_prompt(question: str, solutions: Sequence[str]) -> str:
    body = "\n\n".join(f"Solution {i + 1}:\n{s.strip()}" for i, s in enumerate(solutions))
    return GENSELECT_PROMPT.format(k=len(solutions), question=question.strip(), solutions=body)


def parse_genselect(text: str, k: int) -> int | None:
    """The 0-based index the judgement names ("Best solution: 2", "best solution is Solution 2",
    "\\boxed{2}"; the last such statement counts), or None when absent or out of 1..k."""
    found = [m.group(1) for m in _BEST_RE.finditer(text)] or [m.group(1) for m in _BOXED_INT.finditer(text)]
    if not found or len(found[-1]) > 3:
        return None
    n = int(found[-1])
    return n - 1 if 1 <= n <= k else None


Judge = Callable[[list[str]], list[str]]  # GenSelect prompts → the model's judgements, in order


def genselect_many(
    questions: Sequence[str], sample_sets: Sequence[Sequence[Sample]], judge: Judge, k: int = GENSELECT_K
) -> list[Choice]:
    """GenSelect for many problems at once (one batched ``judge`` call per tournament round). Each
    problem's candidates are one representative per answer class (its first sample), so a problem with
    one answer class needs no judgement at all."""
    reps: list[list[int]] = []
    for samples in sample_sets:
        classes = _classes(samples, range(len(samples)))
        reps.append([idx[0] for idx in classes.values()])
    notes: list[list[str]] = [[] for _ in sample_sets]
    while True:
        jobs = []  # (problem, group of sample indices)
        for p, alive in enumerate(reps):
            if len(alive) > 1:
                jobs += [(p, alive[g : g + k]) for g in range(0, len(alive), k)]
        if not jobs:
            break
        prompts = [genselect_prompt(questions[p], [sample_sets[p][i].text for i in grp]) for p, grp in jobs]
        verdicts = judge(prompts)
        winners: dict[int, list[int]] = {}
        for (p, grp), verdict in zip(jobs, verdicts, strict=True):
            if len(grp) == 1:
                winners.setdefault(p, []).append(grp[0])
                continue
            pick = parse_genselect(verdict, len(grp))
            if pick is None:
                fallback = _vote(sample_sets[p], _members(sample_sets[p], grp), lambda i: 1.0, "genselect")
                pick_i = fallback.index if fallback.index is not None else grp[0]
                notes[p].append(f"unreadable judgement among {len(grp)}: majority fallback")
            else:
                pick_i = grp[pick]
                notes[p].append(f"judge picked solution {pick + 1} of {len(grp)}")
            winners.setdefault(p, []).append(pick_i)
        for p in winners:
            reps[p] = winners[p]
    out = []
    for p, alive in enumerate(reps):
        if not alive:
            out.append(Choice(None, "genselect", "no sample has an answer"))
        else:
            out.append(
                Choice(alive[0], "genselect", "; ".join(notes[p]) or "one answer class: nothing to judge")
            )
    return out


def _members(samples: Sequence[Sample], reps: Sequence[int]) -> list[int]:
    """Every sample in the answer classes of ``reps`` (for a majority among a GenSelect group)."""
    keys = {answer_key(samples[i].answer) for i in reps}
    return [i for i, s in enumerate(samples) if answer_key(s.answer) in keys]


# ------------------------------------------------------------------------------- verify by execution

_MATH_SEG = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)
_TERM = r"(?:\d+(?:\.\d+)?[a-zA-Z]?(?![a-zA-Z])|(?<![a-zA-Z])[a-zA-Z](?![a-zA-Z])|[-+*/^()])"
_PLAIN_EQ = re.compile(rf"({_TERM}(?:\s*{_TERM})*\s*=\s*{_TERM}(?:\s*{_TERM})*)")


def equation_of(question: str) -> str | None:
    """The problem's single equation with one unknown (``3x + 5 = 20``), if it states one: a math
    segment (or, without markup, a plain-text span) holding exactly one ``=`` and one letter variable."""
    segments = [next(g for g in m.groups() if g) for m in _MATH_SEG.finditer(question)]
    if not segments:
        segments = [m.group(1) for m in _PLAIN_EQ.finditer(question)]
    found = []
    for seg in segments:
        if seg.count("=") != 1 or any(c in seg for c in "<>≤≥") or "\\le" in seg or "\\ge" in seg:
            continue
        letters = set(re.findall(r"(?<![a-zA-Z\\])[a-zA-Z](?![a-zA-Z])", seg))
        if len(letters) == 1:
            found.append(seg.strip())
    return found[0] if len(found) == 1 else None


VERIFY_CODE = r"""
import json
from latex2sympy2_extended import latex2sympy
equation, candidates = json.loads({payload!r})
lhs, rhs = equation.split("=")
diff = latex2sympy(lhs) - latex2sympy(rhs)
unknowns = sorted(diff.free_symbols, key=str)
out = []
for cand in candidates:
    try:
        text = cand.split("=")[-1] if cand.count("=") == 1 else cand
        values = [latex2sympy(v) for v in text.replace(r"\pm", "").split(",") if v.strip()]
        ok = len(unknowns) == 1 and bool(values) and all(
            sympy.simplify(diff.subs(unknowns[0], v)) == 0 for v in values
        )
        out.append(bool(ok))
    except Exception:
        out.append(None)
print(json.dumps(out))
"""


def verify_candidates(question: str, answers: Sequence[str | None], sandbox) -> list[bool | None]:
    """Substitute each distinct answer into the question's equation, in the sandbox (the answers are
    model output). True: it satisfies the equation; False: it does not; None: nothing to check, or the
    check could not run (unparseable, timeout)."""
    equation = equation_of(question)
    distinct = sorted({a for a in answers if a})
    if equation is None or not distinct:
        return [None] * len(answers)
    payload = json.dumps([equation, distinct])
    result = sandbox.run(VERIFY_CODE.format(payload=payload))
    try:
        verdicts = json.loads(result.stdout.strip().splitlines()[-1]) if result.status == "ok" else None
    except (ValueError, IndexError):
        verdicts = None
    if not isinstance(verdicts, list) or len(verdicts) != len(distinct):
        return [None] * len(answers)
    by_answer = dict(zip(distinct, verdicts, strict=True))
    return [by_answer.get(a) if a else None for a in answers]


# ------------------------------------------------------------------------------------------ together


def choose(strategy: str, samples: Sequence[Sample]) -> Choice:
    """One strategy on one problem's samples (GenSelect needs a judge: use ``genselect_many``)."""
    table = {
        "maj": majority,
        "rm": reward_best,
        "rm_vote": reward_vote,
        "sctir": sc_tir,
        "verify": verified_vote,
        "oracle": oracle,
    }
    if strategy not in table:
        raise ValueError(f"unknown selection strategy {strategy!r}: one of {', '.join(STRATEGIES)}")
    return table[strategy](samples)


def parse_strategies(text: str) -> list[str]:
    """``maj,rm,genselect`` → the list, checked (a misspelt name is an error, not silence)."""
    names = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in names if s not in STRATEGIES]
    if bad:
        raise ValueError(f"unknown selection strategy {', '.join(bad)}: choose from {', '.join(STRATEGIES)}")
    return names
