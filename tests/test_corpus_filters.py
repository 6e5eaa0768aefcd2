"""Quality filters keep mathematics (real LaTeX books, real MATH solutions) and drop web junk; language id
keeps English and Chinese math and drops other languages, without a download."""

from __future__ import annotations

import json

import pytest

from mathforge.corpus.document import Document
from mathforge.corpus.filters import FilterConfig, filter_step, quality_reason, split_prose
from mathforge.corpus.langid import detect, langid_step

TAGS = ["love", "style", "summer", "food", "travel", "photo", "happy", "beach", "city", "music"]
PROSE = (
    "The mean value theorem says that if a function is continuous on a closed interval and differentiable "
    "on the open interval, then there is a point where the derivative equals the slope of the secant line. "
)


def test_real_latex_books_pass_every_rule(web_data):
    cfg = FilterConfig()
    files = sorted((web_data / "latex").glob("*.tex"))
    assert len(files) >= 10
    failed = {
        p.name: quality_reason(p.read_text(encoding="utf-8", errors="replace"), cfg, "en") for p in files
    }
    assert {k: v for k, v in failed.items() if v} == {}


def test_real_math_solutions_mostly_pass(bench_dir):
    cfg = FilterConfig(min_words=10)
    lines = (bench_dir / "math" / "test.jsonl").read_text().splitlines()[:1000]
    texts = [(r["problem"] + "\n\n" + r["solution"]) for r in map(json.loads, lines)]
    failed = [quality_reason(t, cfg, "en") for t in texts]
    assert sum(bool(f) for f in failed) / len(texts) < 0.03


def test_curly_braces_and_formula_heavy_text_are_not_junk():
    heavy = (
        "Let $f$ be given.\n" + "$$\\sum_{k=1}^{n} \\binom{n}{k} x^{k} = (1+x)^{n} - 1$$\n" * 3 + PROSE * 2
    )
    assert quality_reason(heavy, FilterConfig(), "en") == ""
    prose, math_chars = split_prose(heavy)
    assert "\\binom" not in prose and math_chars > 100


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Home | About | Contact | Login\n" * 60, "dup_lines"),
        ("buy cheap watches online " * 80, "top_2gram"),
        ("short page", "too_short"),
        ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20, "lorem_ipsum"),
        ("\n".join(f"• item {i} on sale today for you and the family" for i in range(80)), "bullet_lines"),
        (" ".join(f"#{a}{b}" for a in TAGS for b in TAGS) + " " + PROSE, "symbol_ratio"),
        (
            "\n".join(f"Read more about story number {i} in the archive of this site..." for i in range(60)),
            "ellipsis_lines",
        ),
    ],
)
def test_junk_is_dropped_with_the_rule_named(text, rule):
    assert quality_reason(text, FilterConfig(), "en").startswith(rule)


def test_filter_step_records_reason_and_sizes():
    docs = [Document("a", PROSE * 3, "a.txt"), Document("b", "too short", "b.txt")]
    filter_step(docs)
    assert docs[0].alive and docs[0].sizes["filter"] == len((PROSE * 3).encode())
    assert docs[1].dropped == "filter" and docs[1].reason.startswith("too_short") and docs[1].text == ""


def test_language_id_is_offline_and_ignores_formulas():
    assert detect(PROSE)[0] == "en"
    assert detect("已知函数 $f(x)=x^2-2x$，求 $f(x)$ 在区间 $[0,3]$ 上的最大值和最小值。")[0] == "zh"
    assert (
        detect("Soit $f$ une fonction continue sur l'intervalle fermé, alors elle atteint ses bornes.")[0]
        == "fr"
    )
    assert detect("$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$") == ("", 0.0)
    docs = [
        Document("en", PROSE, "en"),
        Document(
            "de",
            "Sei $f$ eine stetige Funktion auf dem abgeschlossenen Intervall, dann ist sie beschränkt.",
            "de",
        ),
        Document("m", "$$x^2+y^2=z^2$$", "m"),
    ]
    langid_step(docs, keep=("en", "zh"))
    assert docs[0].alive and docs[0].meta["lang"] == "en"
    assert docs[1].dropped == "langid" and docs[1].reason == "lang=de"
    assert docs[2].alive  # pure formulas have no language and are kept
