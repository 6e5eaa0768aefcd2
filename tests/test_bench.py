"""The benchmark registry on the real benchmark files: every set loads completely and its gold answers
grade as correct against themselves through the real grader; plus the error paths a user can hit."""

from __future__ import annotations

import json
import logging
import re
import sys
import types
from pathlib import Path

import pytest

from mathforge.bench import (
    BENCHMARKS,
    ENV_VAR,
    BenchmarkDataError,
    Problem,
    UnknownBenchmarkError,
    list_benchmarks,
    load_benchmark,
    load_benchmark_report,
    loaders,
)
from mathforge.bench.loaders import Ctx
from mathforge.bench.options import split_inline
from mathforge.bench.registry import MMLU_STEM_SUBJECTS
from mathforge.grade import GradeItem, grade_many
from mathforge.grade.extract import split_blanks

# the 23 shipped sets; "synth" is written on demand by `mathforge synth bench` (tested in test_synth.py)
REAL = {name: spec for name, spec in BENCHMARKS.items() if name != "synth"}
NAMES = sorted(REAL)


def _lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


@pytest.fixture(scope="module")
def loaded(bench_dir: Path) -> dict[tuple[str, str], object]:
    """Every split of every set, loaded once (the whole registry reads in well under a second)."""
    return {
        (name, split): load_benchmark_report(name, bench_dir, split)
        for name, spec in REAL.items()
        for split in spec.splits
    }


# --------------------------------------------------------------------------------- the 23 real sets


def test_registry_has_every_folder_of_the_data_dir(bench_dir: Path) -> None:
    folders = sorted(p.name for p in bench_dir.iterdir() if p.is_dir())
    assert len(REAL) == 23
    assert sorted(s.folder for s in REAL.values()) == folders


@pytest.mark.parametrize("name", NAMES)
def test_set_loads_completely(name: str, bench_dir: Path, loaded: dict) -> None:
    spec = BENCHMARKS[name]
    for split in spec.splits:
        path = bench_dir / spec.folder / f"{split}.jsonl"
        res = loaded[(name, split)]
        lines = _lines(path)
        assert lines == spec.records[split], (
            f"{path} changed: {lines} records, registry says {spec.records[split]}"
        )
        # every line is either a problem or a reported skip, and the only skips are the documented upstream ones
        assert len(res.problems) + len(res.skipped) == lines
        bad = sorted(line for s, line, _ in spec.known_bad if s == split)
        assert sorted(int(m.split(":")[-2]) for m in res.skipped) == bad, res.skipped
        assert all(m.startswith(f"{path}:") for m in res.skipped)
        ids = [p.id for p in res.problems]
        assert len(set(ids)) == len(ids), f"{name}/{split}: duplicate ids"
        for p in res.problems:
            assert isinstance(p, Problem) and p.benchmark == name and p.language == spec.language
            assert p.question.strip() and p.answer.strip(), p.id
            assert p.kind in spec.kinds, (p.id, p.kind)
            if p.kind == "choice":
                assert p.options and all(o.strip() for o in p.options), p.id
                assert set(p.answer) <= set("ABCDEFGH"[: len(p.options)]), (p.id, p.answer, p.options)
                assert "".join(sorted(set(p.answer))) == p.answer
                # the letter prefixes are gone: "(A)x" / "A)x" / "A. x" would show twice in a prompt
                assert not any(re.match(rf"\(?{'ABCDEFGH'[i]}[).]", o) for i, o in enumerate(p.options)), (
                    p.options
                )
            else:
                assert not p.options


def _self_output(p: Problem) -> str:
    if p.kind == "choice":
        return f"The answer is ({p.answer})."
    if p.kind == "cloze":
        return "So the blanks are " + ", ".join(f"$\\boxed{{{b}}}$" for b in split_blanks(p.answer)) + "."
    return f"So the final answer is $\\boxed{{{p.answer}}}$."


