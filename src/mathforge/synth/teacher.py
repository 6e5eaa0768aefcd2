"""Teacher synthesis: sample k solutions per seed problem from any backend and keep only those the
grader accepts against the gold (rejection sampling); without gold, keep the majority answer's
solutions when its vote share passes a threshold. Also: problem–answer extraction from corpus
documents, verified by the teacher's own majority vote.

Generations go through the evaluation runner's SQLite cache, so a killed run resumes without
regenerating anything that finished.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mathforge.bench.problem import Problem
from mathforge.evaluate.cache import ResultCache, cache_key
from mathforge.evaluate.metrics import majority
from mathforge.grade import GradeItem, extract_answer, grade_many
from mathforge.infer import Backend, Generation, SamplingParams
from mathforge.progress import ProgressFn
from mathforge.prompts import build_prompt


@dataclass
class TeachStats:
    problems: int = 0
    samples: int = 0
    accepted: int = 0
    errors: int = 0  # generations that failed (kept out, counted)
    no_answer: int = 0  # samples with no extractable answer
    per_problem: list[dict] = field(default_factory=list)

    @property
    def acceptance(self) -> float:
        return self.accepted / self.samples if self.samples else 0.0


def _chat_record(p: Problem, prompt_messages, text: str, source: str) -> dict:
    return {
        "id": p.id,
        "source": source,
        "messages": [*prompt_messages, {"role": "assistant", "content": text}],
        "answer": p.answer or None,
    }


def synthesise(
    problems: Sequence[Problem],
    backend: Backend,
    out_dir: Path,
    *,
    k: int = 4,
    params: SamplingParams | None = None,
    style: str = "cot",
    majority_threshold: float = 0.6,
    chunk: int = 16,
    progress: ProgressFn | None = None,
) -> TeachStats:
    """Write ``out_dir/sft.jsonl`` (accepted solutions, chat format) and ``out_dir/stats.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    params = params or SamplingParams(n=k, temperature=0.7, max_tokens=1024)
    if params.n != k:
        params = SamplingParams(**{**params.to_dict(), "n": k, "stop": tuple(params.stop)})
    cache = ResultCache(out_dir / "cache.sqlite")
    stats = TeachStats()
    records: list[dict] = []
    try:
        for start in range(0, len(problems), chunk):
            batch = list(problems[start : start + chunk])
            prompts = [build_prompt(p, style) for p in batch]
            keys = [
                cache_key(
                    backend.model_id,
                    {"teacher": backend.name},
                    pr.key(),
                    params.to_dict(),
                    f"{p.benchmark}/{p.id}",
                )
                for p, pr in zip(batch, prompts, strict=True)
            ]
            have = cache.get_many(keys)
            todo = [i for i, key in enumerate(keys) if key not in have]
            if todo:
                gens = backend.generate([prompts[i] for i in todo], params)
                cache.put_many([(keys[i], batch[i].id, g) for i, g in zip(todo, gens, strict=True)])
                have.update({keys[i]: g for i, g in zip(todo, gens, strict=True)})
            for p, pr, key in zip(batch, prompts, keys, strict=True):
                kept = _judge(p, have[key], stats, majority_threshold)
                records += [_chat_record(p, pr.messages, g.text, p.benchmark) for g in kept]
            if progress:
                done = min(start + chunk, len(problems))
                progress("teacher", done, len(problems), f"accepted {100 * stats.acceptance:.1f}%")
    finally:
        cache.close()
    tmp = out_dir / "sft.jsonl.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(out_dir / "sft.jsonl")
    summary = {k_: v for k_, v in stats.__dict__.items() if k_ != "per_problem"}
    summary["acceptance"] = stats.acceptance
    (out_dir / "stats.json").write_text(
        json.dumps({"summary": summary, "per_problem": stats.per_problem}, indent=1, ensure_ascii=False),
        encoding="utf-8",
    )
    return stats


def _judge(p: Problem, gens: list[Generation], stats: TeachStats, threshold: float) -> list[Generation]:
    stats.problems += 1
    stats.samples += len(gens)
    usable = [g for g in gens if not g.error and g.text.strip()]
    stats.errors += len(gens) - len(usable)
    if p.answer:
        graded = grade_many([GradeItem(p.answer, g.text, p.grade_style, p.grade_kind) for g in usable])
        kept = [g for g, r in zip(usable, graded, strict=True) if r.correct]
        stats.no_answer += sum(r.pred is None for r in graded)
        rule = "matches gold"
        share = None
    else:
        answers = [extract_answer(g.text).answer for g in usable]
        stats.no_answer += sum(a is None for a in answers)
        top, share, _ = majority(answers, [False] * len(answers))
        kept = []
        if top is not None and share >= threshold:
            graded = grade_many([(top, g.text) for g in usable])
            kept = [g for g, r in zip(usable, graded, strict=True) if r.correct]
        rule = f"majority share {share:.2f} (threshold {threshold})"
    stats.accepted += len(kept)
    stats.per_problem.append(
        {"id": p.id, "samples": len(gens), "accepted": len(kept), "rule": rule, "share": share}
    )
    return kept


EXTRACT_PROMPT = (
    "Read the document below. If it contains a self-contained math problem with a definite final answer, "
    "restate the problem so it can be solved without the document, then give its final answer.\n"
    "Reply exactly in this form:\nProblem: <the problem>\nAnswer: \\boxed{<final answer>}\n"
    "If there is no such problem, reply: Problem: NONE\n\nDocument:\n"
)
_PROBLEM_RE = re.compile(r"Problem:\s*(.+?)\s*\nAnswer:", re.DOTALL)


def extract_qa(
    documents: Sequence[str],
    backend: Backend,
    *,
    verify_k: int = 4,
    threshold: float = 0.5,
    max_doc_chars: int = 6000,
) -> list[dict]:
    """Problem–answer pairs from documents, each verified: the teacher solves the extracted problem
    ``verify_k`` times and the majority must agree with the extracted answer."""
    from mathforge.prompts import Prompt

    prompts = [
        Prompt(
            messages=({"role": "user", "content": EXTRACT_PROMPT + d[:max_doc_chars]},),
            text=EXTRACT_PROMPT + d[:max_doc_chars],
            style="extract",
        )
        for d in documents
    ]
    replies = backend.generate(prompts, SamplingParams(max_tokens=512))
    found = []
    for i, gens in enumerate(replies):
        m = _PROBLEM_RE.search(gens[0].text)
        answer = extract_answer(gens[0].text, "boxed").answer
        if not m or m.group(1).strip().upper() == "NONE" or not answer:
            continue
        found.append({"doc": i, "question": m.group(1).strip(), "answer": answer})
    if not found:
        return []
    problems = [Problem(str(f["doc"]), "extract", f["question"], "", "expr", "en") for f in found]
    sols = backend.generate(
        [build_prompt(p, "cot") for p in problems],
        SamplingParams(n=verify_k, temperature=0.7, max_tokens=1024),
    )
    verified = []
    for f, gens in zip(found, sols, strict=True):
        graded = grade_many([(f["answer"], g.text) for g in gens if not g.error])
        agree = sum(r.correct for r in graded) / max(1, len(gens))
        f["verification"] = {"k": len(gens), "agree": agree}
        if agree >= threshold:
            verified.append(f)
    return verified
