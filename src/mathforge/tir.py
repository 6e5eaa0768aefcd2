"""Tool-integrated reasoning: the model writes a ```python block, generation stops before ```output,
the sandbox runs the code, its output is appended as an ```output block, and generation continues —
up to ``max_rounds`` executions. Program-of-thought (``pot``) is the one-round case whose printed output
is the answer.

``ToolBackend`` wraps any backend and keeps the backend protocol, so the evaluation runner, ``mathforge
solve`` and the app use tool-integrated reasoning without knowing about it. Rounds are batched: every
unfinished trajectory of a round goes to the engine in one ``generate`` call.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mathforge.infer.base import Backend, Generation, ProgressFn, SamplingParams
from mathforge.prompts import OUTPUT_FENCE, Prompt
from mathforge.sandbox import CellResult, Sandbox

_CODE_RE = re.compile(r"```python[ \t]*\n(.*?)```", re.DOTALL)


@dataclass
class Trajectory:
    prompt: Prompt
    seed: int
    text: str = ""
    cells: list[tuple[str, CellResult]] = field(default_factory=list)
    done: bool = False
    tokens: int = 0
    seconds: float = 0.0
    finish: str = "stop"
    error: str | None = None


def pending_code(text: str) -> str | None:
    """The code of a ```python block that closes at the very end of ``text`` (the model is waiting for
    its output), else None."""
    blocks = list(_CODE_RE.finditer(text))
    if not blocks:
        return None
    last = blocks[-1]
    if text[last.end() :].strip():
        return None
    return last.group(1)


def unexecuted_program(text: str) -> tuple[str, int] | None:
    """Program of thought: the first closed ```python block with no ```output after it, and where it
    ends -- a model that writes its program and then goes on (to an answer of its own, without waiting
    for the output) still has its program run; the answer is what the program prints."""
    for block in _CODE_RE.finditer(text):
        if not text[block.end() :].lstrip().startswith(OUTPUT_FENCE):
            return block.group(1), block.end()
    return None


def output_block(result: CellResult) -> str:
    return f"{OUTPUT_FENCE}\n{result.for_model()}\n```\n"


class ToolBackend:
    """Any backend plus a sandbox: generation interleaved with code execution."""

    def __init__(self, inner: Backend, sandbox: Sandbox, max_rounds: int = 4) -> None:
        self.inner = inner
        self.sandbox = sandbox
        self.max_rounds = max_rounds
        self.name = inner.name
        self.model_id = inner.model_id
        self.last_trajectories: list[list[Trajectory]] = []

    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams, progress: ProgressFn | None = None
    ) -> list[list[Generation]]:
        per_prompt = [[Trajectory(p, params.seed + 1000 * j) for j in range(params.n)] for p in prompts]
        trajs = [t for group in per_prompt for t in group]
        sessions = {id(t): self.sandbox.session() for t in trajs}
        try:
            for round_no in range(self.max_rounds + 1):
                active = [t for t in trajs if not t.done]
                if not active:
                    break
                self._round(active, params, sessions, last=round_no == self.max_rounds)
        finally:
            for s in sessions.values():
                s.close()
        self.last_trajectories = per_prompt
        if progress:
            progress(len(prompts))
        return [[self._generation(t) for t in group] for group in per_prompt]

    def _round(self, active: list[Trajectory], params: SamplingParams, sessions: dict, last: bool) -> None:
        # one sample per trajectory; each keeps its own seed so samples differ
        groups: dict[int, list[Trajectory]] = {}
        for t in active:
            groups.setdefault(t.seed, []).append(t)
        for seed, group in groups.items():
            one = replace(params, n=1, seed=seed, stop=tuple(params.stop))
            prompts = [replace(t.prompt, continuation=t.text) for t in group]
            t0 = time.perf_counter()
            outs = self.inner.generate(prompts, one)
            elapsed = time.perf_counter() - t0
            for t, gens in zip(group, outs, strict=True):
                g = gens[0]
                t.text += g.text
                t.tokens += g.tokens
                t.seconds += elapsed / max(1, len(group))
                t.finish, t.error = g.finish_reason, g.error
                code = pending_code(t.text)
                rescued = False
                if code is None and t.prompt.style == "pot" and not g.error and not t.cells:
                    found = unexecuted_program(t.text)
                    if found is not None:  # the program, then the model's own guess: run the program
                        code, end = found
                        t.text, rescued = t.text[:end], True
                if g.error or (g.finish_reason == "length" and not rescued) or code is None or last:
                    t.done = True
                    continue
                if not t.text.endswith("\n"):
                    t.text += "\n"
                result = sessions[id(t)].run(code)
                t.cells.append((code, result))
                t.text += output_block(result)
                if t.prompt.style == "pot":
                    t.done = True
                    t.text += pot_answer(result)

    @staticmethod
    def _generation(t: Trajectory) -> Generation:
        return Generation(t.text, t.tokens, t.finish, t.seconds, t.error)

    def info(self) -> dict[str, Any]:
        info = dict(self.inner.info())
        info["tools"] = {"max_rounds": self.max_rounds, "sandbox": self.sandbox.isolation}
        return info


def pot_answer(result: CellResult) -> str:
    """Program of thought: the last printed line is the answer (boxed, so the grader finds it)."""
    lines = [x for x in result.stdout.strip().splitlines() if x.strip()]
    if result.status != "ok" or not lines:
        return ""
    return f"The answer is $\\boxed{{{lines[-1].strip()}}}$."
