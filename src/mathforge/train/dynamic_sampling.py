"""DAPO's dynamic sampling on top of TRL's GRPOTrainer: a group whose rewards have no spread (all eight
samples right, or all wrong) has zero advantage and teaches nothing, yet takes a slot of the batch. Such
groups are dropped and the batch is refilled with groups of fresh prompts, generated and scored the same
way, up to ``max_rounds`` extra generation rounds; whatever is still missing is filled with the dropped
groups, so the batch keeps its size.

Why our own: TRL 1.16 logs ``frac_reward_zero_std`` but has no such sampler. This is a subclass that
wraps one method (``_generate_and_score_completions``) and splices the rows of its outputs; it needs one
training process (each process would need the same number of extra rounds, or the reward gathers across
processes would wait on each other) and plain-text models (no image tensors).
"""

from __future__ import annotations

import random
from typing import Any

import torch

# Per-row tensors of a generation batch and the side they are padded on.
_LEFT = ("prompt_ids", "prompt_mask")
_RIGHT = (
    "completion_ids",
    "completion_mask",
    "old_per_token_logps",
    "ref_per_token_logps",
    "sampling_per_token_logps",
    "importance_sampling_ratio",
    "tool_mask",
)


def zero_spread_groups(advantages: torch.Tensor, group: int) -> torch.Tensor:
    """One bool per group: True where every advantage of the group is zero (no learning signal)."""
    return (advantages.view(-1, group).abs() < 1e-8).all(dim=1)


def _pad(t: torch.Tensor, length: int, left: bool, value: float) -> torch.Tensor:
    missing = length - t.shape[1]
    if missing <= 0:
        return t
    pad = torch.full((t.shape[0], missing, *t.shape[2:]), value, dtype=t.dtype, device=t.device)
    return torch.cat([pad, t] if left else [t, pad], dim=1)


def splice(parts: list[tuple[dict[str, Any], list[int]]], group: int, pad_token_id: int) -> dict[str, Any]:
    """One generation batch from chosen groups of several: ``parts`` = (output, group indices to take).
    Prompts are left-padded and completions right-padded to the longest."""
    first = parts[0][0]
    out: dict[str, Any] = {}
    for key, value in first.items():
        if not torch.is_tensor(value) or value.dim() == 0:
            continue
        rows = []
        for output, groups in parts:
            idx = torch.tensor([g * group + k for g in groups for k in range(group)], dtype=torch.long)
            rows.append(output[key].index_select(0, idx.to(output[key].device)))
        if value.dim() >= 2 and (key in _LEFT or key in _RIGHT):
            length = max(r.shape[1] for r in rows)
            fill = pad_token_id if key.endswith("_ids") else 0
            rows = [_pad(r, length, key in _LEFT, fill) for r in rows]
        out[key] = torch.cat(rows, dim=0)
    for key, value in first.items():
        if key not in out:
            out[key] = value
    if "num_items_in_batch" in first:  # completion tokens the loss normalises by (dapo / bnpo)
        out["num_items_in_batch"] = out["completion_mask"].sum()
    return out


def make_dynamic_trainer(base: type, max_rounds: int, seed: int = 0) -> type:
    """A subclass of TRL's ``GRPOTrainer`` (passed in, so this module imports no TRL) with dynamic sampling."""

    class DynamicSamplingGRPOTrainer(base):  # type: ignore[misc, valid-type]
        _ds_rng = random.Random(seed)

        def _generate_and_score_completions(self, inputs):  # type: ignore[override]
            first = super()._generate_and_score_completions(inputs)
            group = self.num_generations
            n_groups = len(inputs) // group
            keep = [i for i, z in enumerate(zero_spread_groups(first["advantages"], group).tolist()) if not z]
            parts = [(first, keep)]
            have, rounds = len(keep), 0
            while have < n_groups and rounds < max_rounds:
                rounds += 1
                picks = [self._ds_rng.randrange(len(self.train_dataset)) for _ in range(n_groups)]
                fresh_inputs = [self.train_dataset[i] for i in picks for _ in range(group)]
                fresh = super()._generate_and_score_completions(fresh_inputs)
                good = [
                    i for i, z in enumerate(zero_spread_groups(fresh["advantages"], group).tolist()) if not z
                ]
                good = good[: n_groups - have]
                if good:
                    parts.append((fresh, good))
                    have += len(good)
            dropped = [i for i in range(n_groups) if i not in keep]
            if have < n_groups:  # keep the batch size: fill with groups that carry no signal
                parts.append((first, dropped[: n_groups - have]))
            mode = "train" if self.model.training else "eval"
            self._metrics[mode]["dynamic_sampling/extra_rounds"].append(float(rounds))
            self._metrics[mode]["dynamic_sampling/zero_std_kept"].append(max(0, n_groups - have) / n_groups)
            if len(parts) == 1 and len(keep) == n_groups:
                return first
            pad = self.processing_class.pad_token_id or 0
            return splice(parts, group, pad)

    return DynamicSamplingGRPOTrainer
