"""Reward model: a scalar head on the SFT model, trained on k responses per question that the grader
labelled correct or wrong, with TRL's RewardTrainer (pairwise Bradley–Terry loss over every
correct-vs-wrong pair of a question, capped per question). ``RewardModel.score`` serves RM@N
(best-of-N) in evaluation and the reward-model term of GRPO."""

from __future__ import annotations

import itertools
import random
from typing import Any

from mathforge.grade import grade_many
from mathforge.stage_io import write_manifest
from mathforge.train.common import ThroughputCallback, train_and_finish, trainer_kwargs
from mathforge.train.config import StageConfig
from mathforge.train.data import DataError, read_jsonl

HELDOUT_FRACTION = 0.1  # questions kept out of RM training to measure it before GRPO relies on it
SYSTEM = "Please reason step by step, and put your final answer within \\boxed{}."


def _conv(question: str, response: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": question},
        {"role": "assistant", "content": response},
    ]


def preference_pairs(
    paths: list[str],
    per_question: int,
    seed: int = 0,
    heldout: list | None = None,
    heldout_fraction: float = 0.0,
) -> tuple[list[dict], dict[str, int]]:
    """From ``{"question", "answer", "responses": [...]}`` records: grade every response, pair correct
    with wrong ones. Questions whose responses are all right or all wrong give no pair (counted).

    With ``heldout_fraction``, that share of the questions (drawn with ``seed``) is kept out of training
    and its pairs appended to ``heldout`` as (question, right, wrong): the RM's own test."""
    rng = random.Random(seed)
    records = []
    for path, lineno, rec in read_jsonl(paths):
        if not {"question", "answer", "responses"} <= set(rec):
            raise DataError(f"{path}:{lineno}: reward-model records need question, answer and responses")
        records.append(rec)
    flat = [(i, r) for i, rec in enumerate(records) for r in rec["responses"]]
    verdicts = grade_many([(records[i]["answer"], r) for i, r in flat], workers=2)
    by_q: dict[int, tuple[list[str], list[str]]] = {}
    for (i, r), v in zip(flat, verdicts, strict=True):
        by_q.setdefault(i, ([], []))[0 if v.correct else 1].append(r)
    pairs: list[dict] = []
    stats = {"questions": len(records), "responses": len(flat), "correct": 0, "wrong": 0, "no_pair": 0}
    with_pairs = [i for i, (good, bad) in by_q.items() if good and bad]
    held = set(random.Random(seed + 1).sample(with_pairs, int(heldout_fraction * len(with_pairs))))
    for i, (good, bad) in by_q.items():
        stats["correct"] += len(good)
        stats["wrong"] += len(bad)
        combos = list(itertools.product(good, bad))
        if not combos:
            stats["no_pair"] += 1
            continue
        rng.shuffle(combos)
        q = records[i]["question"]
        if i in held:
            if heldout is not None:
                heldout += [(q, g, b) for g, b in combos[:per_question]]
            continue
        pairs += [{"chosen": _conv(q, g), "rejected": _conv(q, b)} for g, b in combos[:per_question]]
    stats["pairs"] = len(pairs)
    stats["heldout_questions"] = len(held)
    return pairs, stats


def run_rm(cfg: StageConfig, callbacks: list | None = None) -> dict[str, Any]:
    from datasets import Dataset
    from trl import RewardConfig, RewardTrainer

    from mathforge.train.pretrain import load_model

    heldout: list[tuple[str, str, str]] = []
    pairs, stats = preference_pairs(cfg.data, cfg.rm_pairs_per_question, cfg.seed, heldout, HELDOUT_FRACTION)
    if not pairs:
        raise DataError("reward model: no question has both a correct and a wrong response; nothing to learn")
    model, tok = load_model(cfg.model, sequence_classification=True)
    args = RewardConfig(**trainer_kwargs(cfg), max_length=cfg.seq_len)
    speed = ThroughputCallback(
        cfg.per_device_batch_size * cfg.seq_len * args.world_size, model.num_parameters()
    )
    trainer = RewardTrainer(
        model=model,
        args=args,
        train_dataset=Dataset.from_list(pairs),
        processing_class=tok,
        callbacks=[speed, *(callbacks or [])],
    )
    summary = train_and_finish(trainer, tok, cfg, speed, {"data": stats})
    summary["heldout_pairwise_accuracy"] = pairwise_accuracy(summary["final_model"], heldout)
    summary["heldout_pairs"] = len(heldout)
    if trainer.is_world_process_zero():  # the guard in GRPO reads it from here
        write_manifest(cfg.output_dir, stage=cfg.stage, config=cfg, summary=summary)
    return summary


def pairwise_accuracy(model: str, pairs: list[tuple[str, str, str]]) -> float | None:
    """Share of held-out (question, right, wrong) pairs the RM scores right above wrong; None without
    pairs. About 0.5 means the RM has learned nothing a GRPO reward could use."""
    if not pairs:
        return None
    rm = RewardModel(model)
    wins = 0
    for q, good, bad in pairs:
        s_good, s_bad = rm.score(q, [good, bad])
        wins += s_good > s_bad
    return round(wins / len(pairs), 4)


class RewardModel:
    """Scores (question, response) pairs with a trained reward model."""

    def __init__(self, path: str, device: str | None = None, max_length: int = 1024) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tok = AutoTokenizer.from_pretrained(path)
        if self.tok.pad_token is None:
            self.tok.pad_token = self.tok.eos_token
        self.model = AutoModelForSequenceClassification.from_pretrained(path).eval()
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model.to(self.device)
        self.max_length = max_length

    def score(self, question: str, responses: list[str], batch_size: int = 8) -> list[float]:
        import torch

        texts = [self.tok.apply_chat_template(_conv(question, r), tokenize=False) for r in responses]
        out: list[float] = []
        for i in range(0, len(texts), batch_size):
            enc = self.tok(
                texts[i : i + batch_size],
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.max_length,
                add_special_tokens=False,
            ).to(self.device)
            with torch.inference_mode():
                out += self.model(**enc).logits[:, 0].float().tolist()
        return out

    def best_of(self, question: str, responses: list[str]) -> int:
        """Index of the highest-scored response (RM@N)."""
        scores = self.score(question, responses)
        return max(range(len(scores)), key=scores.__getitem__)
