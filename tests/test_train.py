"""Each training stage on a tiny local model: loss goes down, the checkpoint reloads, resume continues
from the saved step; GRPO's reward rises on a toy task; the CLI and config errors."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("trl")

from trainkit import char_grpo_config, synth_data

from mathforge.models.tiny import build_tiny_model
from mathforge.train import StageConfig, load_stage_config, train_stage
from mathforge.train.data import tokenize_chat


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    root = tmp_path_factory.mktemp("train")
    data = synth_data(root / "data")
    model = build_tiny_model(root / "model", data["texts"], vocab_size=400, hidden_size=64)
    return root, data, model


def _losses(summary):
    return [h["loss"] for h in summary["log"] if "loss" in h]


def _cfg(stage, model, out, data, **kw):
    base = dict(
        max_steps=20,
        seq_len=128,
        per_device_batch_size=8,
        learning_rate=3e-3,
        logging_steps=5,
        save_steps=10,
        report_to=[],
    )
    return StageConfig(stage=stage, model=str(model), output_dir=str(out), data=[str(data)], **{**base, **kw})


def test_pretrain_loss_falls_reloads_and_resumes(kit):
    from transformers import AutoModelForCausalLM

    root, data, model = kit
    out = root / "pt"
    first = train_stage(_cfg("pretrain", model, out, data["pretrain"], max_steps=20))
    losses = _losses(first)
    assert losses[-1] < losses[0] * 0.9
    reloaded = AutoModelForCausalLM.from_pretrained(first["final_model"])
    assert reloaded.num_parameters() > 0
    resumed = train_stage(_cfg("pretrain", model, out, data["pretrain"], max_steps=30))
    assert resumed["steps"] == 30
    assert min(h["step"] for h in resumed["log"] if "loss" in h) > 20  # continued from checkpoint-20
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stage"] == "pretrain" and manifest["versions"]["transformers"]


def test_sft_masks_prompt_and_tool_output(kit):
    from transformers import AutoTokenizer

    _, _, model = kit
    tok = AutoTokenizer.from_pretrained(model)
    msgs = [
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "```python\nprint(2+2)\n```\n```output\n4\n```\nSo $\\boxed{4}$."},
    ]
    row = tokenize_chat(msgs, tok, 512)
    learned = tok.decode([i for i, m in zip(row["input_ids"], row["completion_mask"], strict=False) if m])
    assert "print(2+2)" in learned and "\\boxed{4}" in learned
    assert "What is 2+2" not in learned and "4\n```\nSo" not in learned
    assert "```\n```output\nSo $\\boxed{4}$." in learned  # the fence is learned; the printout is not


def test_sft_loss_falls_and_resumes(kit):
    root, data, model = kit
    out = root / "sft"
    first = train_stage(_cfg("sft", model, out, data["sft"], max_steps=20, seq_len=256, learning_rate=2e-3))
    losses = _losses(first)
    assert losses[-1] < losses[0]
    resumed = train_stage(_cfg("sft", model, out, data["sft"], max_steps=25, seq_len=256, learning_rate=2e-3))
    assert resumed["steps"] == 25 and min(h["step"] for h in resumed["log"] if "loss" in h) > 20


def test_sft_with_lora_merges_into_a_plain_model(kit):
    from transformers import AutoModelForCausalLM

    root, data, model = kit
    s = train_stage(_cfg("sft", model, root / "lora", data["sft"], max_steps=6, seq_len=256, lora_r=4))
    m = AutoModelForCausalLM.from_pretrained(s["final_model"])
    assert not any("lora" in n for n, _ in m.named_parameters())


def test_reward_model_learns_to_prefer_right_answers(kit):
    from mathforge.train.rm import RewardModel

    root, data, model = kit
    s = train_stage(_cfg("rm", model, root / "rm", data["rm"], max_steps=40, seq_len=256, learning_rate=1e-3))
    assert s["data"]["pairs"] > 0 and s["data"]["no_pair"] == 0
    losses = _losses(s)
    assert losses[-1] < losses[0]
    rm = RewardModel(s["final_model"])
    rows = [json.loads(x) for x in data["rm"].read_text().splitlines()][:20]
    wins = sum(
        rm.score(r["question"], r["responses"][:2])[0] > rm.score(r["question"], r["responses"][:2])[1]
        for r in rows
    )
    assert wins >= 14  # right answers outscore wrong ones on most questions
    # best-of-N picks the right response wherever it stands in the list: rotate it to every position
    picks = 0
    for r in rows:
        right, wrong = r["responses"][0], r["responses"][1:]
        for pos in range(len(r["responses"])):
            order = [*wrong[:pos], right, *wrong[pos:]]
            picks += rm.best_of(r["question"], order) == pos
    assert picks >= 0.7 * len(rows) * len(rows[0]["responses"])


def test_grpo_reward_rises_on_single_digit_sums(tmp_path):
    rows = [{"question": f"{a}+{b}=", "answer": str(a + b)} for a in range(5) for b in range(5)] * 40
    cfg = char_grpo_config(
        tmp_path,
        rows,
        max_steps=60,
        per_device_batch_size=64,
        num_generations=8,
        temperature=1.0,
        beta=0.0,
        learning_rate=1e-2,
        logging_steps=5,
        warmup_ratio=0.0,
        lr_scheduler="constant",
    )
    s = train_stage(cfg)
    curve = [r for _, r in s["reward_curve"]]
    print("\nGRPO mean reward per 5 steps:", [round(r, 3) for r in curve])
    assert sum(curve[-3:]) / 3 > sum(curve[:2]) / 2 + 0.08


def test_grpo_logs_mfu_from_the_policy_parameters(tmp_path, monkeypatch):
    """MFU = 6 × parameters × tokens/s ÷ peak: GRPO counts its policy's parameters (it once passed 0, so
    MFU was 0 on every GPU). The peak is pinned so the CPU run reports it too."""
    from transformers import AutoModelForCausalLM

    import mathforge.train.common as common

    monkeypatch.setattr(common, "gpu_peak_flops", lambda: 1e6)  # MFU is rounded to 4 places
    rows = [{"question": f"{a}+1=", "answer": str(a + 1)} for a in range(8)]
    cfg = char_grpo_config(
        tmp_path, rows, max_steps=2, per_device_batch_size=8, num_generations=4, logging_steps=1
    )
    model = cfg.model
    s = train_stage(cfg)
    logged = [r for r in s["log"] if "tokens_per_second" in r]
    n_params = AutoModelForCausalLM.from_pretrained(str(model)).num_parameters()
    assert logged and all(r["mfu"] > 0 for r in logged)
    for r in logged:
        assert r["mfu"] == pytest.approx(6 * n_params * r["tokens_per_second"] / 1e6, rel=0.02, abs=1e-4)


def test_grpo_combined_reward_with_a_reward_model(kit, tmp_path):
    _root, data, model = kit
    rm = train_stage(_cfg("rm", model, tmp_path / "rm", data["rm"], max_steps=3, seq_len=256))
    q = tmp_path / "q.jsonl"
    q.write_text(
        "\n".join(json.dumps({"question": "Compute $2+2$.", "answer": "4"}) for _ in range(16)) + "\n"
    )
    s = train_stage(
        _cfg(
            "grpo",
            model,
            tmp_path / "g",
            q,
            max_steps=2,
            per_device_batch_size=8,
            num_generations=4,
            max_completion_length=8,
            reward_model=rm["final_model"],
            rm_min_accuracy=0.0,  # use it whatever it learned in 3 steps
            beta=0.0,
        )
    )
    assert s["steps"] == 2 and s["reward_model"]["used"]
    logged = {k for r in s["log"] for k in r}
    assert {"rewards/rm_reward/mean", "rewards/shifted_verifier_reward/mean"} <= logged  # each term logged
    # the guard: above the RM's measured held-out accuracy, GRPO runs on the verifier alone and says why
    acc = json.loads((tmp_path / "rm" / "manifest.json").read_text())["summary"]["heldout_pairwise_accuracy"]
    assert acc is not None and 0.0 <= acc <= 1.0
    guarded = train_stage(
        _cfg(
            "grpo",
            model,
            tmp_path / "g2",
            q,
            max_steps=1,
            per_device_batch_size=8,
            num_generations=4,
            max_completion_length=8,
            reward_model=rm["final_model"],
            rm_min_accuracy=min(1.0, acc + 0.01) if acc < 1.0 else 1.01,
        )
    )
    assert not guarded["reward_model"]["used"] and "< rm_min_accuracy" in guarded["reward_model"]["reason"]
    assert not any("rewards/rm_reward/mean" in r for r in guarded["log"])


def test_cli_and_config_errors(kit, tmp_path):
    from typer.testing import CliRunner

    from mathforge.cli.main import app

    _root, data, model = kit
    cfg = tmp_path / "sft.toml"
    cfg.write_text(
        f'[sft]\nmodel = "{model}"\noutput_dir = "{tmp_path / "out"}"\ndata = ["{data["sft"]}"]\n'
        "max_steps = 3\nseq_len = 128\nreport_to = []\n"
    )
    result = CliRunner().invoke(app, ["train", "sft", str(cfg)])
    assert result.exit_code == 0, result.output
    assert '"steps": 3' in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text(f'model = "{model}"\noutput_dir = "x"\nlearning_rte = 1\n')
    result = CliRunner().invoke(app, ["train", "sft", str(bad)])
    assert (
        result.exit_code == 2
        and "unknown key 'learning_rte' — did you mean 'learning_rate'?" in result.output
    )
    with pytest.raises(Exception, match="does not exist"):
        load_stage_config(cfg, "sft", output_dir=None).__class__(
            stage="sft", model="m", output_dir="o", data=["/nope.jsonl"]
        )


def test_tir_rollout_runs_code_and_masks_interpreter_output(kit, monkeypatch):
    """The GRPO tool rollout: the policy's code runs in the sandbox, the output block is appended, and
    exactly the interpreter's tokens are masked (env_mask 0)."""
    from types import SimpleNamespace

    from transformers import AutoModelForCausalLM, AutoTokenizer

    from mathforge.sandbox import Sandbox, SandboxConfig
    from mathforge.train.grpo_tools import make_tir_rollout

    _, _, model_dir = kit
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    rounds = ["Let me compute.\n```python\nx = 6 * 7\nprint(x)\n```\n", "So the answer is $\\boxed{42}$."]

    calls = []

    def scripted_round(model, tok, heads, max_new, temperature):  # the policy: round k writes rounds[k]
        calls.append(len(heads))
        out = []
        for head in heads:
            k = tok.decode(head).count("```output")
            out.append(tok(rounds[min(k, 1)], add_special_tokens=False)["input_ids"])
        return out

    monkeypatch.setattr("mathforge.train.grpo_tools._decode_round", scripted_round)
    trainer = SimpleNamespace(
        model=model,
        processing_class=tok,
        args=SimpleNamespace(max_completion_length=200),
        accelerator=SimpleNamespace(unwrap_model=lambda m: m),
    )
    with Sandbox(SandboxConfig(timeout=5, warm=1)) as sb:
        out = make_tir_rollout(sb, max_rounds=3, temperature=1.0)(
            [[{"role": "user", "content": "6*7?"}]] * 3, trainer
        )
    assert calls == [3, 3]  # each round decodes all live trajectories together
    for ids, mask, lps in zip(out["completion_ids"], out["env_mask"], out["logprobs"], strict=True):
        assert len(ids) == len(mask) == len(lps)
        text = tok.decode(ids)
        assert "```output\n42\n```" in text and text.rstrip().endswith("$\\boxed{42}$.")
        masked = tok.decode([i for i, m in zip(ids, mask, strict=True) if m == 0])
        learned = tok.decode([i for i, m in zip(ids, mask, strict=True) if m == 1])
        assert "```output" in masked and "42" in masked and "print(x)" in learned
        assert "```output" not in learned


