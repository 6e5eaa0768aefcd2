"""Reward model: a scalar head on the SFT model, trained on k responses per question that the grader
labelled correct or wrong, with TRL's RewardTrainer (pairwise Bradley–Terry loss over every
correct-vs-wrong pair of a question, capped per question). ``RewardModel.score`` serves RM@N
(best-of-N) in evaluation and the reward-model term of GRPO."""

from __future__ import annotations

import itertools
import random
from typing import Any

from mathforge.grade import grade_many
from mathforge.train.common import ThroughputCallback, train_and_finish, trainer_kwargs
from mathforge.train.config import StageConfig
from mathforge.train.data import DataError, read_jsonl

SYSTEM = "Please reason step by step, and put your final answer within \\boxed{}."


def _conv(question: str, response: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": question},
        {"role": "assistant", "content": response},
    ]


def preference_pairs(paths: list[str], per_question: int, seed: int = 0) -> tuple[list[dict], dict[str, int]]:
    """From ``{"question", "answer", "responses": [...]}`` records: grade every response, pair correct
    with wrong ones. Questions whose responses are all right or all wrong give no pair (counted)."""
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
    for i, (good, bad) in by_q.items():
        stats["correct"] += len(good)
        stats["wrong"] += len(bad)
        combos = list(itertools.product(good, bad))
        if not combos:
            stats["no_pair"] += 1
            continue
        rng.shuffle(combos)
        q = records[i]["question"]
        pairs += [{"chosen": _conv(q, g), "rejected": _conv(q, b)} for g, b in combos[:per_question]]
    stats["pairs"] = len(pairs)
    return pairs, stats


def run_rm(cfg: StageConfig, callbacks: list | None = None) -> dict[str, Any]:
    from datasets import Dataset
    from trl import RewardConfig, RewardTrainer

    from mathforge.train.pretrain import load_model

    pairs, stats = preference_pairs(cfg.data, cfg.rm_pairs_per_question, cfg.seed)
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
    return train_and_finish(trainer, tok, cfg, speed, {"data": stats})


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