@pytest.mark.parametrize("name", NAMES)
def test_gold_grades_correct_through_the_grader(name: str, loaded: dict) -> None:
    problems = loaded[(name, "test")].problems
    results = grade_many(
        [GradeItem(p.answer, _self_output(p), p.grade_style, p.grade_kind) for p in problems], workers=2
    )
    wrong = [
        (p.id, p.answer, r.verdict, r.pred) for p, r in zip(problems, results, strict=True) if not r.correct
    ]
    rate = 1 - len(wrong) / len(problems)
    print(f"{name}: self-consistency {rate:.2%} of {len(problems)}")
    assert not wrong, wrong[:10]


@pytest.mark.parametrize(
    ("name", "style"), [("gsm8k", "gsm8k"), ("math", "auto"), ("math500", "auto"), ("minerva_math", "auto")]
)
def test_worked_solution_grades_as_its_gold(name: str, style: str, loaded: dict) -> None:
    """The gold really is the worked solution's final answer (the grader finds it there)."""
    problems = loaded[(name, "test")].problems
    results = grade_many([GradeItem(p.answer, p.solution or "", style, p.grade_kind) for p in problems])
    wrong = [(p.id, p.answer, r.pred) for p, r in zip(problems, results, strict=True) if not r.correct]
    assert not wrong, wrong[:10]


def test_math500_answer_field_agrees_with_boxed_solutions(loaded: dict) -> None:
    m500 = loaded[("math500", "test")].problems
    assert all(p.meta["boxed"] == p.answer for p in m500)
    # and with the full MATH test split, whose gold comes from the last \boxed{} (same unique_id)
    math = {p.id: p for p in loaded[("math", "test")].problems}
    pairs = [(p, math[p.id]) for p in m500]
    results = grade_many([GradeItem(a.answer, f"\\boxed{{{b.answer}}}") for a, b in pairs])
    assert all(r.correct for r in results)


def test_field_mapping_on_known_records(bench_dir: Path) -> None:
    first = {name: load_benchmark(name, bench_dir, limit=1)[0] for name in NAMES}
    gsm = first["gsm8k"]
    assert gsm.answer == "18" and gsm.solution and gsm.solution.endswith("#### 18") and gsm.kind == "number"
    assert (
        first["math"].answer == "2"
        and first["math"].subject == "Algebra"
        and first["math"].level == "Level 3"
    )
    assert first["asdiv"].answer == "9"  # "9 (apples)"
    assert first["asdiv"].question.startswith("Seven red apples") and first["asdiv"].question.endswith(
        "basket?"
    )
    assert first["svamp"].question.endswith("93 groups. How big is each group of bananas?")
    assert first["svamp"].answer == "145"
    assert first["amc23"].answer == "27"  # 27.0 in the file
    assert first["aqua"].options[0] == "5(√3 + 1)" and first["aqua"].answer == "A"
    assert first["gaokao_math_qa"].options[3] == "$\\{x \\mid 1 \\leq x<2\\}$"
    assert first["mmlu_stem"].answer == "C" and first["mmlu_stem"].subject == "college_biology"
    assert first["carp_en"].answer == "b ^ { 2 } - 9 a ^ { 2 }"
    assert first["sat_math"].options == ("$f(-6)=0$", "$f(6)=-6$", "$f(-6)=6$", "$f(0)=-6$")
    assert first["gaokao2024_I"].options == ("${-1, 0}$", "${2, 3}$", "${-3, -1, 0}$", "${-1, 0, 2}$")
    assert "A." not in first["gaokao2024_I"].question  # options were moved out of the question
    assert first["cn_middle_school"].options == ("-2", "0", "3", "-1/2")
    assert first["cmath"].language == "zh" and first["cmath"].answer == "9"

    qa = load_benchmark("gaokao_math_qa", bench_dir)
    multi = sorted(p.answer for p in qa if len(p.answer) > 1)
    assert multi == ["ABD", "AC", "AC", "ACD", "AD", "BCD", "CD"]  # upstream "A B D", "A C", "B C D", …

    cn = {p.meta["line"]: p for p in load_benchmark("cn_middle_school", bench_dir)}
    assert cn[45].kind == "choice" and cn[45].answer == "D"  # its 'answer' text upstream is mangled
    assert cn[45].meta["answer_text"].endswith("a^{10}3")
    assert cn[6].kind == "number" and cn[6].answer == "1/9"

    mix = load_benchmark("gaokao2024_mix", bench_dir)
    assert {p.kind for p in mix} == {"choice", "number", "expr"}

    ob = {p.id: p for p in load_benchmark("olympiadbench", bench_dir)}
    assert ob["1760"].answer == "\\angle B E A_{1}=90,\\angle A E B_{1}=90"
    assert ob["2253"].meta["unit"] == "minute"

    cloze = load_benchmark("gaokao_math_cloze", bench_dir, limit=2)
    assert cloze[1].kind == "cloze" and cloze[1].answer == "5;10"  # "$5$;$10$" upstream

    g24 = {p.meta["line"]: p for p in load_benchmark("gaokao2024_II", bench_dir)}
    assert g24[14].kind == "cloze" and g24[14].answer == "24;112"


