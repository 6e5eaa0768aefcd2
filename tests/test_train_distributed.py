"""`accelerate launch --num_processes 2 --cpu` (gloo) runs pretrain and SFT, and matches a
single-process run with the same global batch within tolerance."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("trl")
if shutil.which("accelerate") is None:
    pytest.skip("accelerate's launcher is not on PATH", allow_module_level=True)

from trainkit import synth_data

from mathforge.models.tiny import build_tiny_model

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    root = tmp_path_factory.mktemp("dist")
    data = synth_data(root / "data", n=30)
    model = build_tiny_model(root / "model", data["texts"], vocab_size=400, hidden_size=64)
    return root, data, model


def _run(
    root: Path, model: Path, stage: str, data: Path, name: str, per_device: int, launcher: list[str]
) -> list[float]:
    cfg = root / f"{name}.toml"
    cfg.write_text(
        f'model = "{model}"\noutput_dir = "{root / name}"\ndata = ["{data}"]\nmax_steps = 6\nseq_len = {256 if stage == "sft" else 64}\n'
        f"per_device_batch_size = {per_device}\nlearning_rate = 1e-3\nlogging_steps = 1\nsave_steps = 100\n"
        "report_to = []\nwarmup_ratio = 0.0\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    log = root / f"{name}.log"
    with log.open("w") as fh:
        done = subprocess.run(
            [*launcher, "-m", "mathforge.cli.main", "train", stage, str(cfg)],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            timeout=600,
            cwd=ROOT,
        )
    assert done.returncode == 0, log.read_text()[-3000:]
    manifest = json.loads((root / name / "manifest.json").read_text())
    return [h["loss"] for h in manifest["summary"]["log"] if "loss" in h]


@pytest.mark.parametrize("stage", ["pretrain", "sft"])
def test_two_cpu_processes_match_one(kit, stage):
    root, data, model = kit
    single = _run(root, model, stage, data[stage], f"{stage}-1", 8, [sys.executable])
    two = _run(
        root,
        model,
        stage,
        data[stage],
        f"{stage}-2",
        4,
        ["accelerate", "launch", "--config_file", str(ROOT / "configs/accelerate/cpu_2proc.yaml")],
    )
    print(
        f"\n{stage}: 1 process {[round(x, 4) for x in single]}\n{stage}: 2 processes {[round(x, 4) for x in two]}"
    )
    assert len(single) == len(two) == 6
    assert abs(single[0] - two[0]) / single[0] < 0.02  # the same first global batch
    for a, b in zip(single, two, strict=True):
        assert abs(a - b) / a < 0.05
