"""The math-content classifier: normalisation, page text with math kept, generated negatives, the default
training run on real data (source-held-out precision/recall, iterative recall), persistence, the corpus
step and the JSONL command."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

pytest.importorskip("fasttext")
pytest.importorskip("resiliparse")

from mathforge.corpus import classifier as C
from mathforge.corpus import classifier_data as D
from mathforge.corpus import classifier_training as T
from mathforge.corpus import negative_texts as N
from mathforge.corpus.classifier import MathClassifier, classify_files, classify_step
from mathforge.corpus.document import Document

ROUNDS = 3

# Realistic texts written for these tests (not taken from any training source).
MATH_SOLUTION = (
    r"We can write $x^2 - 5x + 6 = (x-2)(x-3)$, so the roots are $x = 2$ and $x = 3$. Since the parabola "
    r"opens upward, the expression is negative exactly when $2 < x < 3$. Therefore the solution set of "
    r"$x^2 - 5x + 6 < 0$ is $\boxed{(2,3)}$."
)
MATH_PROOF = (
    r"Theorem 2.3. If $f$ is continuous on $[a,b]$ and differentiable on $(a,b)$, then there exists "
    r"$c \in (a,b)$ such that $f'(c) = \frac{f(b)-f(a)}{b-a}$. Proof. Apply Rolle's theorem to "
    r"$g(x) = f(x) - \frac{f(b)-f(a)}{b-a}(x-a)$."
)
SPORTS = (
    "The Denver Nuggets beat the Phoenix Suns 118-109 on Saturday night. Nikola Jokic finished with 32 "
    "points, 14 rebounds and 11 assists, his 18th triple-double of the season, while Jamal Murray added 24. "
    "Phoenix led 58-52 at halftime but was outscored 35-21 in the third quarter. Denver improves to 41-19 "
    "and moves two games clear in the West."
)
RECIPE = (
    "Classic banana bread. Ingredients: 3 ripe bananas, 1/3 cup melted butter, 3/4 cup sugar, 1 egg, "
    "1 teaspoon vanilla, 1 teaspoon baking soda, a pinch of salt, 1 1/2 cups flour. Preheat the oven to "
    "350°F (175°C) and butter a 4x8-inch loaf pan. Mash the bananas, stir in the butter, then mix in the "
    "sugar, egg and vanilla. Bake for 55 to 65 minutes."
)
FINANCE = (
    "Shares of Nvidia fell 4.1% to $118.42 on Tuesday after the chipmaker said second-quarter revenue would "
    "come in at about $28 billion, plus or minus 2%. Analysts had expected $28.6 billion."
)


# -- no data needed ---------------------------------------------------------------------------------------


def test_normalize_keeps_latex_numbers_and_symbols_as_tokens():
    out = C.normalize("Let $$\\Frac{1}{2}+\\int_0^1 x\\,dx$$ = 0.5\nTOTAL 12 apples 你好")
    assert "\n" not in out and out == out.lower()
    toks = out.split(" ")
    for tok in ("$$", "\\frac", "{", "1", "}", "+", "\\int", "_", "^", "\\,", "=", "0.5", "12", "你", "好"):
        assert tok in toks, tok
    assert C.normalize("x" * 50, max_chars=10) == "x" * 10


def test_generated_negatives_are_deterministic_numeric_and_split_by_template():
    a = N.generate_negatives(200, seed=3)
    assert a == N.generate_negatives(200, seed=3)
    assert len(a) == 200 and all(0 < len(t) <= 1500 for t in a)
    with_digits = sum(bool(re.search(r"\d", t)) for t in a)
    assert with_digits / len(a) > 0.9  # numbers, prices, dates, scores: "has numbers" must not mean math
    assert any("$" in t for t in a) and any("def " in t or "SELECT" in t or "docker" in t for t in a)
    train, held = N._template_split(seed=3)
    for dom in N._DOMAINS:
        assert train[dom] and held[dom]
        assert not set(train[dom]) & set(held[dom])


class _FakeModel:
    """Scores 0.9 for texts containing '$', else 0.1."""

    def score(self, texts):
        return np.array([0.9 if "$" in t else 0.1 for t in texts])


def test_classify_step_scores_drops_and_records_sizes():
    docs = [
        Document(id="a", text="Let $x=1$.", source="t#a"),
        Document(id="b", text="Tickets cost 20 euros.", source="t#b"),
        Document(id="c", text="", source="t#c", dropped="lang", reason="lang=fr"),
    ]
    out = classify_step(docs, _FakeModel(), threshold=0.5)
    assert out is docs
    a, b, c = docs
    assert a.alive and a.meta["math_score"] == 0.9 and a.sizes["classify"] == len(b"Let $x=1$.")
    assert not b.alive and b.dropped == "classify" and b.reason == "math_score=0.100<0.5" and b.text == ""
    assert b.meta["math_score"] == 0.1 and "classify" not in b.sizes
    assert c.dropped == "lang" and "math_score" not in c.meta and "classify" not in c.sizes


# -- the default run on real data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_run(bench_dir, web_data, tmp_path_factory):
    """The default training run with fast settings (capped benchmark sets, small model)."""
    out = tmp_path_factory.mktemp("mathclf") / "math.bin"
    report = T.train_classifier(
        out, bench_dir, web_data, rounds=ROUNDS, seed=0, limit_per_source=1500, params=T.FAST_PARAMS
    )
    return out, report, MathClassifier.load(out)


def test_default_run_source_heldout_precision_and_recall(default_run):
    out, report, _ = default_run
    held = report["heldout"]
    assert held["n_pos"] >= 1000 and held["n_neg"] >= 1000
    assert held["precision"] >= 0.9 and held["recall"] >= 0.9, held
    real = report["heldout_real"]  # without the generated negatives: only real pages as negatives
    assert real["n_neg"] >= 100 and real["precision"] >= 0.9 and real["false_positive_rate"] <= 0.05, real
    pages = report["heldout_pages"]
    assert (
        pages["n_pos"] >= 5 and pages["n_neg"] >= 5 and pages["precision"] >= 0.9 and pages["recall"] >= 0.9
    )
    on_disk = json.loads(out.with_name(out.name + ".report.json").read_text(encoding="utf-8"))
    assert on_disk["heldout"] == held and len(on_disk["history"]) == ROUNDS


def test_heldout_is_split_by_source(bench_dir, web_data):
    data = D.build_default_data(bench_dir, web_data, seed=0, limit_per_source=200)
    train_sources = {s.source for s in data.seed_pos + data.seed_neg + data.pool}
    held_sources = {s.source for s in data.heldout}
    assert not (train_sources & held_sources - {"gen:heldout-templates"})
    held_bench = {s for s in held_sources if s.startswith("bench:")}
    assert {"bench:math", "bench:gsm8k", "bench:math500"}.isdisjoint(held_bench) and len(held_bench) >= 5
    # whole web groups (book, repository, site, host) are on one side only
    assert not {s.split(":")[1].split("__")[0] for s in held_sources if s.startswith("latex:")} & {
        s.split(":")[1].split("__")[0] for s in train_sources if s.startswith("latex:")
    }
    held_text = {s.text for s in data.heldout}
    assert not held_text & {s.text for s in data.seed_pos + data.seed_neg + data.pool}
    pos, neg = D.default_training_data(bench_dir, web_data, seed=0, limit_per_source=200)
    assert len(pos) == len(data.pos) and len(neg) == len(data.neg) and not held_text & set(pos)


def test_iterative_recall_history(default_run):
    _, report, _ = default_run
    hist = report["history"]
    assert [h["round"] for h in hist] == list(range(ROUNDS))
    assert hist[0]["pool_pos"] == 0 and all(h["pool_pos"] > 0 for h in hist[1:])
    for h in hist:
        assert {"precision", "recall", "f1", "n", "pool_pos", "pool_above"} <= set(h)
        assert h["recall"] >= 0.9 and h["precision"] >= 0.9, h
        if h["pool_pos"]:  # recalled pool texts are almost all truly math (labels used only to check)
            assert h["pool_pos_precision"] >= 0.95
    assert hist[-1]["recall"] >= hist[0]["recall"] - 0.01


def test_realistic_examples(default_run):
    model = default_run[2]
    s = model.score([MATH_SOLUTION, MATH_PROOF, SPORTS, RECIPE, FINANCE])
    assert s[0] >= 0.9 and s[1] >= 0.9, s
    assert s[2] < 0.5 and s[3] < 0.5 and s[4] < 0.5, s
    assert ((s >= 0) & (s <= 1)).all()
    assert model.score(["", "   "]).tolist() == [0.0, 0.0]
    # a long page is cut to max_chars: appending text past the limit changes nothing
    long = MATH_SOLUTION * 40
    assert model.score([long]) == pytest.approx(model.score([long + SPORTS * 20]))


def test_save_load_round_trip(default_run, tmp_path):
    model = default_run[2]
    texts = [MATH_SOLUTION, SPORTS, RECIPE, MATH_PROOF, "x"]
    path = model.save(tmp_path / "m" / "copy.bin")
    again = MathClassifier.load(path)
    assert again.max_chars == model.max_chars and again.params == model.params
    assert np.array_equal(again.score(texts), model.score(texts))
    with pytest.raises(FileNotFoundError):
        MathClassifier.load(tmp_path / "missing.bin")


def test_training_is_deterministic(bench_dir):
    pos = (
        D.benchmark_texts(bench_dir, "math", "train")[:300]
        + D.benchmark_texts(bench_dir, "gsm8k", "train")[:300]
    )
    neg = N.generate_negatives(600, seed=1)
    kw = dict(epoch=3, lr=0.5, dim=8, bucket=20_000, minn=2, maxn=4, seed=7, threads=1)
    a = MathClassifier.train(pos, neg, **kw)
    b = MathClassifier.train(pos, neg, **kw)
    texts = [MATH_SOLUTION, SPORTS, RECIPE, FINANCE]
    assert np.array_equal(a.score(texts), b.score(texts))
    ev = a.evaluate([MATH_SOLUTION, MATH_PROOF], [SPORTS, RECIPE], threshold=0.5)
    assert ev["n"] == 4 and set(ev) >= {"precision", "recall", "f1", "n"}


def test_classify_step_with_trained_model(default_run):
    model = default_run[2]
    docs = [Document(id="m", text=MATH_PROOF, source="t#m"), Document(id="s", text=SPORTS, source="t#s")]
    classify_step(docs, model, threshold=0.5)
    assert (
        docs[0].alive and docs[0].meta["math_score"] >= 0.9 and docs[0].sizes["classify"] == docs[0].nbytes()
    )
    assert docs[1].dropped == "classify" and docs[1].reason.startswith("math_score=")
    assert docs[1].reason.endswith("<0.5") and docs[1].meta["math_score"] < 0.5


def test_classify_files_keeps_math_and_reports_malformed_lines(default_run, tmp_path):
    model_path = default_run[0]
    a = tmp_path / "a.jsonl"
    a.write_bytes(
        "\n".join(
            [
                json.dumps({"id": 1, "text": MATH_SOLUTION}),
                json.dumps({"id": 2, "text": SPORTS}),
                "{not json",
                json.dumps([1, 2]),
                json.dumps({"id": 3, "body": "no text field"}),
                "",
                json.dumps({"id": 4, "text": MATH_PROOF}),
            ]
        ).encode()
        + b"\n\xff\xfe\n"
    )
    b = tmp_path / "b.jsonl"
    b.write_text(json.dumps({"id": 5, "text": RECIPE}) + "\n", encoding="utf-8")
    out = tmp_path / "out" / "kept.jsonl"
    stats = classify_files(model_path, [a, b, tmp_path / "nope.jsonl"], out, threshold=0.5)
    kept = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in kept] == [1, 4]
    assert all(r["math_score"] >= 0.5 for r in kept) and kept[0]["text"] == MATH_SOLUTION
    assert stats["read"] == 4 and stats["kept"] == 2 and stats["dropped"] == 2 and stats["malformed"] == 5
    errors = "\n".join(stats["errors"])
    assert f"{a}:3: bad JSON" in errors and f"{a}:4: not a JSON object" in errors
    assert f"{a}:5: no string 'text' field" in errors and f"{a}:8: not UTF-8" in errors
    assert "nope.jsonl:0: file not found" in errors
