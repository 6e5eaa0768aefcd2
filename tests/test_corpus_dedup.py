"""Exact and near-duplicate removal: normalisation, the vectorised shingles against the pure-Python
reference, signature accuracy, LSH banding, clustering, and recall/precision on planted copies of
realistic text (generated math paragraphs; real MATH problems with solutions when the benchmark data
is there)."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from mathforge.corpus.dedup import (
    EMPTY,
    LSH,
    STEP,
    DedupConfig,
    MinHasher,
    dedup_docs,
    exact_duplicates,
    exact_key,
    jaccard,
    near_duplicate_clusters,
    shingles,
    tokens,
)
from mathforge.corpus.document import Document

# --- realistic text and planted copies: the same generator the speed benchmark measures on ---------------

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from dedup_speed import FILLER, exact_copy, generated_pool, near_copy
from dedup_speed import clean_pool as clean


def planted_corpus(
    base: list[str], copies: int, seed: int = 0
) -> tuple[list[Document], dict[str, str], set[str]]:
    """Base documents first (ids b<i>), then shuffled copies (ids c<k>); truth: copy id -> base id; and
    the ids of the exact copies (same text after normalisation)."""
    rng = random.Random(seed)
    docs = [Document(f"b{i}", t, f"base#{i}") for i, t in enumerate(base)]
    truth: dict[str, str] = {}
    made = []
    for k in range(copies):
        g = rng.randrange(len(base))
        exact = rng.random() < 0.2
        made.append((f"c{k}", exact_copy(base[g], rng) if exact else near_copy(base[g], rng), f"b{g}", exact))
    rng.shuffle(made)
    for cid, text, bid, _ in made:
        docs.append(Document(cid, text, f"copy#{cid}"))
        truth[cid] = bid
    return docs, truth, {m[0] for m in made if m[3]}


def assert_recall_precision(
    docs: list[Document], truth: dict[str, str], exact: set[str], floor: float = 0.95
) -> None:
    dropped = {d.id: d.reason.split("=", 1)[1] for d in docs if d.dropped}
    assert all(d.dropped == STEP for d in docs if d.dropped)
    base_removed = [d.id for d in docs if d.id.startswith("b") and d.dropped]
    assert base_removed == [], "a distinct document was removed"
    right = sum(truth.get(i) == kept for i, kept in dropped.items())
    recall, precision = right / len(truth), right / max(1, len(dropped))
    assert recall >= floor, (recall, precision)
    assert precision >= floor, (recall, precision)
    for d in docs:  # every exact copy goes as an exact duplicate of its base
        if d.id in exact:
            assert d.reason == f"exact_dup_of={truth[d.id]}"


# --- normalisation, tokens, shingles ----------------------------------------------------------------


def test_exact_key_normalises_case_space_and_nfkc() -> None:
    a = exact_key("Find  $x$ if\n2x + 3 = 7.")
    assert a == exact_key("find $x$ if 2x + 3 = 7.  ") == exact_key("ＦＩＮＤ $x$ if 2x + 3 = 7.")
    assert a != exact_key("Find $x$ if 2x + 3 = 7")  # punctuation is kept
    assert 0 <= a < 2**64 and isinstance(a, int)
    assert exact_key("") == exact_key("   \n")


def test_exact_duplicates_keep_first() -> None:
    keys = [exact_key(t) for t in ["A b", "c", "a  B", "C", "d"]]
    assert exact_duplicates(["1", "2", "3", "4", "5"], keys) == {"3": "1", "4": "2"}


def test_tokens_and_short_text_shingles() -> None:
    assert tokens("x+1 = 2") == tokens("x + 1=2") == ["x", "+", "1", "=", "2"]
    assert tokens("$\\frac{a}{b}$") == ["$", "\\", "frac", "{", "a", "}", "{", "b", "}", "$"]
    assert tokens("设函数f(x)≤3") == ["设", "函", "数", "f", "(", "x", ")", "≤", "3"]
    assert tokens("Théorème 2×3") == ["théorème", "2", "×", "3"]
    assert shingles("") == set() and shingles(" \n ") == set()
    assert shingles("Two words") == {"two words"}  # fewer tokens than the shingle size: the whole text
    assert shingles("a b c d e f", 5) == {"a b c d e", "b c d e f"}


def test_vectorised_shingles_match_reference() -> None:
    rng = random.Random(3)
    texts = [
        *generated_pool(40, seed=3),
        "",
        "short",
        "x=1",
        "设函数 f(x)=x^2，求 f(2) 的值。",
        "naïve façade ∑ π ≤ 2",
    ]
    texts += ["\ud800 lone surrogate text", "a\x00b\x07c", " ".join(rng.choice(FILLER) for _ in range(300))]
    hashes, counts = MinHasher().shingle_hashes(texts)
    assert counts.sum() == len(hashes)
    off = np.concatenate(([0], np.cumsum(counts)))
    for i, t in enumerate(texts):
        ref = shingles(t)
        assert len(set(hashes[off[i] : off[i + 1]].tolist())) == len(ref), t
    # re-spacing and re-casing does not change the shingles, so not the hashes either
    h2, _ = MinHasher().shingle_hashes([texts[0].upper().replace(" ", "  \n")])
    assert set(h2.tolist()) == set(hashes[: counts[0]].tolist())


def test_signatures_shape_determinism_and_batch_independence() -> None:
    texts = [*generated_pool(30, seed=1), "", "tiny"]
    sig = MinHasher().signatures(texts)
    assert sig.shape == (32, 128) and sig.dtype == np.uint32
    np.testing.assert_array_equal(sig, MinHasher(128, 5, 1).signatures(texts))
    # the same text gets the same signature alone, in any batch, with any block size (sharding)
    np.testing.assert_array_equal(sig[5], MinHasher().signatures([texts[5]])[0])
    np.testing.assert_array_equal(sig[::-1], MinHasher().signatures(texts[::-1]))
    np.testing.assert_array_equal(sig, MinHasher(block=7).signatures(texts))
    assert (sig[30] == EMPTY).all() and not (sig[31] == EMPTY).all()
    assert not np.array_equal(sig, MinHasher(seed=2).signatures(texts))
    assert MinHasher().signatures([]).shape == (0, 128)


def test_estimated_jaccard_tracks_true_jaccard() -> None:
    rng = random.Random(5)
    base = generated_pool(60, seed=5)
    pairs = [(t, near_copy(t, rng)) for t in base]
    pairs += [(base[i], base[i + 1]) for i in range(0, 40, 2)]  # unrelated
    pairs += [(t, t[: len(t) // 2]) for t in base[:20]]  # half the text: Jaccard about 0.5
    mh = MinHasher()
    sa, sb = mh.signatures([p[0] for p in pairs]), mh.signatures([p[1] for p in pairs])
    est = (sa == sb).mean(axis=1)
    true = np.array([jaccard(shingles(a), shingles(b)) for a, b in pairs])
    err = est - true
    assert np.abs(err).max() < 0.15 and abs(err.mean()) < 0.02 and np.abs(err).mean() < 0.04


# --- LSH and clustering ------------------------------------------------------------------------------


def test_lsh_band_keys() -> None:
    lsh = LSH(16, 8)
    assert abs(lsh.threshold - (1 / 16) ** (1 / 8)) < 1e-12
    assert lsh.probability(0.8) > 0.94 and lsh.probability(0.5) < 0.07
    texts = generated_pool(5, seed=2)
    sig = MinHasher().signatures([*texts, texts[0], ""])
    keys = lsh.band_keys(sig)
    assert keys.shape == (7, 16) and keys.dtype == np.uint64
    np.testing.assert_array_equal(keys[0], keys[5])
    assert (keys[6] == 0).all() and (keys[:6] != 0).all()
    assert len(set(keys[:5].ravel().tolist())) == 80  # distinct per band and per document
    with pytest.raises(ValueError):
        LSH(20, 8).band_keys(sig)
    with pytest.raises(ValueError):
        DedupConfig(num_perm=64, bands=16, rows=8)


def test_clusters_are_transitive_and_keep_the_first() -> None:
    ids = ["d0", "d1", "d2", "d3", "d4", "d5"]
    keys = np.array(
        [[1, 10], [1, 11], [2, 12], [3, 13], [4, 12], [0, 0]],  # d0~d1 (band 0), d2~d4 (band 1); d5 empty
        dtype=np.uint64,
    )
    assert near_duplicate_clusters(ids, keys) == {"d1": "d0", "d4": "d2"}
    keys[3, 1] = 11  # d3~d1: joins d0's cluster
    keys[4, 0] = 3  # d4~d3: the two clusters merge
    assert near_duplicate_clusters(ids, keys) == {"d1": "d0", "d2": "d0", "d3": "d0", "d4": "d0"}
    # the first id in the order given is kept
    order = [4, 3, 2, 1, 0, 5]
    assert near_duplicate_clusters([ids[i] for i in order], keys[order]) == {
        "d3": "d4",
        "d2": "d4",
        "d1": "d4",
        "d0": "d4",
    }
    assert near_duplicate_clusters([], np.zeros((0, 16), np.uint64)) == {}


def test_verification_cuts_false_candidates() -> None:
    texts = generated_pool(3, seed=4)
    sig = MinHasher().signatures(texts)
    keys = np.array([[7], [7], [7]], dtype=np.uint64)  # forced into one bucket
    assert len(near_duplicate_clusters(["a", "b", "c"], keys)) == 2
    assert near_duplicate_clusters(["a", "b", "c"], keys, sig, 0.75) == {}
    sig[2] = sig[0]
    assert near_duplicate_clusters(["a", "b", "c"], keys, sig, 0.75) == {"c": "a"}
    with pytest.raises(ValueError):
        near_duplicate_clusters(["a", "b", "c"], keys, None, 0.75)


# --- the step over documents -------------------------------------------------------------------------


def test_dedup_docs_on_planted_generated_copies() -> None:
    base = generated_pool(400, seed=11)
    docs, truth, exact = planted_corpus(base, 250, seed=11)
    out = dedup_docs(docs)
    assert out is docs and len(out) == 650
    assert_recall_precision(docs, truth, exact)
    assert all(d.text == "" for d in docs if d.dropped)
    assert any(d.reason.startswith("exact_dup_of=") for d in docs)
    assert any(d.reason.startswith("dup_of=") for d in docs)


def test_dedup_docs_is_deterministic_and_skips_dropped() -> None:
    base = generated_pool(120, seed=12)
    runs = []
    for _ in range(2):
        docs, _truth, _exact = planted_corpus(base, 80, seed=12)
        dedup_docs(docs)
        runs.append([(d.id, d.dropped, d.reason) for d in docs])
    assert runs[0] == runs[1]
    docs = [Document("x", base[0], "s"), Document("y", base[0], "s"), Document("z", base[0], "s")]
    docs[0].drop("lang", "lang=fr")
    dedup_docs(docs)
    assert [(d.dropped, d.reason) for d in docs] == [("lang", "lang=fr"), ("", ""), (STEP, "exact_dup_of=y")]


def test_dedup_docs_config_switches_and_short_texts() -> None:
    base = generated_pool(2, seed=13)
    texts = [
        base[0],
        base[0].upper(),
        near_copy(base[0], random.Random(1)),
        base[1],
        "",
        "",
        "ok",
        "OK",
        "no",
    ]
    mk = lambda: [Document(str(i), t, "s") for i, t in enumerate(texts)]  # noqa: E731
    docs = dedup_docs(mk())
    assert [d.reason for d in docs] == [
        "",
        "exact_dup_of=0",
        "dup_of=0",
        "",
        "",
        "exact_dup_of=4",
        "",
        "exact_dup_of=6",
        "",
    ]
    docs = dedup_docs(mk(), DedupConfig(exact=False))
    assert [d.reason for d in docs] == ["", "dup_of=0", "dup_of=0", "", "", "", "", "dup_of=6", ""]
    docs = dedup_docs(mk(), DedupConfig(minhash=False))
    assert docs[2].alive and docs[1].reason == "exact_dup_of=0"


# --- real benchmark text -----------------------------------------------------------------------------


def test_dedup_docs_on_real_math_problems(bench_dir) -> None:
    path = bench_dir / "math" / "test.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    texts = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            text = f"{r['problem']}\n\n{r['solution']}"
            if len(text.split()) >= 40:
                texts.append(text)
    base = clean(texts[::3])
    docs, truth, exact = planted_corpus(base, 700, seed=21)
    dedup_docs(docs)
    assert_recall_precision(docs, truth, exact)
