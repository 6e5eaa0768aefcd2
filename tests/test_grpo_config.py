"""GRPO's controls: every StageConfig key meant for TRL reaches `GRPOConfig` under its own name, bad
values and unknown keys are refused with the file and the fix, and the reward-model guard reads the RM's
measured held-out accuracy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mathforge.config import ConfigError
from mathforge.train import StageConfig, load_stage_config
from mathforge.train.data import DataError
from mathforge.train.grpo import grpo_kwargs, reward_model_check

SET = {  # every GRPO control, each away from its default
    "loss_type": "dr_grpo",
    "scale_rewards": "none",
    "beta": 0.02,
    "epsilon": 0.25,
    "epsilon_high": 0.28,
    "mask_truncated_completions": True,
    "num_iterations": 2,
    "top_entropy_quantile": 0.2,
    "reward_weights": [0.5],
    "temperature": 0.7,
    "top_p": 0.9,
    "num_generations": 4,
    "max_completion_length": 48,
}


def test_every_grpo_key_reaches_grpoconfig(tmp_path):
    from trl import GRPOConfig

    p = tmp_path / "grpo.toml"
    p.write_text(
        'model = "m"\noutput_dir = "o"\nreport_to = []\nper_device_batch_size = 4\n'
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in SET.items())
    )
    cfg = load_stage_config(p, "grpo")
    args = GRPOConfig(
        output_dir=str(tmp_path / "o"), per_device_train_batch_size=4, use_cpu=True, **grpo_kwargs(cfg)
    )
    for key, value in SET.items():
        assert getattr(args, key) == pytest.approx(value), key


def test_vllm_keys_reach_grpoconfig_only_when_vllm_is_on():
    cfg = StageConfig(
        stage="grpo",
        model="m",
        output_dir="o",
        use_vllm=True,
        vllm_mode="server",
        vllm_server_base_url="http://h:8000",
    )
    kw = grpo_kwargs(cfg)
    assert kw["use_vllm"] and kw["vllm_mode"] == "server" and kw["vllm_server_base_url"] == "http://h:8000"
    assert "vllm_mode" not in grpo_kwargs(StageConfig(stage="grpo", model="m", output_dir="o"))


def test_unknown_keys_and_bad_values_are_refused(tmp_path):
    p = tmp_path / "grpo.toml"
    p.write_text('model = "m"\noutput_dir = "o"\nloss_typ = "dapo"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'loss_typ' — did you mean 'loss_type'\?"):
        load_stage_config(p, "grpo")
    p.write_text('model = "m"\noutput_dir = "o"\nscale_rewards = "global"\n')
    with pytest.raises(ConfigError, match=r"scale_rewards = 'global': use one of group, batch, none"):
        load_stage_config(p, "grpo")
    with pytest.raises(DataError, match=r"reward_weights has 2 weight\(s\) for 1 reward term"):
        grpo_kwargs(
            StageConfig(stage="grpo", model="m", output_dir="o", reward_weights=[1.0, 1.0]), n_rewards=1
        )


def _rm_folder(root: Path, accuracy: float | None) -> str:
    (root / "final").mkdir(parents=True)
    summary = {} if accuracy is None else {"heldout_pairwise_accuracy": accuracy}
    (root / "manifest.json").write_text(json.dumps({"stage": "rm", "summary": summary}))
    return str(root / "final")


def test_the_reward_model_guard(tmp_path):
    def check(acc, threshold=0.75):
        rm = _rm_folder(tmp_path / f"rm-{acc}-{threshold}", acc)
        return reward_model_check(
            StageConfig(stage="grpo", model="m", output_dir="o", reward_model=rm, rm_min_accuracy=threshold)
        )

    assert check(0.9)["used"] and check(0.75)["used"]
    weak = check(0.55)
    assert not weak["used"] and weak["reason"] == "held-out pairwise accuracy 0.550 < rm_min_accuracy 0.75"
    assert check(0.55, threshold=0.5)["used"]
    assert not check(None)["used"]  # an RM never measured is not trusted
    assert not reward_model_check(StageConfig(stage="grpo", model="m", output_dir="o"))["used"]
