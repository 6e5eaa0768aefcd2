"""The hf backend on a tiny model built here: batching, stop strings, sampling, errors, and a full eval."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from evaldata import write_gsm8k

from mathforge.infer import BackendError, BackendSpec, SamplingParams, get_backend
from mathforge.models.tiny import build_tiny_model
from mathforge.prompts import Prompt

TEXTS = ["What is 3 plus 4? The answer is 7.", "Question: solve 2x = 10. Answer: x = 5.", "答案是 9。"] * 50


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), TEXTS, vocab_size=300, hidden_size=32)


def _prompts(k: int) -> list[Prompt]:
    qs = [f"What is {i} plus {i + 1}?" + " Think." * (i % 4) for i in range(k)]
    return [Prompt(messages=({"role": "user", "content": q},), text=q, style="cot") for q in qs]


def test_batched_greedy_equals_one_at_a_time(tiny):
    batched = get_backend(BackendSpec(backend="hf", model=str(tiny), batch_size=4))
    single = get_backend(BackendSpec(backend="hf", model=str(tiny), batch_size=1))
    params = SamplingParams(max_tokens=12)
    prompts = _prompts(6)
    a = [g[0].text for g in batched.generate(prompts, params)]
    b = [g[0].text for g in single.generate(prompts, params)]
    assert a == b  # left padding and the attention mask keep batching exact
    assert all(g[0].tokens > 0 for g in batched.generate(prompts[:1], params))


def test_sampling_n_and_seed_reproducibility(tiny):
    backend = get_backend(BackendSpec(backend="hf", model=str(tiny), batch_size=2))
    params = SamplingParams(n=3, temperature=1.0, max_tokens=10, seed=7)
    first = backend.generate(_prompts(2), params)
    second = backend.generate(_prompts(2), params)
    assert [len(g) for g in first] == [3, 3]
    assert [[x.text for x in g] for g in first] == [[x.text for x in g] for g in second]


def test_stop_strings_cut_the_output(tiny):
    backend = get_backend(BackendSpec(backend="hf", model=str(tiny), batch_size=2, chat=False))
    free = backend.generate(_prompts(1), SamplingParams(max_tokens=20))[0][0].text
    if len(free) > 3:
        stop = free[2:4]
        prompt = _prompts(1)[0]
        cut = backend.generate(
            [Prompt(prompt.messages, prompt.text, "cot", stop=(stop,))], SamplingParams(max_tokens=20)
        )
        assert stop not in cut[0][0].text and free.startswith(cut[0][0].text)


def test_unknown_local_model_fails_clearly_offline(tmp_path):
    with pytest.raises(BackendError, match="allow-network"):
        get_backend(BackendSpec(backend="hf", model="some-org/not-a-local-model"))


def test_eval_cli_end_to_end_with_hf(tiny, tmp_path):
    from typer.testing import CliRunner

    from mathforge.cli.main import app

    data = write_gsm8k(tmp_path / "data")
    out = tmp_path / "run"
    args = [
        "eval",
        "--model",
        str(tiny),
        "--backend",
        "hf",
        "--bench",
        "gsm8k",
        "--data-dir",
        str(data),
        "--out",
        str(out),
        "--limit",
        "4",
        "--max-tokens",
        "8",
        "--batch-size",
        "2",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "generated 4, from cache 0" in result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["benchmarks"]["gsm8k"]["items"] == 4
    assert metrics["run"]["backend_info"]["transformers"]
    again = CliRunner().invoke(app, args)
    assert "generated 0, from cache 4" in again.output