def test_tool_rollout_rounds_are_one_refilled_batch_that_keeps_each_budget(kit, monkeypatch):
    """With a real model the rounds go through the continuous-batching decoder (one decode call per
    round for all trajectories), every completion stays within max_completion_length, and its
    log-probabilities are those of the policy."""
    from types import SimpleNamespace

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from mathforge.infer import refill
    from mathforge.sandbox import Sandbox, SandboxConfig
    from mathforge.train.grpo_tools import make_tir_rollout

    _, _, model_dir = kit
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    decodes = []
    real = refill.RefillDecoder.decode

    def counted(self, requests, *a, **kw):
        decodes.append(len(requests))
        return real(self, requests, *a, **kw)

    monkeypatch.setattr(refill.RefillDecoder, "decode", counted)
    trainer = SimpleNamespace(
        model=model,
        processing_class=tok,
        args=SimpleNamespace(max_completion_length=24),
        accelerator=SimpleNamespace(unwrap_model=lambda m: m),
    )
    torch.manual_seed(0)
    with Sandbox(SandboxConfig(timeout=5, warm=1)) as sb:
        out = make_tir_rollout(sb, max_rounds=1, temperature=1.0)(
            [[{"role": "user", "content": f"What is {k} + {k}?"}] for k in range(5)], trainer
        )
    assert decodes and decodes[0] == 5
    for p_ids, ids, lps in zip(out["prompt_ids"], out["completion_ids"], out["logprobs"], strict=True):
        assert 1 <= len(ids) <= 24
        with torch.no_grad():
            logits = model(torch.tensor([p_ids + ids])).logits[0, len(p_ids) - 1 : -1]
        want = torch.log_softmax(logits.float(), -1).gather(1, torch.tensor(ids)[:, None])[:, 0]
        assert torch.allclose(torch.tensor(lps), want, atol=1e-4)


