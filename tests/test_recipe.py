"""`mathforge recipe run`: the whole recipe at toy size, skip-when-unchanged, resume after a kill, clear
failures, and the dry-run plan of every shipped recipe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mathforge.recipe import RecipeError, StageFailed, load_recipe, plan, run_recipe

ROOT = Path(__file__).resolve().parents[1]
ALL = [
    "base",
    "general",
    "synth",
    "corpus",
    "decontam",
    "cpt",
    "sft",
    "sft_nocpt",
    "rm",
    "grpo",
    "eval",
    "report",
]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("recipe") / "run"
    return run_recipe(smoke=True, output=str(out), log=lambda m: None)


def test_smoke_runs_every_stage_and_reports_every_model(smoke):
    assert smoke.ran == ALL and smoke.skipped == []
    page = smoke.report.read_text(encoding="utf-8")
    results = json.loads((smoke.recipe.output / "results.json").read_text())["results"]
    assert set(results) == {"general", "cpt", "sft_nocpt", "sft", "grpo"}
    for stage in results:
        assert f"<td>{stage}</td>" in page
        assert results[stage]["synth"]["items"] > 0
    assert page.count("data:image/png;base64,") >= 4  # curves, funnel, results
    assert "Corpus funnel" in page and "Decontamination" in page and "Versions" in page
    # what each stage bought, as paired comparisons on the same items
    gains = smoke.summaries["eval"]["gains"]
    pairs = {(g["before"], g["after"]) for g in gains if g["benchmark"] == "synth"}
    assert pairs == {("general", "cpt"), ("cpt", "sft"), ("sft", "grpo"), ("sft_nocpt", "sft")}
    for g in gains:
        assert g["items"] == results["sft"][g["benchmark"]]["items"]
        assert 0.0 <= g["p_value"] <= 1.0 and g["ci95"][0] <= g["difference"] <= g["ci95"][1]
    assert "What each stage bought" in page and "exact McNemar p" in page
    corpus = json.loads((smoke.recipe.output / "corpus" / "manifest.json").read_text())["summary"]
    assert corpus["kept"] > 0 and corpus["funnel"][0]["step"] == "read"


def test_rerun_skips_everything_unchanged(smoke):
    again = run_recipe(smoke=True, output=str(smoke.recipe.output), log=lambda m: None)
    assert again.ran == ["report"] and set(again.skipped) == set(ALL) - {"report"}


def test_only_and_from(smoke):
    out = str(smoke.recipe.output)
    only = run_recipe(smoke=True, output=out, only="eval", log=lambda m: None)
    assert only.ran == ["eval"]
    frm = run_recipe(smoke=True, output=out, from_stage="grpo", log=lambda m: None)
    assert frm.ran == ["grpo", "eval", "report"]
    with pytest.raises(RecipeError, match="not a stage"):
        run_recipe(smoke=True, output=out, only="nonsense", log=lambda m: None)


def test_failure_names_the_stage_and_where_the_work_is(tmp_path):
    bad = tmp_path / "bad.toml"
    text = (ROOT / "recipes" / "tiny.toml").read_text()
    bad.write_text(text.replace("[general]", '[general]\nlr_scheduler = "no-such-schedule"', 1))
    with pytest.raises(StageFailed, match=r"stage general failed: .* partial work is in .*general"):
        run_recipe(bad, smoke=True, output=str(tmp_path / "run"), log=lambda m: None)


def test_unknown_keys_and_sections_are_rejected(tmp_path):
    p = tmp_path / "r.toml"
    p.write_text('[recipe]\nname = "x"\n[sft]\nmax_stepz = 3\n')
    with pytest.raises(RecipeError, match="max_stepz"):
        load_recipe(p)
    p.write_text('[recipe]\nname = "x"\n[pretraining]\n')
    with pytest.raises(RecipeError, match="unknown section"):
        load_recipe(p)


@pytest.mark.parametrize("name", ["tiny.toml", "smol.toml", "smol-gpu.toml", "qwen2-math-1.5b.toml"])
def test_shipped_recipes_pass_dry_run(name):
    rows = plan(ROOT / "recipes" / name)
    stages = [r["stage"] for r in rows]
    assert stages[0] == "base" and stages[-2:] == ["eval", "report"]
    trained = [r for r in rows if "tokens" in r]
    assert trained and all(r["tokens"] > 0 for r in trained)
    if name != "smol.toml":
        assert all(r["flops"] > 0 for r in trained)


KILL_RECIPE = """
[recipe]
name = "kill"
[base]
kind = "scratch"
tokenizer_families = ["small_sums"]
vocab_size = 400
hidden_size = 32
layers = 2
[general]
max_steps = 4
per_device_batch_size = 4
seq_len = 64
[synth]
families = ["small_sums"]
levels = [1, 2]
n = 300
heldout = 10
[corpus]
families = ["small_sums"]
documents = 9
[cpt]
max_steps = 4
per_device_batch_size = 4
seq_len = 64
[sft]
max_steps = 400
save_steps = 10
per_device_batch_size = 8
seq_len = 64
[eval]
benchmarks = []
max_tokens = 16
"""


def _kill_recipe(tmp_path: Path) -> Path:
    """A small recipe whose SFT is long enough to be killed half-way."""
    recipe = tmp_path / "kill.toml"
    recipe.write_text(KILL_RECIPE)
    return recipe


def test_killed_training_stage_resumes_and_finished_stages_are_skipped(tmp_path, monkeypatch):
    monkeypatch.delenv("MATHFORGE_DATA_DIR", raising=False)  # both runs see the same (no) benchmark data
    recipe = _kill_recipe(tmp_path)
    out = tmp_path / "run"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    env.pop("MATHFORGE_DATA_DIR", None)
    code = f"from mathforge.recipe import run_recipe; run_recipe({str(recipe)!r}, output={str(out)!r})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 300
    try:
        while time.time() < deadline and not list((out / "sft").glob("checkpoint-*/trainer_state.json")):
            assert proc.poll() is None, "the recipe ended before SFT wrote a checkpoint"
            time.sleep(0.5)
        time.sleep(1.0)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not (out / "sft" / "manifest.json").exists(), "SFT finished before the kill; make it longer"
    ckpt = max(int(p.name.split("-")[1]) for p in (out / "sft").glob("checkpoint-*"))
    result = run_recipe(recipe, output=str(out), log=lambda m: None)
    assert result.skipped == ["base", "general", "synth", "corpus", "decontam", "cpt"]
    assert result.ran == ["sft", "eval", "report"]
    log = result.summaries["sft"]["log"]
    assert log and log[0]["step"] > ckpt  # training continued after the checkpoint, not from step 0
    assert result.summaries["sft"]["steps"] == 400


# a one-layer scratch model trained for one step: the cheapest base a recipe test can have
TINY_BASE = """
[base]
kind = "scratch"
tokenizer_families = ["small_sums"]
vocab_size = 300
hidden_size = 16
layers = 1
heads = 2
[general]
max_steps = 1
per_device_batch_size = 2
seq_len = 32
"""

DATA_RECIPE = (
    """
