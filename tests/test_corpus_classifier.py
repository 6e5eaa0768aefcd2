"""The math-content classifier: normalisation, page text with math kept, generated negatives (English and
Chinese), the default bilingual training run on real data (source-held-out precision/recall per language,
iterative recall), persistence, the corpus step and the JSONL command."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

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
# Chinese: CMATH-style word problems and lesson text, and everyday text full of numbers (written for these
# tests, not taken from CMATH, Ape210K or any other source).
ZH_WORD_PROBLEMS = [
    "小明家养了24只鸡，养的鸭比鸡多15只，鸭和鸡一共有多少只？",
    "一本故事书有180页，小红第一天看了全书的1/4，第二天看了36页，还剩多少页没有看？",
    "学校买了5个篮球，每个68元，付给售货员400元，应找回多少元？",
    "一辆汽车3小时行驶了195千米，照这样的速度，再行驶5小时，一共行驶了多少千米？",
]
ZH_LESSON = (
    "第三课　一元一次方程\n【知识要点】只含有一个未知数，并且未知数的次数都是1的整式方程叫做一元一次方程。"
    "解一元一次方程的一般步骤是：去分母、去括号、移项、合并同类项、系数化为1。\n"
    "例1　解方程 $3(x-2)+1=2x+4$。\n解：去括号，得 $3x-6+1=2x+4$；移项，得 $3x-2x=4+6-1$；所以 $x=9$。"
)
ZH_OTHER = [
    "今天上午7点30分，第12届城市马拉松在市中心鸣枪开跑，约3.5万名选手参赛，男子组冠军的成绩是2小时11分05秒，"
    "比去年快了48秒。",
    "红烧排骨的做法：排骨500克冷水下锅焯水，锅里放15克冰糖小火炒出糖色，倒入排骨翻炒，加2勺生抽、1勺老抽和"
    "没过排骨的热水，小火炖40分钟后大火收汁。",
    "这款手机采用6.7英寸屏幕，电池容量5000毫安时，12GB+256GB版本售价3299元，3月28日上午10点起在各大电商平台"
    "正式开售。",
    "国家统计局今天发布数据，今年一季度国内生产总值同比增长5.3%，社会消费品零售总额12.5万亿元，城镇调查失业率"
    "平均为5.2%。",
]


def _zh_dir(bench: Path) -> Path | None:
    """The Ape210K folder: MATHFORGE_ZH_DIR, else zh/ape210k next to the benchmark folder."""
    env = os.environ.get("MATHFORGE_ZH_DIR")
    for c in [*([Path(env)] if env else []), Path(bench).resolve().parent / "zh" / "ape210k"]:
        if c.is_dir() and any(c.glob("*.jsonl")):
            return c
    return None


@pytest.fixture(scope="module")
def zh_data(bench_dir):
    root = _zh_dir(bench_dir)
    if root is None:
        pytest.skip("Chinese word problems not found: set MATHFORGE_ZH_DIR to the Ape210K folder (*.jsonl)")
    return root


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
    train, held = N.template_split(N._DOMAINS, seed=3)
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
    """The default training run with fast settings (capped benchmark sets, small model). The Chinese word
    problems are found next to the benchmark folder or through MATHFORGE_ZH_DIR, as the command does."""
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


# -- Chinese ----------------------------------------------------------------------------------------------


def test_chinese_word_problems_and_lessons_score_as_math(default_run, zh_data):
    """CMATH-style word problems in plain text and a Chinese lesson are math; Chinese everyday text full
    of numbers, prices and dates is not."""
    model = default_run[2]
    s_math = model.score([*ZH_WORD_PROBLEMS, ZH_LESSON])
    s_other = model.score(ZH_OTHER)
    assert (s_math >= 0.9).all(), s_math
    assert (s_other < 0.5).all(), s_other


def test_default_run_per_language_heldout(default_run, zh_data):
    """Source-held-out precision/recall per language: Chinese from CMATH, the GaoKao sets and
    cn_middle_school (positives) and hand-written, held-out-template and web text (negatives), none of
    which is trained on; English as before."""
    _, report, _ = default_run
    by_lang = report["heldout_by_lang"]
    zh, en = by_lang["zh"]["all"], by_lang["en"]["all"]
    assert zh["n_pos"] >= 600 and zh["n_neg"] >= 600, zh
    assert zh["recall"] >= 0.9 and zh["precision"] >= 0.95, zh
    assert by_lang["zh"]["real"]["n_neg"] >= 50 and by_lang["zh"]["real"]["false_positive_rate"] <= 0.05
    assert en["n_pos"] >= 1000 and en["recall"] >= 0.93 and en["precision"] >= 0.97, en
    per_source = report["heldout_by_source"]
    assert per_source["bench:cmath"]["scored_math"] >= 0.9, per_source["bench:cmath"]
    assert per_source["zh-written:heldout"]["scored_math"] <= 0.05
    assert report["data"]["zh_dir"] is not None and report["data"]["counts"]["seed/ape210k"] > 0


def test_chinese_data_is_split_by_source(bench_dir, zh_data):
    from mathforge.corpus import classifier_zh as Z

    data = D.build_default_data(bench_dir, None, seed=0, limit_per_source=300, zh_dir=zh_data)
    train = data.seed_pos + data.seed_neg + data.pool
    train_sources = {s.source for s in train}
    held_zh = {s.source for s in data.heldout if s.lang == "zh"}
    assert {f"bench:{b}" for b in ("cmath", "gaokao_math_cloze", "gaokao_math_qa")} <= held_zh
    assert not train_sources & held_zh
    assert {"ape210k:valid", "ape210k:test", "synth-zh:lessons", "gen-zh:train-templates"} <= train_sources
    assert not {s.text for s in data.heldout} & {s.text for s in train}
    # Ape210K problems that differ from a held-out CMATH item only in numbers or a few words are dropped
    assert data.counts["dropped/ape210k-near-duplicates-of-heldout"] > 0
    cmath = D.benchmark_texts(bench_dir, "cmath", "test")
    ape = [s.text.split("\n")[0] for s in train if s.source.startswith("ape210k:")]
    assert not Z.near_duplicates(ape, cmath)
    assert all(s.lang == "zh" for s in data.seed_pos if s.source.startswith(("ape210k", "synth-zh")))
    assert not data.notes, data.notes


def test_without_the_zh_folder_training_still_works(bench_dir, tmp_path):
    """No Ape210K folder: the word problems are skipped with a warning that says why, the rest of the
    Chinese data (generated lessons and negatives, held-out benchmarks) is still there, and training runs."""
    missing = tmp_path / "no-such-folder"
    with pytest.warns(UserWarning, match="Ape210K.*not found"):
        data = D.build_default_data(bench_dir, None, seed=0, limit_per_source=200, zh_dir=missing)
    assert data.zh_dir is None and any("not found" in n for n in data.notes)
    sources = {s.source for s in data.seed_pos}
    assert not any(s.startswith("ape210k") for s in sources) and "synth-zh:lessons" in sources
    assert any(s.lang == "zh" and s.label == 1 for s in data.heldout)
    with pytest.warns(UserWarning, match="Ape210K"):
        report = T.train_classifier(
            tmp_path / "m.bin",
            bench_dir,
            None,
            rounds=1,
            limit_per_source=200,
            params=T.FAST_PARAMS,
            zh_dir=None,
        )
    assert report["data"]["zh_dir"] is None and report["data"]["notes"]
    assert set(report["heldout_by_lang"]) == {"en", "zh"}
    # English-only data (chinese=False) has no Chinese sample at all
    en_only = D.build_default_data(bench_dir, None, seed=0, limit_per_source=200, chinese=False)
    assert not any(s.lang == "zh" for s in en_only.seed_pos + en_only.seed_neg)


def test_chinese_generated_negatives_and_helpers():
    from mathforge.corpus import classifier_zh as Z
    from mathforge.corpus import zh_negative_texts as ZN
    from mathforge.corpus.zh_heldout_texts import ZH_HELDOUT_NEGATIVES

    a = ZN.generate_zh_negatives(300, seed=3)
    assert a == ZN.generate_zh_negatives(300, seed=3) and len(a) == 300
    assert sum(bool(re.search(r"\d", t)) for t in a) / len(a) > 0.9
    assert sum(Z.text_lang(t) == "zh" for t in a) / len(a) > 0.9  # the rest: code with Chinese comments
    assert sum(len(t) < 80 for t in a) > 30  # short texts too: single sentences, page chrome
    train, held = N.template_split(ZN._DOMAINS, seed=3, prefix="zh/")
    for dom in ZN._DOMAINS:
        assert train[dom] and held[dom] and not set(train[dom]) & set(held[dom])
    written = set(ZH_HELDOUT_NEGATIVES)
    assert len(written) >= 40 and not written & set(a)
    assert sum(bool(re.search(r"\d", t)) for t in written) / len(written) > 0.8

    rec = {
        "original_text": "学校把135本练习本平均分给3个班，每班多少本？",
        "equation": "x=135/3",
        "ans": "45",
    }
    assert Z.ape210k_text(rec, with_solution=False) == rec["original_text"]
    assert Z.ape210k_text(rec, with_solution=True).endswith("\n解：135÷3=45\n答：每班45本。")
    frac = {"original_text": "一根绳子用去(1/5)，还剩几分之几？", "equation": "x=1-(1/5)", "ans": "(4/5)"}
    assert "解：1-(1/5)=4/5" in Z.ape210k_text(frac, with_solution=True)
    assert Z.near_duplicates(
        [
            "菜店运来6吨大白菜，上午卖出400千克，下午全部卖完，下午卖出多少千克？",
            "今天天气很好，我们去公园散步吧。",
        ],
        ["菜店运来9吨大白菜，上午卖出400千克，下午全部卖完，下午卖出多少千克？"],
    ) == {0}
    assert Z.text_lang(ZH_LESSON) == "zh" and Z.text_lang(MATH_SOLUTION) == "en"
    assert (
        Z.text_lang("已知函数 $f(x)=\\frac{x^2+1}{x}$，求函数 $f(x)$ 在区间 $[1,2]$ 上的最大值和最小值。")
        == "zh"
    )

    pages = Z.lesson_pages(per_family=3, seed=0)
    assert len(pages) >= 10 and all(Z.text_lang(p) == "zh" for p in pages)
    assert all("例1" in p and "解：" in p for p in pages) and sum("$" in p for p in pages) > len(pages) / 2