def test_limit_takes_the_first_records_in_file_order(bench_dir: Path) -> None:
    full = load_benchmark("math500", bench_dir)
    assert load_benchmark("math500", bench_dir, limit=7) == full[:7]
    assert load_benchmark("math500", bench_dir, limit=0) == []
    assert len(load_benchmark("gsm8k", bench_dir, split="train", limit=3)) == 3


def test_list_benchmarks_counts_the_files(bench_dir: Path) -> None:
    infos = {i.name: i for i in list_benchmarks(bench_dir) if i.name in REAL}
    assert set(infos) == set(REAL)
    for name, info in infos.items():
        assert info.records == dict(BENCHMARKS[name].records)
        assert info.source == "local" and info.prompt_style in ("cot", "mcq", "cloze")
    assert infos["gsm8k"].hub_id == "openai/gsm8k" and infos["mmlu_stem"].prompt_style == "mcq"
    assert infos["gaokao_math_cloze"].prompt_style == "cloze" and infos["math"].prompt_style == "cot"


def test_env_var_is_the_fallback(bench_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(bench_dir))
    assert len(load_benchmark("aime24")) == 30


# ------------------------------------------------------------------------- errors a user can cause


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(UnknownBenchmarkError, match=r"'gsm8kk'.*did you mean 'gsm8k'"):
        load_benchmark("gsm8kk")
    with pytest.raises(UnknownBenchmarkError, match="'math500'"):
        load_benchmark("math_500")
    with pytest.raises(UnknownBenchmarkError, match="gaokao_math_qa"):
        load_benchmark("gaokao_mathqa")


def test_names_ignore_case_and_dashes(bench_dir: Path) -> None:
    assert load_benchmark("MMLU-STEM", bench_dir, limit=1)[0].benchmark == "mmlu_stem"


def test_missing_data_dir_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    # no hard-coded fallback: without a directory and without the env var nothing is found
    with pytest.raises(BenchmarkDataError) as exc:
        load_benchmark("gsm8k")
    msg = str(exc.value)
    assert "\n" not in msg and "--data-dir" in msg and ENV_VAR in msg

    with pytest.raises(BenchmarkDataError, match=r"nope.*--data-dir"):
        load_benchmark("gsm8k", data_dir=tmp_path / "nope")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "gone"))
    with pytest.raises(BenchmarkDataError, match=f"{ENV_VAR}.*gone"):
        load_benchmark("gsm8k")
    # the directory exists but lacks the set: the message names the file it wanted
    with pytest.raises(BenchmarkDataError, match=r"gsm8k/test\.jsonl not found.*source='hub'"):
        load_benchmark("gsm8k", data_dir=tmp_path)
    # listing works without data; an explicit bad directory is still an error
    infos = {i.name: i for i in list_benchmarks()}
    assert infos["gsm8k"].source == "hub" and infos["sat_math"].source == "missing"
    assert infos["gsm8k"].records == {"test": None, "train": None}
    with pytest.raises(BenchmarkDataError):
        list_benchmarks(tmp_path / "nope")