[recipe]
name = "data"
"""
    + TINY_BASE
    + """[eval]
benchmarks = ["gsm8k"]
limit = 2
max_tokens = 2
"""
)


def _gsm8k_folder(root: Path, answers: list[int]) -> Path:
    """A benchmark folder in GSM8K's upstream format (written here, not copied from the real set)."""
    (root / "gsm8k").mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(
            {
                "question": f"Tom has {a} apples and eats none. How many are left?",
                "answer": f"He has {a}.\n#### {a}",
            }
        )
        for a in answers
    ]
    (root / "gsm8k" / "test.jsonl").write_text("\n".join(lines) + "\n")
    return root


def test_changed_benchmark_data_reruns_the_stages_that_read_it(tmp_path, monkeypatch):
    """The content of the benchmark files a stage reads is part of its key: edit them, or point the run
    at another data folder, and the evaluation reruns; the training stages before it do not."""
    recipe = tmp_path / "data.toml"
    recipe.write_text(DATA_RECIPE)
    out = str(tmp_path / "run")
    data = _gsm8k_folder(tmp_path / "data", [3, 4, 5])
    monkeypatch.setenv("MATHFORGE_DATA_DIR", str(data))
    first = run_recipe(recipe, output=out, log=lambda m: None)
    assert first.ran == ["base", "general", "eval", "report"]
    assert first.summaries["eval"]["results"]["general"]["gsm8k"]["items"] == 2
    same = run_recipe(recipe, output=out, log=lambda m: None)
    assert same.ran == ["report"]
    _gsm8k_folder(data, [3, 7, 5])  # the same file, one gold answer changed
    edited = run_recipe(recipe, output=out, log=lambda m: None)
    assert edited.ran == ["eval", "report"] and edited.skipped == ["base", "general"]
    other = _gsm8k_folder(tmp_path / "other", [9, 8, 7])
    monkeypatch.setenv("MATHFORGE_DATA_DIR", str(other))
    moved = run_recipe(recipe, output=out, log=lambda m: None)
    assert moved.ran == ["eval", "report"]
    manifest = json.loads((Path(out) / "eval" / "manifest.json").read_text())
    assert [i["path"] for i in manifest["inputs"]] == [str((other / "gsm8k" / "test.jsonl").resolve())]
    assert manifest["inputs"][0]["size"] > 0 and len(manifest["inputs"][0]["sha256"]) == 64


