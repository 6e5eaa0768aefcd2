"""The compiled decontamination scan gives exactly what the numpy version gives: the same token hashes
(so an index built by one is read by the other), the same candidate windows, the same hits."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mathforge.corpus.decontam import Decontaminator, batch_token_hashes, tokens
from mathforge.corpus.decontam_kernels import kernels

pytestmark = pytest.mark.skipif(kernels() is None, reason="numba is not installed: only the numpy path runs")

TRICKY = [
    "Hello, World! x^2+3x=10",
    "数学题：求 x 的值。答案是5",
    "ＡＢＣ１２３ full width ①② Ｘ＝５，ｘ＋ｙ＜１０",  # full-width forms the kernel reads itself
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴ１２３４５",  # a full-width token longer than 16 characters
    "İstanbul naïve café ﬁne x²",  # NFKC and İ: rewritten before hashing
    "",
    "...",
    "a" * 300 + " b",
    "a+b-c*d/e=f<g>h^i" * 40,  # more tokens than one per four bytes
    "中文English混合123abc数字㐀鿿",  # both ends of the CJK range
    "emoji 😀 and surrogate \ud800 text ÷ 2",
    "Natalia sold 48/2 = <<48/2=24>>24 clips. [asy] draw((0,0)--(1,1)); [/asy] 2×3 − 1 ≤ x",
    "line one\nline two\n\n\n",
]


def _numpy_path(monkeypatch):
    monkeypatch.setattr("mathforge.corpus.decontam_kernels.kernels", lambda: None)


@pytest.mark.parametrize("text", TRICKY)
def test_one_text_hashes_alike_and_as_many_tokens_as_the_reference(text, monkeypatch):
    compiled = batch_token_hashes([text])
    _numpy_path(monkeypatch)
    reference = batch_token_hashes([text])
    assert len(compiled[0]) == len(tokens(text))
    assert np.array_equal(compiled[0], reference[0])
    assert np.array_equal(compiled[1], reference[1])


def test_batches_of_real_pages_hash_alike(web_data, monkeypatch):
    from mathforge.corpus.readers import expand_inputs, read_path

    texts = []
    for path in expand_inputs([str(web_data)]):
        if path.suffix in (".html", ".tex", ".py", ".txt", ".md"):
            texts += [d.text for d in read_path(path) if hasattr(d, "text")]
    assert len(texts) > 50
    texts += TRICKY
    random.Random(0).shuffle(texts)
    batches = [texts[k : k + 37] for k in range(0, len(texts), 37)]
    compiled = [batch_token_hashes(b) for b in batches]
    _numpy_path(monkeypatch)
    for batch, (h, d) in zip(batches, compiled, strict=True):
        ref_h, ref_d = batch_token_hashes(batch)
        assert np.array_equal(h, ref_h) and np.array_equal(d, ref_d)


@pytest.fixture(scope="module")
def small_index():
    dec = Decontaminator()
    dec.add(
        "gsm8k",
        "1",
        "question",
        "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?",
    )
    dec.add("gsm8k", "1", "solution", "Natalia sold 48/2 = <<48/2=24>>24 clips in May.")
    dec.add(
        "math",
        "2",
        "question",
        "Find the value of $\\frac{1}{2} + \\frac{1}{3}$ when written as a fraction in lowest terms, please.",
    )
    dec.add("cmath", "3", "question", "小明有5个苹果，吃了2个，还剩几个？")
    dec.add("mmlu", "4", "question", "Which of the following is true?")
    dec._build()
    return dec


def test_hits_windows_and_confirmation_agree_on_planted_and_clean_documents(small_index, monkeypatch):
    rng = random.Random(1)
    filler = "The weather was fine and the market opened at nine. " * 30
    docs = [
        filler + "NATALIA  sold clips to 48 of her friends in april, and then she sold half as many clips "
        "in May. How many clips did Natalia sell altogether in April and May?" + filler,
        "Find the value of 1/2 + 1/3 when written as a fraction in lowest terms, please.",
        "题目：小明有５个苹果，吃了２个，还剩几个？",  # full-width digits
        "Which of the following is true?",
        "Which of the following is true? The first one.",
        filler,
        "",
    ]
    docs += [rng.choice(docs) + " " + filler[: rng.randrange(200)] for _ in range(40)]
    compiled = small_index.check_many(docs)
    assert [bool(h) for h in compiled[:7]] == [True, True, True, True, False, False, False]
    _numpy_path(monkeypatch)
    assert small_index.check_many(docs) == compiled