def test_malformed_lines_are_skipped_and_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "gsm8k"
    folder.mkdir()
    good = [json.dumps({"question": f"q{i}", "answer": f"work\n#### {i},000"}) for i in range(3)]
    lines = [
        good[0].encode(),
        b'{"question": "broken", "answer": ',  # 2: bad JSON
        good[1].encode(),
        json.dumps({"question": "no answer"}).encode(),  # 4: missing field
        b"[1, 2]",  # 5: not an object
        b"",  # 6: blank, not a record
        json.dumps({"question": "q", "answer": "no final"}).encode(),  # 7: no '####'
        b'{"question": "\xff\xfe", "answer": "#### 1"}',  # 8: not UTF-8
        good[2].encode(),
    ]
    path = folder / "test.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    res = load_benchmark_report("gsm8k", tmp_path)
    assert [p.answer for p in res.problems] == ["0000", "1000", "2000"]
    assert [p.meta["line"] for p in res.problems] == [1, 3, 9]
    assert [m.split(": ", 1)[0] for m in res.skipped] == [f"{path}:{n}" for n in (2, 4, 5, 7, 8)]
    assert "bad JSON" in res.skipped[0] and "missing field 'answer'" in res.skipped[1]
    assert "not a JSON object" in res.skipped[2] and "####" in res.skipped[3] and "UTF-8" in res.skipped[4]

    with caplog.at_level(logging.WARNING, logger="mathforge.bench"):
        problems = load_benchmark("gsm8k", tmp_path)
    assert len(problems) == 3
    assert "skipped 5 malformed record(s)" in caplog.text and f"{path}:2" in caplog.text


def test_missing_split_names_what_is_there(bench_dir: Path) -> None:
    with pytest.raises(BenchmarkDataError, match=r"svamp/train\.jsonl not found \(present: test\)"):
        load_benchmark("svamp", bench_dir, split="train")


# ---------------------------------------------------------------------------------------------- hub


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """A stand-in ``datasets`` module: records calls and serves canned rows, so no network is touched."""
    hub = types.SimpleNamespace(calls=[], rows={})

    def load_dataset(repo, config=None, split=None):
        hub.calls.append((repo, config, split))
        if repo not in hub.rows:
            raise ConnectionError(
                f"Couldn't reach '{repo}' on the Hub (LocalEntryNotFoundError)\nmore detail"
            )
        return hub.rows[repo](config)

    module = types.ModuleType("datasets")
    module.load_dataset = load_dataset  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "datasets", module)
    return hub


def test_hub_needs_allow_network(fake_hub: types.SimpleNamespace) -> None:
    with pytest.raises(BenchmarkDataError, match=r"openai/gsm8k.*allow_network=True") as exc:
        load_benchmark("gsm8k", source="hub")
    assert "\n" not in str(exc.value)
    assert fake_hub.calls == []  # nothing was asked of the hub