def test_a_stage_runs_with_its_output_in_its_log_and_its_line_on_the_console(tmp_path, monkeypatch):
    """A run you can watch: transformers' output goes to RUN/<stage>/log.txt, the console gets one line
    per stage with its time and key number."""
    recipe = tmp_path / "data.toml"
    recipe.write_text(DATA_RECIPE)
    monkeypatch.setenv("MATHFORGE_DATA_DIR", str(_gsm8k_folder(tmp_path / "data", [3, 4])))
    lines: list[str] = []
    run_recipe(recipe, output=str(tmp_path / "run"), log=lines.append)
    general = [x for x in lines if x.startswith("✓ general")]
    assert general and " s) · loss " in general[0]
    log = (tmp_path / "run" / "general" / "log.txt").read_text()
    assert "=== general started" in log and "train_runtime" in log  # the Trainer's own output


GSM8K_RECIPE = (
    """
[recipe]
name = "gsm8k"
"""
    + TINY_BASE
    + """[synth]
families = ["small_sums"]
levels = [1]
langs = ["en"]
n = 20
heldout = 5
gsm8k_train = -1
[corpus]
enabled = false
[cpt]
enabled = false
[sft]
max_steps = 1
per_device_batch_size = 2
seq_len = 96
[eval]
benchmarks = ["gsm8k"]
limit = 2
max_tokens = 2
prompt = "cot"
stage_prompts = { sft = "pot" }
"""
)


def test_gsm8k_train_is_converted_decontaminated_and_trained_on(tmp_path, monkeypatch):
    """``[synth] gsm8k_train``: annotated GSM8K train solutions become verified program chats in the SFT
    data and questions in the GRPO queries; a record whose annotation disagrees with its arithmetic is
    rejected, and one whose question is a test item is removed by decontamination. ``[eval]
    stage_prompts`` gives one stage its own prompt style."""
    recipe = tmp_path / "gsm8k.toml"
    recipe.write_text(GSM8K_RECIPE)
    data = _gsm8k_folder(tmp_path / "data", [3, 4])
    test_question = json.loads((data / "gsm8k" / "test.jsonl").read_text().splitlines()[0])["question"]
    train = [
        (
            "Ann has 12 pens and buys 30 more. How many pens does she have?",
            "12+30=<<12+30=42>>42 pens.\n#### 42",
        ),
        ("A box holds 6 rows of 7 eggs. How many eggs?", "6*7=<<6*7=42>>42 eggs.\n#### 42"),
        ("Bo reads 9 pages a day for 5 days. How many pages?", "9*5=<<9*5=46>>46 pages.\n#### 46"),
        (test_question, "3+0=<<3+0=3>>3 apples.\n#### 3"),
    ]
    (data / "gsm8k" / "train.jsonl").write_text(
        "\n".join(json.dumps({"question": q, "answer": a}) for q, a in train) + "\n"
    )
    monkeypatch.setenv("MATHFORGE_DATA_DIR", str(data))
    out = tmp_path / "run"
    res = run_recipe(recipe, output=str(out), log=lambda m: None)
    converted = res.summaries["synth"]["gsm8k_train"]
    assert converted["kept"] == 3 and converted["sft_records"] == 3  # the 9*5=46 record is rejected
    sft = [json.loads(x) for x in (out / "synth" / "sft.jsonl").read_text().splitlines()]
    programs = [r for r in sft if r.get("source") == "gsm8k-train"]
    assert len(programs) == 3 and all(r["format"] == "pot" for r in programs)
    assert "print(" in programs[0]["messages"][-1]["content"]
    grpo = (out / "synth" / "grpo.jsonl").read_text()
    assert "Ann has 12 pens" in grpo
    cleaned = (out / "decontam" / "sft.jsonl").read_text()
    assert test_question not in cleaned and "Ann has 12 pens" in cleaned
    assert res.summaries["decontam"]["files"]["sft"]["per_benchmark"].get("gsm8k", 0) >= 1
    prompts = {
        stage: json.loads((out / "eval" / stage / "gsm8k" / "metrics.json").read_text())["run"]["prompt"]
        for stage in ("general", "sft")
    }
    assert prompts == {"general": "cot", "sft": "pot"}
    info = json.loads((out / "eval" / "sft" / "gsm8k" / "metrics.json").read_text())["run"]["backend_info"]
    assert info["batch_size"] == 32 and info["continuous_batching"] is True  # [eval] batch_size default
