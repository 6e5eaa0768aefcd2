"""Decontamination removes what is contaminated and keeps what is not, on real benchmark items: GSM8K
calculator notes, short generic questions, shared drawing code, LaTeX rewritten as plain text, and the
index cached on disk."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from mathforge.bench import load_benchmark
from mathforge.corpus.decontam import Decontaminator, tokens

CLEAN = (
    "Our club met on Tuesday to plan the spring fair. Volunteers will staff the bake sale, the book "
    "swap and the plant stall; anyone who can lend a folding table should tell the secretary.\n"
)
_ANNOTATION = re.compile(r"<<[^>]*>>")


@pytest.fixture(scope="module")
def gsm8k_dec(bench_dir):
    return Decontaminator.from_benchmarks(str(bench_dir), ["gsm8k"], cache_dir=None)


def _flagged(dec: Decontaminator, texts: list[str]) -> list[int]:
    return [
        i for k in range(0, len(texts), 64) for i, h in enumerate(dec.check_many(texts[k : k + 64]), k) if h
    ]


def test_gsm8k_train_against_test_flags_only_genuine_near_duplicates(bench_dir, gsm8k_dec):
    """Calculator notes (<<3*2=6>>) made ~9% of GSM8K train look contaminated; without them only the
    handful of real near-copies of test problems remain."""
    train = load_benchmark("gsm8k", bench_dir, split="train")
    flagged = _flagged(gsm8k_dec, [f"{p.question}\n{p.solution}" for p in train])
    assert len(flagged) <= 0.002 * len(train), [train[i].id for i in flagged[:10]]
    # the one pair everyone finds: the same stamp-collection problem in train and test
    assert any(train[i].id == "train-21" for i in flagged)


def test_a_test_solution_written_without_its_calculator_notes_is_caught(bench_dir, gsm8k_dec):
    test = load_benchmark("gsm8k", bench_dir)[:300]
    docs = [CLEAN + _ANNOTATION.sub("", p.solution) + "\n" + CLEAN for p in test]
    caught = sum(
        any(h.item_id == p.id for h in hits) for p, hits in zip(test, gsm8k_dec.check_many(docs), strict=True)
    )
    assert caught >= 0.99 * len(test), caught
    # and with them: the annotated copy is caught too
    annotated = [CLEAN + p.solution + "\n" + CLEAN for p in test]
    assert len(_flagged(gsm8k_dec, annotated)) >= 0.99 * len(test)


@pytest.fixture(scope="module")
def mmlu(bench_dir):
    return load_benchmark("mmlu_stem", bench_dir)


@pytest.fixture(scope="module")
def mmlu_dec(bench_dir):
    return Decontaminator.from_benchmarks(str(bench_dir), ["mmlu_stem"], cache_dir=None)


def test_short_generic_questions_do_not_flag_ordinary_text(mmlu, mmlu_dec):
    """A quarter of MMLU-STEM stems are under 13 tokens ("Which of the following is true?"): alone they
    are ordinary sentences, not evidence."""
    generic = [p for p in mmlu if len(tokens(p.question)) < 13 and not re.search(r"[\d+=*<>^]", p.question)]
    assert len(generic) > 100
    docs = [CLEAN + p.question + "\n" + CLEAN for p in generic]
    flagged = _flagged(mmlu_dec, docs)
    assert not flagged, [generic[i].question for i in flagged[:5]]


def test_short_questions_count_with_their_options(mmlu, mmlu_dec):
    short = [p for p in mmlu if len(tokens(p.question)) < 13][:300]
    docs = [
        CLEAN + p.question + "".join(f"\n{'ABCD'[i]}) {o}" for i, o in enumerate(p.options)) + "\n" + CLEAN
        for p in short
    ]
    hits = mmlu_dec.check_many(docs)
    caught = sum(any(h.item_id == p.id for h in hs) for p, hs in zip(short, hits, strict=True))
    assert caught >= 0.98 * len(short), caught


def test_shared_drawing_code_is_not_evidence(bench_dir):
    """MATH problems share Asymptote boilerplate: a page holding one problem's drawing code but another
    text is not a copy of that problem."""
    from mathforge.corpus.decontam_text import decontam_text

    math = load_benchmark("math", bench_dir)
    dec = Decontaminator.from_benchmarks(str(bench_dir), ["math"], cache_dir=None)
    with_asy = [p for p in math if "[asy]" in p.question]
    assert len(with_asy) > 200
    docs = [
        CLEAN + re.search(r"\[asy\].*?\[/asy\]", p.question, re.S).group(0) + "\n" + CLEAN for p in with_asy
    ]
    flagged = _flagged(dec, docs)
    assert not flagged, [with_asy[i].id for i in flagged[:5]]
    # the problems themselves are still caught — all but those whose words, without the figure, are a
    # generic question ("What is the value of $x$ in the diagram?"): the rule for short items applies
    whole = dec.check_many([CLEAN + p.question + "\n" + CLEAN for p in with_asy])
    missed = [p for p, hs in zip(with_asy, whole, strict=True) if not any(h.item_id == p.id for h in hs)]
    assert len(missed) <= 0.1 * len(with_asy)
    assert all(len(tokens(decontam_text(p.question))) < 13 for p in missed), [p.id for p in missed]


def _plain(tex: str) -> str:
    """LaTeX as someone retyping it in plain text would write it (independent of the code under test)."""
    s = tex.replace("$", "").replace(r"\left", "").replace(r"\right", "")
    s = re.sub(r"(\d)\\frac", r"\1 \\frac", s)  # mixed numbers: 2\frac{3}{4} → 2 3/4
    s = re.sub(r"\\[dt]?frac\s*(\d)(\d)", r"\1/\2", s)
    for _ in range(4):
        s = re.sub(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: f"{_group(m[1])}/{_group(m[2])}", s)
    for a, b in (
        ("leq", "<="),
        ("le", "<="),
        ("geq", ">="),
        ("ge", ">="),
        ("cdot", "*"),
        ("times", "*"),
        ("div", "/"),
        ("sqrt", " sqrt "),
        ("pi", " pi "),
    ):
        s = re.sub(rf"\\{a}(?![a-zA-Z])", b, s)
    s = re.sub(r"\^\{([^{}]*)\}", r"^\1", s)
    s = re.sub(r"\\text\{([^{}]*)\}", r"\1", s)
    return s


def _group(x: str) -> str:
    return x if re.fullmatch(r"[\w.]+", x) else f"({x})"


def test_latex_items_retyped_as_plain_text_are_caught(bench_dir):
    math500 = load_benchmark("math500", bench_dir)
    dec = Decontaminator.from_benchmarks(str(bench_dir), ["math500"], cache_dir=None)
    dense = [p for p in math500 if re.search(r"\\(d?frac|le|ge|cdot|times)\b", p.question)]
    assert len(dense) > 60
    docs = [CLEAN + _plain(p.question) + "\n" + CLEAN for p in dense]
    assert all(_plain(p.question) != p.question for p in dense)
    hits = dec.check_many(docs)
    missed = [p.question for p, hs in zip(dense, hits, strict=True) if not any(h.item_id == p.id for h in hs)]
    assert len(missed) <= 0.02 * len(dense), missed[:5]


def test_the_index_is_built_once_and_rebuilt_when_a_benchmark_file_changes(bench_dir, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(bench_dir / "gsm8k", data / "gsm8k")
    cache = tmp_path / "cache"
    first = Decontaminator.from_benchmarks(str(data), ["gsm8k"], cache_dir=cache)
    assert len(list(cache.iterdir())) == 1
    problem = load_benchmark("gsm8k", data)[5]
    doc = CLEAN + problem.question + "\n" + CLEAN

    import mathforge.bench as bench

    def no_reading(*a, **k):
        raise AssertionError("the cached index should have been used")

    monkeypatch.setattr(bench, "load_benchmark", no_reading)
    again = Decontaminator.from_benchmarks(str(data), ["gsm8k"], cache_dir=cache)
    assert [h.item_id for h in again.check(doc)] == [h.item_id for h in first.check(doc)] == [problem.id]
    monkeypatch.undo()

    # edit one test question: the cached index no longer describes the files, so it is rebuilt
    path = data / "gsm8k" / "test.jsonl"
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    rows[5]["question"] = (
        "A farmer plants 17 rows of 23 cabbages each and sells a third of them at the market."
    )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    rebuilt = Decontaminator.from_benchmarks(str(data), ["gsm8k"], cache_dir=cache)
    assert len(list(cache.iterdir())) == 2
    assert rebuilt.check(doc) == [] and rebuilt.check(CLEAN + rows[5]["question"])


def test_a_damaged_cache_file_is_rebuilt_not_trusted(bench_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(bench_dir / "gsm8k", data / "gsm8k")
    cache = tmp_path / "cache"
    Decontaminator.from_benchmarks(str(data), ["gsm8k"], cache_dir=cache)
    (index,) = cache.iterdir()
    index.write_bytes(index.read_bytes()[:1000])
    dec = Decontaminator.from_benchmarks(str(data), ["gsm8k"], cache_dir=cache)
    assert dec.check(CLEAN + load_benchmark("gsm8k", data)[0].question)


def test_unknown_benchmark_name_is_an_error_not_silence(bench_dir):
    from mathforge.bench import UnknownBenchmarkError

    with pytest.raises(UnknownBenchmarkError):
        Decontaminator.from_benchmarks(str(bench_dir), ["gsm8kk"], cache_dir=None)


def test_plain_text_rules_agree_on_both_sides():
    from mathforge.corpus.decontam_text import decontam_text

    def same(a: str, b: str) -> bool:
        return tokens(decontam_text(a)) == tokens(decontam_text(b))

    assert same(r"$\frac{x+1}{2} \le 3 \cdot y$", "(x+1)/2 <= 3*y")
    assert same(r"$\dfrac{1}{\frac{2}{3}}$", "1/(2/3)")
    assert same(r"$x^{2} \geq 0$", "x^2 ≥ 0")
    assert same(r"$a \times b \div c \neq d$", "a × b ÷ c ≠ d")
    assert same("She sold 48/2 = <<48/2=24>>24 clips.", "She sold 48/2 = 24 clips.")
    assert not same(r"$\frac{1}{2} + 3$", "1/2 - 3")  # operators still tell problems apart
    assert not same(r"\leftarrow x", r"\left x")  # whole command names only
