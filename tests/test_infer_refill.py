"""Continuous batching in the hf backend: rows leave as they finish and waiting prompts take their place,
and the tokens are those of one-at-a-time ``generate`` (greedy and seeded sampling alike)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from mathforge.infer import BackendSpec, SamplingParams, get_backend
from mathforge.infer.refill import RefillDecoder, Request, supports_refill
from mathforge.models.tiny import build_tiny_model
from mathforge.prompts import Prompt

TEXTS = ["What is 3 plus 4? The answer is 7.", "Question: solve 2x = 10. Answer: x = 5.", "答案是 9。"] * 50


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny model with large random weights: unlike a freshly initialised one (which repeats one
    token), its outputs differ from prompt to prompt and end at an end-of-sequence token at different
    lengths, so a row decoded with the wrong cache, position or padding shows in the text."""
    import torch
    from transformers import AutoModelForCausalLM

    path = build_tiny_model(tmp_path_factory.mktemp("tiny"), TEXTS, vocab_size=300, hidden_size=32)
    model = AutoModelForCausalLM.from_pretrained(path)
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" not in name:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    model.save_pretrained(path)
    return path


def _prompts(k: int, stop: tuple[str, ...] = ()) -> list[Prompt]:
    # lengths from a few tokens to a few dozen, in no order, so admissions join caches of unequal length
    qs = [f"Question {i}: what is {i * 7 % 13} plus {i}?" + " Think again." * ((i * 5) % 9) for i in range(k)]
    return [Prompt(messages=({"role": "user", "content": q},), text=q, style="cot", stop=stop) for q in qs]


def _backend(tiny, **kw):
    return get_backend(BackendSpec(backend="hf", model=str(tiny), **kw))


def test_refilled_rows_decode_as_one_at_a_time(tiny):
    single = _backend(tiny, batch_size=1)
    refill = _backend(tiny, batch_size=3)  # 17 prompts through 3 rows: many admissions and departures
    assert refill.info()["continuous_batching"] and not single.info()["continuous_batching"]
    prompts = _prompts(17)
    for max_tokens in (1, 9, 24):
        params = SamplingParams(max_tokens=max_tokens)
        a = [g[0] for g in refill.generate(prompts, params)]
        b = [g[0] for g in single.generate(prompts, params)]
        assert [x.text for x in a] == [x.text for x in b]
        assert [x.tokens for x in a] == [x.tokens for x in b]
        assert [x.finish_reason for x in a] == [x.finish_reason for x in b]
    assert len({x.text for x in a}) == len(prompts)  # the outputs depend on the prompt
    assert {x.finish_reason for x in a} == {"stop", "length"}  # rows ended at different steps


def test_rows_that_stop_early_leave_and_the_rest_are_unchanged(tiny):
    single = _backend(tiny, batch_size=1)
    refill = _backend(tiny, batch_size=4)
    free = [g[0].text for g in single.generate(_prompts(12), SamplingParams(max_tokens=30))]
    # a stop string that some outputs reach early and others never: rows end at different steps
    stop = "solv"
    assert 0 < sum(stop in t for t in free) < len(free)
    prompts = _prompts(12, stop=(stop,))
    params = SamplingParams(max_tokens=30)
    a = [g[0] for g in refill.generate(prompts, params)]
    b = [g[0] for g in single.generate(prompts, params)]
    assert [x.text for x in a] == [x.text for x in b]
    assert [x.finish_reason for x in a] == [x.finish_reason for x in b]
    assert all(stop not in x.text for x in a)
    assert sum(x.tokens < 30 for x in a) >= 3  # rows did end early


def test_seeded_samples_match_the_generate_path(tiny):
    refill = _backend(tiny, batch_size=5)
    plain = _backend(tiny, batch_size=5, continuous_batching=False)
    assert plain.info()["continuous_batching"] is False
    params = SamplingParams(n=3, temperature=1.0, top_p=0.9, max_tokens=16, seed=11)
    prompts = _prompts(7)
    a = [[x.text for x in g] for g in refill.generate(prompts, params)]
    b = [[x.text for x in g] for g in plain.generate(prompts, params)]
    assert a == b
    assert len({t for g in a for t in g}) > len(prompts)  # the samples do differ


def test_progress_counts_each_prompt_once(tiny):
    refill = _backend(tiny, batch_size=2)
    seen: list[int] = []
    refill.generate(_prompts(5), SamplingParams(n=2, temperature=1.0, max_tokens=6), progress=seen.append)
    assert sum(seen) == 5


def test_generation_config_with_a_processor_falls_back_to_generate(tiny, tmp_path):
    import json
    import shutil

    penalised = tmp_path / "penalised"
    shutil.copytree(tiny, penalised)
    gc_file = penalised / "generation_config.json"
    gc = json.loads(gc_file.read_text()) if gc_file.exists() else {}
    gc_file.write_text(json.dumps({**gc, "repetition_penalty": 1.5}))
    backend = _backend(penalised, batch_size=4)
    assert backend.info()["continuous_batching"] is False
    assert "repetition_penalty" in (supports_refill(backend.model) or "")
    params = SamplingParams(max_tokens=24)
    with_penalty = [g[0].text for g in backend.generate(_prompts(6), params)]
    without = [g[0].text for g in _backend(tiny, batch_size=4).generate(_prompts(6), params)]
    assert with_penalty != without  # generate applied the penalty the loop would have skipped


def test_finished_rows_leave_the_cache_with_their_padding(tiny):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from mathforge.infer.refill import Decoded

    tok = AutoTokenizer.from_pretrained(tiny)
    model = AutoModelForCausalLM.from_pretrained(tiny).eval()
    long_ids = tok("Think again. " * 12)["input_ids"]
    short_ids = tok("Hi there")["input_ids"]
    decoder = RefillDecoder(model, tok, slots=2)
    with torch.inference_mode():
        decoder._admit([0, 1], [Request(long_ids), Request(short_ids)], None, [Decoded(), Decoded()])
        assert decoder._mask.shape[1] == len(long_ids)
        decoder._select([1])  # the long row is done: the short one keeps only its own columns
        assert decoder._rows == [1] and decoder._mask.shape[1] == len(short_ids)
        assert all(layer.keys.shape[2] == len(short_ids) for layer in decoder._cache.layers)
        nxt = torch.tensor([5])
        stepped = decoder._step(nxt, [Decoded(), Decoded()])
        alone = model(input_ids=torch.tensor([[*short_ids, 5]])).logits[:, -1, :]
    assert torch.allclose(stepped, alone, atol=1e-5)
