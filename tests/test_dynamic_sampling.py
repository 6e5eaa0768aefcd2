"""DAPO dynamic sampling: groups whose rewards have no spread are dropped and refilled with groups of
fresh prompts, the batch keeps its size and its padding, and a real GRPO run trains on fewer dead groups
than it generated."""

from __future__ import annotations

import torch
from trainkit import char_grpo_config

from mathforge.train import train_stage
from mathforge.train.dynamic_sampling import splice, zero_spread_groups


def _batch(advantages: list[float], prompt_len: int, completion_len: int, tag: int) -> dict:
    rows = len(advantages)
    return {
        "prompt_ids": torch.full((rows, prompt_len), tag),
        "prompt_mask": torch.ones(rows, prompt_len, dtype=torch.long),
        "completion_ids": torch.full((rows, completion_len), tag),
        "completion_mask": torch.ones(rows, completion_len, dtype=torch.long),
        "advantages": torch.tensor(advantages),
        "num_items_in_batch": torch.tensor(rows * completion_len),
    }


def test_zero_spread_groups_are_found():
    adv = torch.tensor([0.0, 0.0, 0.5, -0.5, 0.0, 0.0, 0.0, 1e-3])
    assert zero_spread_groups(adv, 2).tolist() == [True, False, True, False]


def test_splice_keeps_group_order_and_pads_prompts_left_completions_right():
    first = _batch([0, 0, 1, -1], prompt_len=3, completion_len=2, tag=1)  # group 0 dead, group 1 alive
    fresh = _batch([0.5, -0.5, 0, 0], prompt_len=5, completion_len=4, tag=2)  # group 0 alive
    out = splice([(first, [1]), (fresh, [0])], group=2, pad_token_id=9)
    assert out["advantages"].tolist() == [1, -1, 0.5, -0.5]
    assert out["prompt_ids"].shape == (4, 5) and out["prompt_ids"][0].tolist() == [9, 9, 1, 1, 1]
    assert out["prompt_mask"][0].tolist() == [0, 0, 1, 1, 1]
    assert out["completion_ids"][0].tolist() == [1, 1, 9, 9] and out["completion_mask"][0].tolist() == [
        1,
        1,
        0,
        0,
    ]
    assert out["num_items_in_batch"].item() == 2 * 2 + 2 * 4  # recounted from the spliced mask


def test_a_grpo_run_trains_on_fewer_dead_groups_than_it_generates(tmp_path):
    rows = [{"question": f"{a}+{b}=", "answer": str(a + b)} for a in range(5) for b in range(5)] * 4
    cfg = char_grpo_config(
        tmp_path,
        rows,
        max_steps=3,
        per_device_batch_size=16,
        num_generations=4,
        logging_steps=1,
        dynamic_sampling=True,
        dynamic_sampling_rounds=4,
    )
    s = train_stage(cfg)
    logged = [r for r in s["log"] if "dynamic_sampling/zero_std_kept" in r]
    assert len(logged) == 3 and s["steps"] == 3
    generated = sum(r["frac_reward_zero_std"] for r in logged) / 3  # before the refill (TRL's own count)
    trained = sum(r["dynamic_sampling/zero_std_kept"] for r in logged) / 3
    assert generated > 0.3  # a near-random policy: most groups are all wrong
    assert sum(r["dynamic_sampling/extra_rounds"] for r in logged) > 0 and trained < generated
