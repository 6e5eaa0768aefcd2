"""The six generator families of ``mathforge.synth.families.batch_a``.

For each family, 540 items (90 per language × level) are drawn from seeded generators, and every one must
pass its family's ``check``, box the gold answer in its chain-of-thought, be written in Chinese when it is
a Chinese item, and differ from the others; a sample's programs must print the gold answer. Each ``check``
must also reject corrupted answers (off by one, swapped pair, flipped inequality…), which shows that it
really verifies something.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import json
import random
import re
from fractions import Fraction

import pytest

from mathforge.grade import extract_answer, grade_many, is_equiv
from mathforge.synth.base import LANGS, LEVELS, Draft, boxed
from mathforge.synth.families import FAMILIES as REGISTRY
from mathforge.synth.families.batch_a import FAMILIES

SEED = 20250
N = 540  # per family: 90 for each (language, level) cell
CODE_EVERY = 9  # run the program of every 9th item: 60 per family
CJK = re.compile(r"[\u4e00-\u9fff]")
BY_NAME = {f.name: f for f in FAMILIES}
NAMES = sorted(BY_NAME)
EXPECTED = {
    "fractions_decimals_percent",
    "ratio_rate",
    "unit_conversion",
    "systems_of_two",
    "quadratics",
    "inequalities",
}


@functools.cache
def items(name: str) -> tuple[tuple[str, int, Draft], ...]:
    fam = BY_NAME[name]
    out = []
    for i in range(N):
        lang, level = LANGS[i % 2], LEVELS[(i // 2) % 3]
        out.append((lang, level, fam.make(random.Random(f"{SEED}:{name}:{i}"), lang, level)))
    return tuple(out)


def test_registered() -> None:
    assert set(NAMES) == EXPECTED
    for name in NAMES:
        assert REGISTRY[name] is BY_NAME[name]


@pytest.mark.parametrize("name", NAMES)
def test_deterministic(name: str) -> None:
    fam = BY_NAME[name]
    for i in range(30):
        lang, level = LANGS[i % 2], LEVELS[i % 3]
        a = fam.make(random.Random(f"det:{i}"), lang, level)
        b = fam.make(random.Random(f"det:{i}"), lang, level)
        assert a == b


@pytest.mark.parametrize("name", NAMES)
def test_every_item_checks(name: str) -> None:
    fam = BY_NAME[name]
    failures = []
    for lang, level, d in items(name):
        assert d.kind in ("number", "expr")
        assert d.cot.endswith(boxed(d.answer, lang))
        # stored items are JSON: check must work from the round-tripped draft alone
        stored = Draft(**json.loads(json.dumps(dataclasses.asdict(d))))
        assert stored.data == d.data
        if not (fam.check(d) and fam.check(stored)):
            failures.append((lang, level, d.question, d.answer))
    assert not failures, f"{len(failures)} items fail their check, e.g. {failures[:3]}"


@pytest.mark.parametrize("name", NAMES)
def test_cot_boxes_the_gold(name: str) -> None:
    for _, _, d in items(name):
        pred = extract_answer(d.cot).answer
        assert pred is not None and is_equiv(d.answer, pred), (d.answer, pred)


@pytest.mark.parametrize("name", NAMES)
def test_language(name: str) -> None:
    for lang, _, d in items(name):
        if lang == "zh":
            assert CJK.search(d.question) and CJK.search(d.cot), d.question
        else:
            assert not CJK.search(d.question) and not CJK.search(d.cot), d.question


@pytest.mark.parametrize("name", NAMES)
def test_questions_vary(name: str) -> None:
    drafts = [d for _, _, d in items(name)]
    assert len({d.question for d in drafts}) >= 0.9 * len(drafts)
    for lang in LANGS:  # and within every (language, level) cell
        for level in LEVELS:
            cell = [d.question for lg, lv, d in items(name) if (lg, lv) == (lang, level)]
            assert len(set(cell)) >= 0.85 * len(cell), (lang, level)


def _run(code: str) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(code, "<item>", "exec"), {"__name__": "__main__"})
    return buf.getvalue().strip()


@pytest.mark.parametrize("name", NAMES)
def test_code_prints_the_answer(name: str) -> None:
    sample = items(name)[::CODE_EVERY]
    assert len(sample) >= 50
    printed = [_run(d.code) for _, _, d in sample]
    results = grade_many(
        [(d.answer, f"\\boxed{{{out}}}") for (_, _, d), out in zip(sample, printed, strict=True)], workers=2
    )
    bad = [
        (d.answer, out, r.reason)
        for (_, _, d), out, r in zip(sample, printed, results, strict=True)
        if not r.correct
    ]
    assert not bad, bad[:5]


# ---------------------------------------------------------------------------------------------------------
# corrupted answers: written here from the answer's form alone, independently of the module's own helpers

_NUM = re.compile(r"^(-?)(?:\\frac\{(\d+)\}\{(\d+)\}|(\d+(?:\.\d+)?))$")


def _num(s: str) -> Fraction | None:
    m = _NUM.match(s.strip())
    if not m:
        return None
    v = Fraction(int(m.group(2)), int(m.group(3))) if m.group(2) else Fraction(m.group(4))
    return -v if m.group(1) else v


def _render(v: Fraction, decimal: bool) -> str:
    if v.denominator == 1:
        return str(v.numerator)
    if decimal:
        for k in range(1, 12):
            if (v * 10**k).denominator == 1:
                return f"{float(v):.{k}f}"
    sign = "-" if v < 0 else ""
    return f"{sign}\\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"


def _number_variants(s: str) -> list[str]:
    v = _num(s)
    assert v is not None, s
    dec = "." in s
    out = [v + 1, v - 1, v * 10 if v else Fraction(1, 2), -v if v else Fraction(-1)]
    return [_render(w, dec) for w in out]


_INEQ = re.compile(r"^x (<|>|\\le|\\ge) (.+)$")
_FLIP = {"<": ">", ">": "<", "\\le": "\\ge", "\\ge": "\\le"}
_STRICT = {"<": "\\le", "\\le": "<", ">": "\\ge", "\\ge": ">"}


def corruptions(answer: str) -> list[str]:
    """Wrong answers of the same shape as ``answer``."""
    out = ["", "banana"]
    if answer.endswith("\\%"):  # a percentage
        return out + [w + "\\%" for w in _number_variants(answer[:-2])]
    if _num(answer) is not None:
        return out + _number_variants(answer)
    m = _INEQ.match(answer)
    if m:
        op, b = m.group(1), m.group(2)
        bound = _num(b)
        assert bound is not None
        return [
            *out,
            f"x {_FLIP[op]} {b}",
            f"x {_STRICT[op]} {b}",
            f"x {op} {_render(bound + 1, False)}",
            f"x {op} {_render(bound - Fraction(1, 2), False)}",
        ]
    if answer.startswith("(") and answer.endswith(")"):  # an ordered pair
        a, b = answer[1:-1].split(", ")
        va, vb = _num(a), _num(b)
        assert va is not None and vb is not None
        out += [f"({_render(va + 1, False)}, {b})", f"({a}, {_render(vb - 1, False)})", f"({a})"]
        if va != vb:
            out.append(f"({b}, {a})")
        return out
    roots = answer.split(", ")  # two roots of a quadratic
    assert len(roots) == 2, answer
    r1, r2 = roots
    out += [r1, f"{r1}, {r1}", f"{r2}, {r2}", f"{r1}, {r2}, 0"]
    v1, v2 = _num(r1), _num(r2)
    if v1 is not None and v2 is not None:
        out += [f"{_render(v1 + 1, False)}, {r2}", f"{r1}, {_render(v2 * 2 + 1, False)}"]
        if {-v1, -v2} != {v1, v2}:
            out.append(f"{_render(-v1, False)}, {_render(-v2, False)}")
    else:  # irrational: change the radicand, or the sign of the rational part
        out.append(re.sub(r"\\sqrt\{(\d+)\}", lambda m: f"\\sqrt{{{int(m.group(1)) + 1}}}", answer))
        negated = re.sub(
            r"(^|\{|, )(-?)(\d+)(?=[+-])",
            lambda m: m.group(1) + ("" if m.group(2) else "-") + m.group(3),
            answer,
        )
        out.append(negated)  # the rational part's sign flipped (absent when it is 0: then filtered out below)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_check_rejects_corrupted_answers(name: str) -> None:
    fam = BY_NAME[name]
    accepted = []
    total = 0
    for _, _, d in items(name)[::2]:
        wrong = [w for w in corruptions(d.answer) if w != d.answer]
        assert len(wrong) >= 4
        for w in wrong:
            total += 1
            if fam.check(dataclasses.replace(d, answer=w)):
                accepted.append((d.question, d.answer, w))
    assert total >= 4 * N // 2
    assert not accepted, f"check accepted {len(accepted)} wrong answers, e.g. {accepted[:3]}"


def test_sign_flip_is_taught() -> None:
    """Dividing by a negative coefficient reverses the inequality, in both languages."""
    seen = {"en": 0, "zh": 0}
    for lang, _, d in items("inequalities"):
        if "reverses" in d.cot or "改变方向" in d.cot:
            seen[lang] += 1
    assert seen["en"] > 20 and seen["zh"] > 20
