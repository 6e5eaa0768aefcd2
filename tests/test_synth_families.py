"""Every generator family, at every level, in both languages: one harness over all of ``FAMILIES``, so a
family is covered the moment it is registered (``small_sums``, behind the README's headline numbers,
included).

For each (family, level, language) cell, items drawn straight from ``make`` (not through ``generate``,
which would hide failures by filtering): every item has a question in its language, passes its family's
check (also after a JSON round trip, as stored), and its chain-of-thought ends by boxing the gold, which
the grader reads back as equal; its program, run in the sandbox, prints the answer; drawing is
deterministic for a seed; and the check rejects corrupted answers of the same shape. Tests that assert
something particular to one family are at the end.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import pkgutil
import random
import re
from fractions import Fraction

import pytest

import mathforge.synth.families as families_pkg
from mathforge.grade import extract_answer, grade_many, is_equiv
from mathforge.synth import FAMILIES, draw, generate
from mathforge.synth.base import LANGS, LEVELS, Draft, boxed

PER_CELL = 60  # drafts per (family, level, language)
CODE_PER_CELL = 12  # of which this many programs run in the sandbox
CORRUPT_PER_CELL = 20  # and this many get corrupted answers
CJK = re.compile(r"[\u4e00-\u9fff]")
NAMES = sorted(FAMILIES)
CELLS = [(name, level, lang) for name in NAMES for level in LEVELS for lang in LANGS]


def _id(cell: tuple[str, int, str]) -> str:
    return "-".join(map(str, cell))


@functools.cache
def drafts(name: str, level: int, lang: str) -> tuple[Draft, ...]:
    fam = FAMILIES[name]
    return tuple(
        fam.make(random.Random(f"harness:{name}:{level}:{lang}:{i}"), lang, level) for i in range(PER_CELL)
    )


def test_every_module_holds_one_family_named_for_it() -> None:
    """Files are named for what they hold: ``<family>.py`` holds exactly that family; ``_*.py`` helpers
    hold none; nothing else is registered."""
    found: dict[str, str] = {}
    for mod in pkgutil.iter_modules(families_pkg.__path__):
        module = importlib.import_module(f"{families_pkg.__name__}.{mod.name}")
        held = [f.name for f in getattr(module, "FAMILIES", ())]
        if mod.name.startswith("_"):
            assert held == [], f"helper module {mod.name} holds families {held}"
            continue
        assert held == [mod.name], f"{mod.name}.py holds {held}"
        found[held[0]] = mod.name
    assert set(found) == set(FAMILIES)
    for name, fam in FAMILIES.items():
        assert fam.name == name and fam.description


@pytest.mark.parametrize(("name", "level", "lang"), CELLS, ids=map(_id, CELLS))
def test_items_are_sound(name: str, level: int, lang: str) -> None:
    fam = FAMILIES[name]
    items = drafts(name, level, lang)
    for d in items:
        assert d.question.strip() and d.answer.strip() and "\\boxed" not in d.answer, d
        assert d.kind in ("number", "expr")
        assert d.cot.endswith(boxed(d.answer, lang)), (d.answer, d.cot[-120:])
        assert bool(CJK.search(d.question)) == (lang == "zh"), d.question
        assert bool(CJK.search(d.cot)) == (lang == "zh"), d.cot
    failed = [(d.question, d.answer) for d in items if not fam.check(d)]
    assert not failed, f"{len(failed)} of {len(items)} fail their family's check, e.g. {failed[:3]}"
    # stored items are JSON: the check must work from the round-tripped draft alone
    for d in items:
        stored = Draft(**json.loads(json.dumps(dataclasses.asdict(d))))
        assert stored.data == d.data and fam.check(stored), d.question
    # the worked solution's boxed answer, read back by the grader, equals the gold
    results = grade_many([(d.answer, d.cot, "boxed") for d in items], workers=2)
    wrong = [(d.answer, r.pred, r.reason) for d, r in zip(items, results, strict=True) if not r.correct]
    assert not wrong, wrong[:3]
    d = items[0]
    assert is_equiv(d.answer, extract_answer(d.cot, "boxed").answer or "")


@pytest.fixture(scope="module")
def sandbox_session():
    from mathforge.sandbox import Sandbox, SandboxConfig

    with Sandbox(SandboxConfig(timeout=20, cpu_seconds=600, warm=1)) as sb, sb.session() as session:
        yield session


@pytest.mark.parametrize(("name", "level", "lang"), CELLS, ids=map(_id, CELLS))
def test_programs_print_the_answer_in_the_sandbox(sandbox_session, name: str, level: int, lang: str) -> None:
    sample = drafts(name, level, lang)[:CODE_PER_CELL]
    outputs = [sandbox_session.run(f"exec({d.code!r}, {{'__name__': '__main__'}})") for d in sample]
    for d, out in zip(sample, outputs, strict=True):
        assert out.status == "ok" and out.stdout.strip(), (d.code, out.status, out.error)
    pairs = [(d.answer, out.stdout.strip().splitlines()[-1]) for d, out in zip(sample, outputs, strict=True)]
    results = grade_many(pairs, workers=2)
    wrong = [
        (gold, printed, r.reason) for (gold, printed), r in zip(pairs, results, strict=True) if not r.correct
    ]
    assert not wrong, f"the program prints something else than the gold: {wrong[:3]}"


@pytest.mark.parametrize(("name", "level", "lang"), CELLS, ids=map(_id, CELLS))
def test_deterministic_under_a_seed(name: str, level: int, lang: str) -> None:
    fam = FAMILIES[name]
    for i in range(0, PER_CELL, 7):
        again = fam.make(random.Random(f"harness:{name}:{level}:{lang}:{i}"), lang, level)
        assert again == drafts(name, level, lang)[i]
    assert draw(name, 3, 5, lang, level) == draw(name, 3, 5, lang, level)
    a = generate([name], n=4, seed=1, langs=[lang], levels=[level], execute=False).items
    b = generate([name], n=4, seed=1, langs=[lang], levels=[level], execute=False).items
    assert [x.to_dict() for x in a] == [x.to_dict() for x in b] and len(a) == 4


# level 1 of small_sums has only 100 one-digit sums per language, so some repeats are expected there
MIN_DISTINCT = {"small_sums": 0.8}


@pytest.mark.parametrize("name", NAMES)
def test_questions_vary(name: str) -> None:
    questions = [d.question for level in LEVELS for lang in LANGS for d in drafts(name, level, lang)]
    assert len(set(questions)) >= MIN_DISTINCT.get(name, 0.9) * len(questions)
    other_seed = generate([name], n=12, seed=2, execute=False).items
    this_seed = generate([name], n=12, seed=1, execute=False).items
    assert len({x.question for x in other_seed} & {x.question for x in this_seed}) <= 3


# ---------------------------------------------------------------------------------------------------------
# corrupted answers: written here from the answer's text alone, independently of the families' helpers

_NUM = re.compile(r"^(-?)(?:\\frac\{(\d+)\}\{(\d+)\}|(\d+(?:\.\d+)?))$")
_INEQ = re.compile(r"^x (<|>|\\le|\\ge) (.+)$")
_FLIP = {"<": ">", ">": "<", "\\le": "\\ge", "\\ge": "\\le"}
_STRICT = {"<": "\\le", "\\le": "<", ">": "\\ge", "\\ge": ">"}


def _num(s: str) -> Fraction | None:
    m = _NUM.match(s.strip())
    if not m:
        return None
    v = Fraction(int(m.group(2)), int(m.group(3))) if m.group(2) else Fraction(m.group(4))
    return -v if m.group(1) else v


def _render(v: Fraction, decimal: bool = False) -> str:
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
    if v is None:
        return []
    dec = "." in s
    return [
        _render(w, dec) for w in (v + 1, v - 1, v * 10 if v else Fraction(1, 2), -v if v else Fraction(-1))
    ]


def corruptions(answer: str) -> list[str]:
    """Wrong answers: of the same shape as ``answer`` where its shape is known (a number, a percentage,
    an inequality, an ordered pair, a pair of roots), and generic ones for any answer."""
    out = [
        "",
        "banana",
        f"{answer} + 1",
        f"2\\left({answer}\\right)",
        re.sub(r"\d+", lambda m: str(int(m.group()) + 1), answer, count=1),  # one coefficient changed
    ]
    m = _INEQ.match(answer)
    if answer.endswith("\\%"):
        out += [w + "\\%" for w in _number_variants(answer[:-2])]
    elif _num(answer) is not None:
        out += _number_variants(answer)
    elif m and _num(m.group(2)) is not None:
        op, b = m.group(1), m.group(2)
        bound = _num(b)
        assert bound is not None
        out += [
            f"x {_FLIP[op]} {b}",
            f"x {_STRICT[op]} {b}",
            f"x {op} {_render(bound + 1)}",
            f"x {op} {_render(bound - Fraction(1, 2))}",
        ]
    elif answer.startswith("(") and answer.endswith(")") and answer.count(", ") == 1:
        a, b = answer[1:-1].split(", ")
        out += [f"({a})", f"({b}, {a})" if a != b else f"({a}, {a}, {a})"]
        va, vb = _num(a), _num(b)
        if va is not None and vb is not None:
            out += [f"({_render(va + 1)}, {b})", f"({a}, {_render(vb - 1)})"]
    elif answer.count(", ") == 1:  # the two roots of a quadratic
        r1, r2 = answer.split(", ")
        out += [r1, f"{r1}, {r1}", f"{r2}, {r2}", f"{r1}, {r2}, 0"]
        v1, v2 = _num(r1), _num(r2)
        if v1 is not None and v2 is not None:
            out += [f"{_render(v1 + 1)}, {r2}", f"{r1}, {_render(v2 * 2 + 1)}"]
            if {-v1, -v2} != {v1, v2}:
                out.append(f"{_render(-v1)}, {_render(-v2)}")
        else:  # irrational: change the radicand
            out.append(re.sub(r"\\sqrt\{(\d+)\}", lambda m: f"\\sqrt{{{int(m.group(1)) + 1}}}", answer))
    return [w for w in dict.fromkeys(out) if w != answer]


@pytest.mark.parametrize(("name", "level", "lang"), CELLS, ids=map(_id, CELLS))
def test_check_rejects_corrupted_answers(name: str, level: int, lang: str) -> None:
    fam = FAMILIES[name]
    accepted, total = [], 0
    for d in drafts(name, level, lang)[:CORRUPT_PER_CELL]:
        wrong = corruptions(d.answer)
        assert len(wrong) >= 5, d.answer
        for w in wrong:
            total += 1
            if fam.check(dataclasses.replace(d, answer=w)):
                accepted.append((d.question, d.answer, w))
    assert total >= 5 * CORRUPT_PER_CELL
    assert not accepted, f"check accepted {len(accepted)} wrong answers, e.g. {accepted[:3]}"


# ---------------------------------------------------------------------------------------------------------
# behaviour particular to one family


def test_inequalities_teach_the_sign_flip() -> None:
    """Dividing by a negative coefficient reverses the inequality, and the solution says so, in both
    languages."""
    for lang, word in (("en", "reverses"), ("zh", "改变方向")):
        taught = [d for level in LEVELS for d in drafts("inequalities", level, lang) if word in d.cot]
        assert len(taught) > 20, lang


SUBTYPED = [
    "sequences",
    "number_theory",
    "counting_probability",
    "geometry_formulas",
    "function_values",
    "calculus",
]


@pytest.mark.parametrize("name", SUBTYPED)
def test_every_cell_mixes_kinds_of_problem(name: str) -> None:
    """These families pick among several kinds of problem (``data["type"]``); every language and level
    gets more than one."""
    for level in LEVELS:
        for lang in LANGS:
            kinds = {d.data["type"] for d in drafts(name, level, lang)}
            assert len(kinds) >= 2, (level, lang, kinds)


def test_small_sums_stay_small() -> None:
    """The tiny recipe's task: one-digit sums at level 1, differences from level 2, operands up to 99."""
    for level, top in ((1, 9), (2, 20), (3, 99)):
        ops = set()
        for lang in LANGS:
            for d in drafts("small_sums", level, lang):
                assert 0 <= d.data["a"] <= top and 0 <= d.data["b"] <= top
                ops.add(d.data["op"])
        assert ops == ({"+"} if level == 1 else {"+", "-"}), (level, ops)
