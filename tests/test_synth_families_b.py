"""Batch-B generator families (sequences, number theory, counting/probability, geometry formulas,
function values, calculus): every drawn item passes its independent check, boxes its gold answer, is
written in the requested language, the questions vary, the program prints the answer, and a corrupted
answer is rejected."""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
from dataclasses import replace

import pytest

from mathforge.grade import extract_answer, grade_many
from mathforge.synth.base import LANGS, LEVELS, Draft, Family
from mathforge.synth.families import FAMILIES
from mathforge.synth.families.batch_b import FAMILIES as BATCH_B

NAMES = [f.name for f in BATCH_B]
N = 510  # draws per family: 85 per (language, level)
CODE_EVERY = 7  # coprime to the 6-cycle of (language, level): the sample covers every combination
CODE_SAMPLE = 60
CORRUPT_SAMPLE = 90
CJK = re.compile(r"[\u4e00-\u9fff]")


def _setting(i: int) -> tuple[str, int]:
    return LANGS[i % 2], LEVELS[(i // 2) % 3]


def _draw(fam: Family, i: int, seed: int = 0) -> Draft:
    lang, level = _setting(i)
    return fam.make(random.Random(f"{seed}:{fam.name}:{i}"), lang, level)


@pytest.fixture(scope="module")
def drawn() -> dict[str, list[Draft]]:
    return {fam.name: [_draw(fam, i) for i in range(N)] for fam in BATCH_B}


def _family(name: str) -> Family:
    return next(f for f in BATCH_B if f.name == name)


def _boxed(text: str) -> str:
    return f"\\boxed{{{text}}}"


def test_families_are_registered():
    assert NAMES == [
        "sequences",
        "number_theory",
        "counting_probability",
        "geometry_formulas",
        "function_values",
        "calculus",
    ]
    for fam in BATCH_B:
        assert FAMILIES[fam.name] is fam
        assert fam.description


@pytest.mark.parametrize("name", NAMES)
def test_every_item_checks_and_boxes_its_answer(drawn, name):
    fam, items = _family(name), drawn[name]
    failed = [(i, d.question, d.answer) for i, d in enumerate(items) if not fam.check(d)]
    assert not failed, f"{len(failed)} items fail their check, e.g. {failed[:3]}"

    extracted = [extract_answer(d.cot).answer for d in items]
    assert all(e is not None for e in extracted)
    results = grade_many([(d.answer, _boxed(e)) for d, e in zip(items, extracted, strict=True)], workers=2)
    wrong = [
        (d.answer, e, r.reason) for d, e, r in zip(items, extracted, results, strict=True) if not r.correct
    ]
    assert not wrong, f"boxed answer in the cot differs from the gold: {wrong[:3]}"
    for d in items:
        assert d.cot.rstrip().endswith(("$.", "$。")), d.cot
        assert d.kind in ("number", "expr")
        assert d.answer and "\\boxed" not in d.answer


@pytest.mark.parametrize("name", NAMES)
def test_languages_levels_and_variety(drawn, name):
    items = drawn[name]
    for i, d in enumerate(items):
        lang, _ = _setting(i)
        if lang == "zh":
            assert CJK.search(d.question) and CJK.search(d.cot), d.question
        else:
            assert not CJK.search(d.question) and not CJK.search(d.cot), d.question
    distinct = len({d.question for d in items}) / len(items)
    assert distinct >= 0.9, f"only {distinct:.1%} distinct questions"
    # both languages and all levels produce several sub-types of problem
    for lang in LANGS:
        for level in LEVELS:
            kinds = {d.data["type"] for i, d in enumerate(items) if _setting(i) == (lang, level)}
            assert len(kinds) >= 2, (lang, level, kinds)


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_and_json_data(drawn, name):
    fam, items = _family(name), drawn[name]
    for i in range(0, N, 17):
        assert _draw(fam, i) == items[i]  # same seed, same item
    for d in items[:120]:
        restored = replace(d, data=json.loads(json.dumps(d.data)))  # as stored in a JSONL file
        assert fam.check(restored)


@pytest.mark.parametrize("name", NAMES)
def test_code_prints_the_answer(drawn, name):
    sample = drawn[name][::CODE_EVERY][:CODE_SAMPLE]
    assert len(sample) >= 50
    outputs = []
    for d in sample:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(d.code, "<synth>", "exec"), {"__name__": "__main__"})
        out = buf.getvalue().strip()
        assert out, d.code
        outputs.append(out)
    # graded boxed, and bare as the pipeline does (the last printed line)
    pairs = [(d.answer, _boxed(o)) for d, o in zip(sample, outputs, strict=True)]
    pairs += [(d.answer, o.splitlines()[-1]) for d, o in zip(sample, outputs, strict=True)]
    results = grade_many(pairs, workers=2)
    wrong = [(gold, out, r.reason) for (gold, out), r in zip(pairs, results, strict=True) if not r.correct]
    assert not wrong, f"program output differs from the gold: {wrong[:3]}"


def _bump_first_integer(answer: str) -> str:
    """Change one coefficient (or exponent, or radicand): the first integer in the answer, plus one."""
    return re.sub(r"\d+", lambda m: str(int(m.group()) + 1), answer, count=1)


@pytest.mark.parametrize("name", NAMES)
def test_check_rejects_corrupted_answers(drawn, name):
    fam = _family(name)
    sample = drawn[name][: CORRUPT_SAMPLE * 3 : 3]
    for d in sample:
        corrupted = [f"{d.answer} + 1", _bump_first_integer(d.answer)]
        if d.kind == "expr":
            corrupted.append(f"2\\left({d.answer}\\right)")
        for bad in corrupted:
            assert bad != d.answer
            assert not fam.check(replace(d, answer=bad)), (d.question, d.answer, bad)