@pytest.mark.parametrize("style", ["tir", "pot"])
def test_grpo_with_tool_integrated_rollouts_trains(kit, tmp_path, style):
    _, _, model = kit
    q = tmp_path / "q.jsonl"
    q.write_text("\n".join(json.dumps({"question": "Compute 2+2.", "answer": "4"}) for _ in range(8)) + "\n")
    s = train_stage(
        _cfg(
            "grpo",
            model,
            tmp_path / "g",
            q,
            prompt_style=style,
            max_steps=2,
            per_device_batch_size=4,
            num_generations=4,
            max_completion_length=32,
            beta=0.0,
            logging_steps=1,
        )
    )
    assert s["steps"] == 2 and len(s["reward_curve"]) == 2
    assert s["tool_rollouts"]["trajectories"] == 2 * 4  # every completion came from the tool rollout


def test_eval_reports_rm_at_k_next_to_maj_at_k(kit, tmp_path):
    import re

    from evaldata import write_gsm8k
    from fake_openai import FakeOpenAI

    from mathforge.evaluate import EvalConfig, run_eval
    from mathforge.infer import BackendSpec

    _, data, model = kit
    rm = train_stage(_cfg("rm", model, tmp_path / "rm", data["rm"], max_steps=3, seq_len=256))

    def replies(text: str):
        a, b = map(int, re.findall(r"(\d+) plus (\d+)", text)[-1])
        return [
            f"It is $\\boxed{{{a + b + 1}}}$.",
            f"It is $\\boxed{{{a + b}}}$.",
            f"It is $\\boxed{{{a + b + 1}}}$.",
        ]

    root = write_gsm8k(tmp_path / "d", [(f"What is {a} plus {a}?", 2 * a) for a in range(1, 5)])
    with FakeOpenAI(replies) as srv:
        spec = BackendSpec(backend="openai", model="m", api_base=srv.url)
        res = run_eval(
            EvalConfig(
                model="m",
                backend="openai",
                benchmarks=["gsm8k"],
                data_dir=str(root),
                n=3,
                temperature=0.7,
                out=str(tmp_path / "run"),
                backend_spec=spec,
                reward_model=rm["final_model"],
            )
        )
    m = res.metrics["benchmarks"]["gsm8k"]
    assert m["maj@k"]["accuracy"] == 0.0  # the wrong answer has 2 of 3 votes
    assert m["rm@k"]["k"] == 3 and 0.0 <= m["rm@k"]["accuracy"] <= 1.0
    assert m["pass@k"]["3"] == 1.0
