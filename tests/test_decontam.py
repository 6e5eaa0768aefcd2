"""Decontamination recall and precision on real benchmark items, and `mathforge decontam`."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from mathforge.bench import load_benchmark
from mathforge.corpus.decontam import Decontaminator
from mathforge.synth import generate

SETS = ["gsm8k", "math500", "cmath", "gaokao_math_qa", "mmlu_stem"]


@pytest.fixture(scope="module")
def dec(bench_dir):
    return Decontaminator.from_benchmarks(str(bench_dir), SETS)


@pytest.fixture(scope="module")
def clean_docs():
    rep = generate(None, n=20, seed=11, execute=False)
    texts = [f"{i.question}\n{i.cot}" for i in rep.items]
    return ["\n\n".join(texts[k : k + 4]) for k in range(0, len(texts), 4)]


def _variants(text: str, rng: random.Random) -> list[str]:
    respaced = re.sub(r" ", lambda m: rng.choice(["  ", " ", "\n", " \t "]), text)
    repunct = re.sub(r"[,.;:?!，。？：；]", lambda m: rng.choice(["", " ,", ";", " . ", "!"]), text)
    return [text, respaced, repunct, repunct.upper()]


def test_planted_items_are_caught(bench_dir, dec, clean_docs):
    rng = random.Random(0)
    planted = caught = 0
    for name in SETS:
        for p in load_benchmark(name, bench_dir)[:60]:
            # a copied multiple-choice item brings its options, as a quiz page shows them
            text = p.question + "".join(f"\n({'ABCDEFGH'[i]}) {o}" for i, o in enumerate(p.options))
            for variant in _variants(text, rng):
                doc = rng.choice(clean_docs)
                cut = rng.randrange(len(doc))
                hits = dec.check(doc[:cut] + "\n" + variant + "\n" + doc[cut:])
                planted += 1
                caught += any(h.benchmark == name for h in hits)
    print(f"\nplanted {planted}, caught {caught} ({100 * caught / planted:.2f}%)")
    assert caught / planted >= 0.99


def test_clean_generated_text_is_not_flagged(dec, clean_docs):
    flagged = [d[:80] for d in clean_docs if dec.check(d)]
    assert not flagged, flagged


def test_cli_removes_contaminated_records_and_writes_a_ledger(bench_dir, tmp_path, clean_docs):
    from typer.testing import CliRunner

    from mathforge.cli.main import app

    gsm = load_benchmark("gsm8k", bench_dir, limit=3)
    rows = [
        {"messages": [{"role": "user", "content": d}, {"role": "assistant", "content": "ok"}]}
        for d in clean_docs[:5]
    ]
    rows += [{"question": p.question, "answer": p.answer} for p in gsm]
    src = tmp_path / "sft.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\nnot json\n")
    result = CliRunner().invoke(
        app, ["decontam", str(src), "--data-dir", str(bench_dir), "--bench", "gsm8k,math500"]
    )
    assert result.exit_code == 0, result.output
    assert "3 of 8 records removed" in result.output and "sft.jsonl:9: not valid JSON" in result.output
    clean = (tmp_path / "sft.clean.jsonl").read_text().splitlines()
    ledger = [json.loads(x) for x in (tmp_path / "sft.clean.ledger.jsonl").read_text().splitlines()]
    assert len(clean) == 5 and {r["benchmark"] for r in ledger} == {"gsm8k"} and len(ledger) == 3
    manifest = json.loads((tmp_path / "sft.clean.manifest.json").read_text())
    assert manifest["stage"] == "decontam" and manifest["summary"]["sft.jsonl"]["removed"] == 3
    read = {Path(i["path"]).name for i in manifest["inputs"]}
    assert "sft.jsonl" in read and "test.jsonl" in read  # the data and the benchmark files, with their hashes
    out = tmp_path / "clean"
    result = CliRunner().invoke(
        app, ["decontam", str(src), "--data-dir", str(bench_dir), "--bench", "gsm8k", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len((out / "sft.clean.jsonl").read_text().splitlines()) == 5 and (out / "manifest.json").is_file()


def test_no_flags_on_a_large_clean_set(dec, web_data):
    """200 generated worked problems (en + zh) and every real LaTeX book chapter: nothing is flagged."""
    rep = generate(None, n=200, seed=23, execute=False)
    texts = [f"{i.question}\n{i.cot}" for i in rep.items]
    texts += [
        p.read_text(encoding="utf-8", errors="replace") for p in sorted((web_data / "latex").glob("*.tex"))
    ]
    flagged = [(t[:60], dec.check(t)) for t in texts if dec.check(t)]
    assert not flagged, flagged


@pytest.mark.parametrize(
    "text",
    [
        "Hello, World! x^2+3x=10",
        "数学题：求 x 的值。答案是5",
        "ＡＢＣ１２３ full width ①②",
        "İstanbul naïve café ﬁne",
        "",
        "...",
        "a" * 300 + " b",
        "中文English混合123abc数字",
        "emoji 😀 and surrogate \ud800 text",
        "x^2+3x-4=0, ＋ and − and ⁺ a/b<c>d*e",
    ],
)
def test_vectorised_token_hashes_match_the_reference_tokens(text):
    from mathforge.corpus.decontam import token_hashes, tokens

    ref = tokens(text)
    hashes = token_hashes(text)
    assert len(hashes) == len(ref)
    # equal tokens hash equally, different tokens differently
    by_token: dict[str, int] = {}
    for t, h in zip(ref, hashes.tolist(), strict=True):
        assert by_token.setdefault(t, h) == h
    assert len(set(by_token.values())) == len(by_token)