def test_hub_without_datasets_or_mirror_or_network(
    fake_hub: types.SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(BenchmarkDataError, match="no Hugging Face Hub mirror"):
        load_benchmark("sat_math", source="hub", allow_network=True)
    with pytest.raises(
        BenchmarkDataError, match=r"cannot load openai/gsm8k \(main\) split 'test'.*ConnectionError"
    ) as exc:
        load_benchmark("gsm8k", source="hub", allow_network=True)
    assert "\n" not in str(exc.value)
    monkeypatch.setitem(sys.modules, "datasets", None)  # not installed
    with pytest.raises(BenchmarkDataError, match="pip install datasets"):
        load_benchmark("gsm8k", source="hub", allow_network=True)


def test_hub_rows_go_through_the_same_converters(fake_hub: types.SimpleNamespace) -> None:
    rows = fake_hub.rows
    rows["cais/mmlu"] = lambda config: (
        [{"question": "2+2?", "subject": config, "choices": ["3", "4", "5", "6"], "answer": 1}]
        if config == "abstract_algebra"
        else []
    )
    rows["hails/agieval-gaokao-mathqa"] = lambda config: [
        {
            "query": "问题：1+1=? 选项：(A)1 (B)2 (C)3 (D)4\n答案：从A到D, 我们应选择",
            "choices": ["(A)1", "(B)2", "(C)3", "(D)4"],
            "gold": [1],
        },
        {"query": "问题：坏的", "choices": ["(A)1"], "gold": []},  # no gold: skipped, reported
    ]
    mmlu = load_benchmark("mmlu_stem", source="hub", allow_network=True)
    assert [(p.question, p.answer, p.options, p.subject) for p in mmlu] == [
        ("2+2?", "B", ("3", "4", "5", "6"), "abstract_algebra")
    ]
    assert [c[1] for c in fake_hub.calls] == list(MMLU_STEM_SUBJECTS)  # every STEM subject, test split
    assert {c[2] for c in fake_hub.calls} == {"test"}

    res = load_benchmark_report("gaokao_math_qa", source="hub", allow_network=True)
    assert [(p.question, p.answer, p.options) for p in res.problems] == [("1+1=?", "B", ("1", "2", "3", "4"))]
    assert res.skipped == ["hub:hails/agieval-gaokao-mathqa[test]:2: missing field 'label'"]


# ------------------------------------------------------------------------------ converter details


def test_repr_string_fields_are_parsed() -> None:
    ctx = Ctx("aqua", "test", 1, "en")
    p = loaders.aqua(
        {"question": "q", "options": "['A)5', 'B)6', 'C)7']", "correct": "B", "rationale": "r"}, ctx
    )
    assert p.options == ("5", "6", "7") and p.answer == "B"
    ob = loaders.olympiadbench(
        {"id": 1, "question": "q", "context": "None", "final_answer": "['$2$', '$3$']", "solution": ["s"]},
        Ctx("olympiadbench", "test", 1, "en"),
    )
    assert ob.answer == "2, 3" and ob.question == "q"
    with_context = loaders.olympiadbench(
        {"id": 2, "question": "Find x.", "context": "Let x=1.", "final_answer": ["1"]},
        Ctx("olympiadbench", "test", 2, "en"),
    )
    assert with_context.question == "Let x=1.\n\nFind x."


def test_choice_gold_outside_the_options_is_refused() -> None:
    from mathforge.bench.errors import RecordError

    with pytest.raises(RecordError, match="not among the 2 options"):
        loaders.aqua(
            {"question": "q", "options": ["A)1", "B)2"], "correct": "C"}, Ctx("aqua", "test", 1, "en")
        )


@pytest.mark.parametrize(
    ("text", "stem", "options"),
    [
        ("Pick one A. 1 B. 2 C. 3 D. 4", "Pick one", ("1", "2", "3", "4")),
        ("设 P(A)=0.5 (\\quad)\nA.0.5  B.1  C. 2  D.  3", "设 P(A)=0.5 (\\quad)", ("0.5", "1", "2", "3")),
        ("则 A. x<1 B. x>1 C \\log x D. x=0", "则", ("x<1", "x>1", "\\log x", "x=0")),  # a missing dot
        (
            "A) $f(-6)=0$ B) Exactly one C) 10 D) -10 and 10",
            "",
            ("$f(-6)=0$", "Exactly one", "10", "-10 and 10"),
        ),
    ],
)
def test_inline_options(text: str, stem: str, options: tuple[str, ...]) -> None:
    assert split_inline(text) == (stem, options)


def test_inline_options_absent() -> None:
    assert split_inline("计算 1+1 的值") is None
