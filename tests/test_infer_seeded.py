"""Seeded sampling on the hf backend: a prompt's samples depend on the seed, its text and the sample
index only - not on the batch it ran in, the batch size or the order - and the stream gives sample 0."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from mathforge.infer import BackendSpec, SamplingParams, collect_stream, get_backend
from mathforge.infer.seeded import SeededSampler, row_seed, row_seeds, sampling_warpers
from mathforge.models.tiny import build_tiny_model
from mathforge.prompts import Prompt

TEXTS = ["What is 3 plus 4? The answer is 7.", "Question: solve 2x = 10. Answer: x = 5.", "答案是 9。"] * 50
SAMPLE = SamplingParams(n=4, temperature=1.0, max_tokens=8, seed=7)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    # random weights: the next-token distribution is spread, so samples at temperature 1 vary
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), TEXTS, vocab_size=300, hidden_size=32)


@pytest.fixture(scope="module")
def backends(tiny):
    return {bs: get_backend(BackendSpec(backend="hf", model=str(tiny), batch_size=bs)) for bs in (1, 3, 8)}


def _prompt(q: str) -> Prompt:
    return Prompt(messages=({"role": "user", "content": q},), text=q, style="cot")


# different lengths, so a shared batch left-pads some of them
PROMPTS = [_prompt(q) for q in ("What is 2 plus 5?", "Solve 3x = 12. Think step by step.", "答案?", "x")]
OTHERS = [_prompt(q) for q in ("Question: what is 10 minus 4? Show your work.", "7 times 8", "Why?")]


def _texts(gens) -> list[list[str]]:
    return [[g.text for g in per] for per in gens]


def test_samples_do_not_depend_on_batch_composition(backends):
    one_batch = _texts(backends[8].generate(PROMPTS, SAMPLE))  # all 4 prompts x 4 samples in one batch
    alone = _texts(backends[1].generate(PROMPTS, SAMPLE))  # one prompt per batch
    mixed = [OTHERS[0], PROMPTS[3], OTHERS[1], PROMPTS[1], PROMPTS[0], OTHERS[2], PROMPTS[2]]
    got = dict(zip(map(id, mixed), _texts(backends[3].generate(mixed, SAMPLE)), strict=True))
    reordered = [got[id(p)] for p in PROMPTS]  # other order, other neighbours, batch size 3
    assert all(len(s) == 4 for s in one_batch)
    assert one_batch == alone == reordered


def test_more_samples_keep_the_first_ones(backends):
    four = _texts(backends[8].generate(PROMPTS[:2], SAMPLE))
    six = _texts(
        backends[8].generate(PROMPTS[:2], SamplingParams(n=6, temperature=1.0, max_tokens=8, seed=7))
    )
    assert [s[:4] for s in six] == four


def test_seed_changes_samples_and_samples_vary(backends):
    a = _texts(backends[8].generate(PROMPTS, SAMPLE))
    b = _texts(backends[8].generate(PROMPTS, SamplingParams(n=4, temperature=1.0, max_tokens=8, seed=8)))
    assert a != b
    assert any(len(set(samples)) > 1 for samples in a)  # the 4 samples of a prompt are not all one text
    assert sum(len(set(samples)) for samples in a) > len(a) * 2


def test_tiny_top_p_is_greedy(backends):
    greedy = _texts(backends[8].generate(PROMPTS, SamplingParams(max_tokens=8)))
    narrow = _texts(
        backends[3].generate(PROMPTS, SamplingParams(n=2, temperature=1.0, top_p=1e-6, max_tokens=8))
    )
    assert narrow == [g * 2 for g in greedy]


def test_model_top_k_still_applies(tiny, backends):
    # do_sample=True applied the generation config's top_k; the seeded sampler keeps doing so
    backend = get_backend(BackendSpec(backend="hf", model=str(tiny), batch_size=8))
    backend.model.generation_config.top_k = 1
    greedy = _texts(backends[8].generate(PROMPTS, SamplingParams(max_tokens=8)))
    assert _texts(backend.generate(PROMPTS, SAMPLE)) == [g * 4 for g in greedy]


def test_stream_equals_generate_sample_zero(backends):
    for prompt in PROMPTS[:2]:
        streamed = collect_stream(backends[1].stream(prompt, SamplingParams(**{**SAMPLE.to_dict(), "n": 1})))
        assert streamed.text == backends[8].generate([prompt], SAMPLE)[0][0].text


def test_row_seeds_are_stable_and_distinct():
    assert row_seed(7, "abc", 0) == row_seed(7, "abc", 0)  # sha256: the same in every process
    assert row_seed(7, "abc", 0) == 3485749513826110628
    seeds = row_seeds(7, ["abc", "abd"], 3) + row_seeds(8, ["abc"], 3)
    assert len(set(seeds)) == 9 and all(0 <= s < 2**63 for s in seeds)
    assert row_seeds(7, ["abc", "abd"], 3)[3] == row_seed(7, "abd", 0)  # row r is sample r % n of r // n


def test_sampler_returns_one_hot_scores_per_row():
    import torch

    scores = torch.randn(3, 50)
    ids = torch.zeros(3, 1, dtype=torch.long)
    out = SeededSampler([1, 2, 3], sampling_warpers(0.7, 0.9))(ids, scores)
    assert (out == 0).sum(dim=1).tolist() == [1, 1, 1] and torch.isinf(out).sum() == 3 * 49
    # a row's draw does not depend on the other rows
    alone = SeededSampler([2], sampling_warpers(0.7, 0.9))(ids[1:2], scores[1:2])
    assert torch.equal(out[1:2], alone)
    with pytest.raises(ValueError, match="2 seeds for 3 rows"):
        SeededSampler([1, 2])(ids, scores)
