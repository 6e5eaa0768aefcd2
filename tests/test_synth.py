"""Synthetic data: deterministic verified generation, the CLI, the evaluation set, decontamination of
generated items, and teacher synthesis against a fake server."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from evaldata import write_gsm8k
from fake_openai import FakeOpenAI
from typer.testing import CliRunner

from mathforge.cli.main import app
from mathforge.grade import is_equiv
from mathforge.synth import FAMILIES, draw, generate
from mathforge.synth.base import Draft, Family, boxed
from mathforge.synth.generate import question_key

runner = CliRunner()


def test_same_seed_same_items_new_seed_new_items():
    a = generate(["arithmetic", "linear_equations"], n=20, seed=5, execute=False)
    b = generate(["arithmetic", "linear_equations"], n=20, seed=5, execute=False)
    c = generate(["arithmetic", "linear_equations"], n=20, seed=6, execute=False)
    assert [i.question for i in a.items] == [i.question for i in b.items]
    assert len({i.question for i in a.items} & {i.question for i in c.items}) <= 2
    assert {i.language for i in a.items} == {"en", "zh"} and {i.level for i in a.items} == {1, 2, 3}


def test_repeated_questions_are_dropped():
    """small_sums has only 100 one-digit sums per language: asking for 150 must drop the repeats."""
    report = generate(["small_sums"], n=150, seed=0, langs=["en"], levels=[1], execute=False)
    keys = [question_key(i.question) for i in report.items]
    assert len(set(keys)) == len(keys) <= 100
    assert report.rejected["duplicate"] > 0


def _as_draft(item) -> Draft:
    return Draft(item.question, item.answer, item.cot, item.code, item.kind, item.meta["data"])


def _wrong(answer: str) -> str:
    """Another answer of the same form: the first integer in it plus one (or the answer plus one)."""
    bumped = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), answer, count=1)
    return bumped if bumped != answer else f"{answer} + 1"


def _same_answer(a: str, b: str) -> bool:
    return sorted(a.split(", ")) == sorted(b.split(", ")) or is_equiv(a, b)


def test_checks_recompute_the_answer_from_the_problem():
    """``generate`` emits only items whose check passed, so re-running the check on them proves nothing.
    Instead, every family's check must decide from the problem's data alone: it still accepts an item with
    the question, worked solution and program blanked out, and rejects a wrong answer and the answer of
    another problem of the same family."""
    report = generate(None, n=10, seed=3, execute=False)
    by_family: dict[str, list[Draft]] = {}
    for item in report.items:
        by_family.setdefault(item.family, []).append(_as_draft(item))
    assert set(by_family) == set(FAMILIES)
    swapped = 0
    for name, drafts in by_family.items():
        check = FAMILIES[name].check
        for d, other in zip(drafts, drafts[1:] + drafts[:1], strict=True):
            assert check(replace(d, question="", cot="", code="")), (name, d.question)
            assert not check(replace(d, answer=_wrong(d.answer))), (name, d.question, _wrong(d.answer))
            if not _same_answer(d.answer, other.answer):  # this answer, the other problem
                assert not check(replace(d, data=other.data)), (name, d.answer, other.question)
                swapped += 1
    assert swapped >= 8 * len(FAMILIES)


def test_a_program_that_prints_something_else_is_dropped(monkeypatch):
    """Running the program is a check too: an item whose program prints a wrong answer, or crashes, or
    prints nothing, is dropped; the others keep their program's real output."""
    from mathforge.synth import families

    fam = families.FAMILIES["arithmetic"]
    broken = ["print({answer} + 1)\n", "print(1 / 0)\n", "pass\n"]

    def make(rng, lang, level):
        d = fam.make(rng, lang, level)
        k = rng.randrange(4)  # drawn after make: the item itself is unchanged
        return replace(d, code=broken[k].format(answer=d.answer)) if k < 3 else d

    monkeypatch.setitem(families.FAMILIES, "arithmetic", Family(fam.name, fam.description, make, fam.check))
    report = generate(["arithmetic"], n=8, seed=0)
    assert 0 < len(report.items) == 8 - report.rejected["program output differs"] < 8
    for item in report.items:
        assert item.code_output.strip() == item.answer and "1 / 0" not in item.code


def test_a_solution_boxing_another_answer_is_dropped(monkeypatch):
    from mathforge.synth import families

    fam = families.FAMILIES["arithmetic"]

    def make(rng, lang, level):
        d = fam.make(rng, lang, level)
        if rng.random() < 0.5:  # the worked solution ends on a different answer than the gold
            d = replace(d, cot=d.cot.replace(f"{{{d.answer}}}", f"{{{int(d.answer) + 1}}}"))
        return d

    monkeypatch.setitem(families.FAMILIES, "arithmetic", Family(fam.name, fam.description, make, fam.check))
    report = generate(["arithmetic"], n=8, seed=0, execute=False)
    assert report.rejected["solution's boxed answer differs"] > 0
    for item in report.items:
        assert item.cot.endswith(boxed(item.answer, item.language))


def test_programs_run_in_the_sandbox_and_their_output_is_kept():
    report = generate(["arithmetic", "linear_equations"], n=8, seed=2)
    assert len(report.items) == 16
    for item in report.items:
        assert item.code_output is not None and item.code_output.strip()
        assert "```output" in item.tir_solution()
        assert item.tir_solution().endswith(boxed(item.answer, item.language))


def test_a_failing_check_is_never_emitted(monkeypatch):
    from mathforge.synth import families

    fam = families.FAMILIES["arithmetic"]
    monkeypatch.setitem(
        families.FAMILIES, "arithmetic", Family(fam.name, fam.description, fam.make, lambda d: False)
    )
    report = generate(["arithmetic"], n=5, seed=0, execute=False)
    assert report.items == [] and report.rejected["failed check"] > 0
    assert draw("arithmetic", 0, 0, "en", 1) is None


def test_generated_items_are_decontaminated(tmp_path):
    from mathforge.corpus.decontam import Decontaminator

    item = draw("order_of_operations", 9, 0, "en", 1)  # the first item generate() draws for seed 9
    dec = Decontaminator()
    dec.add("fakebench", "1", "question", item.question.replace("$", " "))  # re-punctuated copy
    report = generate(["order_of_operations"], n=5, seed=9, execute=False, decontaminator=dec)
    assert report.contaminated and report.contaminated[0][1] == "fakebench/1"
    assert item.question not in {i.question for i in report.items} and len(report.items) == 5


def test_cli_generate_writes_items_sft_and_manifest(tmp_path):
    out = tmp_path / "train"
    result = runner.invoke(
        app,
        [
            "synth",
            "generate",
            "--out",
            str(out),
            "--families",
            "arithmetic,linear_equations",
            "--n",
            "6",
            "--seed",
            "1",
            "--no-decontaminate",
        ],
    )
    assert result.exit_code == 0, result.output
    items = [json.loads(x) for x in (out / "items.jsonl").read_text().splitlines()]
    sft = [json.loads(x) for x in (out / "sft.jsonl").read_text().splitlines()]
    assert len(items) == 12 and len(sft) == 24  # a chain-of-thought and a tool-integrated chat per item
    assert sft[0]["messages"][-1]["role"] == "assistant"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["summary"]["counts"]["by_family"] == {"arithmetic": 6, "linear_equations": 6}
    bad = runner.invoke(app, ["synth", "generate", "--out", str(out), "--families", "trig"])
    assert bad.exit_code == 2 and "unknown family 'trig'" in bad.output


def test_synth_bench_is_evaluated_like_any_benchmark(tmp_path):
    from mathforge.evaluate import EvalConfig, run_eval
    from mathforge.infer import BackendSpec

    data = tmp_path / "data"
    result = runner.invoke(
        app, ["synth", "bench", "--out", str(data), "--families", "arithmetic", "--n", "6", "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in (data / "synth" / "test.jsonl").read_text().splitlines()]
    answers = {r["question"]: r["answer"] for r in rows}

    def oracle(text: str) -> str:  # a perfect model: looks the answer up
        for q, a in answers.items():
            if q in text:
                return f"Easy. $\\boxed{{{a}}}$"
        return "?"

    with FakeOpenAI(oracle) as srv:
        spec = BackendSpec(backend="openai", model="oracle", api_base=srv.url)
        res = run_eval(
            EvalConfig(
                model="oracle",
                backend="openai",
                benchmarks=["synth"],
                data_dir=str(data),
                out=str(tmp_path / "run"),
                backend_spec=spec,
            )
        )
    m = res.metrics["benchmarks"]["synth"]
    assert m["items"] == 6 and m["accuracy"] == 1.0 and set(m["by_language"]) == {"en", "zh"}


def _replies(text: str) -> list[str]:
    nums = re.findall(r"(\d+) plus (\d+)", text)
    if not nums:
        return ["?"]
    total = sum(int(x) for x in nums[-1])
    return [
        f"Adding gives $\\boxed{{{total}}}$.",
        f"I think it is $\\boxed{{{total + 1}}}$.",
        "I am not sure how to do this.",
        f"So the sum is {total}. The answer is {total}.",
    ]


@pytest.fixture
def seed_data(tmp_path):
    items = [(f"What is {a} plus {a + 2}?", 2 * a + 2) for a in range(1, 6)]
    return write_gsm8k(tmp_path / "seed", items), items


def test_teacher_keeps_only_right_solutions(tmp_path, seed_data):
    data, _items = seed_data
    with FakeOpenAI(_replies, faults={"5 plus 7": "500:99"}) as srv:
        result = runner.invoke(
            app,
            [
                "synth",
                "teach",
                "--model",
                "teacher",
                "--api-base",
                srv.url,
                "--bench",
                "gsm8k",
                "--split",
                "test",
                "--data-dir",
                str(data),
                "--k",
                "4",
                "--out",
                str(tmp_path / "t"),
                "--max-retries",
                "1",
            ],
        )
    assert result.exit_code == 0, result.output
    sft = [json.loads(x) for x in (tmp_path / "t" / "sft.jsonl").read_text().splitlines()]
    stats = json.loads((tmp_path / "t" / "stats.json").read_text())["summary"]
    # 4 problems answered (2 right of 4 each), 1 problem whose requests all failed
    assert len(sft) == 8 and stats["accepted"] == 8
    assert stats["samples"] == 20 and stats["errors"] == 4 and stats["no_answer"] == 4
    manifest = json.loads((tmp_path / "t" / "manifest.json").read_text())
    assert manifest["stage"] == "teach" and manifest["summary"]["accepted"] == 8
    assert manifest["config"]["k"] == 4 and manifest["inputs"][0]["path"].endswith("gsm8k/test.jsonl")
    for rec in sft:
        gold = rec["answer"]
        assert gold in rec["messages"][-1]["content"] and "not sure" not in rec["messages"][-1]["content"]


def test_teacher_without_gold_uses_the_majority(tmp_path, seed_data):
    data, _ = seed_data
    from mathforge.bench import load_benchmark
    from mathforge.infer import BackendSpec, get_backend
    from mathforge.synth.teacher import synthesise

    problems = [replace(p, answer="") for p in load_benchmark("gsm8k", str(data))]
    with FakeOpenAI(_replies) as srv:
        backend = get_backend(BackendSpec(backend="openai", model="t", api_base=srv.url))
        strict = synthesise(problems, backend, tmp_path / "a", k=4, majority_threshold=0.6)
        loose = synthesise(problems, backend, tmp_path / "b", k=4, majority_threshold=0.5)
    assert strict.accepted == 0  # the right answer has 2 of 4 votes: below 0.6
    assert loose.accepted == 2 * len(problems)


def test_qa_extraction_is_verified_by_the_teacher():
    from mathforge.infer import BackendSpec, get_backend
    from mathforge.synth.teacher import extract_qa

    def teacher(text: str):
        if "Read the document" in text:
            if "marbles" in text:
                return "Problem: Ann has 3 marbles and buys 4 more. How many marbles does she have?\nAnswer: \\boxed{7}"
            if "apples" in text:
                return "Problem: Bob has 2 apples and eats 1. How many are left?\nAnswer: \\boxed{5}"  # wrong
            return "Problem: NONE"
        return "Counting, $\\boxed{7}$." if "marbles" in text else "She has $\\boxed{1}$."

    docs = [
        "Ann had 3 marbles and bought 4 more at the fair.",
        "Bob had 2 apples; he ate one.",
        "A poem about rain.",
    ]
    with FakeOpenAI(teacher) as srv:
        found = extract_qa(docs, get_backend(BackendSpec(backend="openai", model="t", api_base=srv.url)))
    assert [(f["doc"], f["answer"]) for f in found] == [(0, "7")]


def test_training_items_exclude_held_out_problems_in_either_language():
    """A held-out Chinese problem's English version is the same arithmetic: excluding by question text
    alone let it into training (the tiny recipe's held-out set had 140 of 200 such items)."""
    from mathforge.synth.generate import content_key, question_key

    held = generate(["small_sums"], n=60, seed=999, levels=[1, 2], execute=False)
    by_text = generate(
        ["small_sums"],
        n=600,
        seed=1,
        levels=[1, 2],
        execute=False,
        exclude={question_key(i.question) for i in held.items},
    )
    strict = generate(
        ["small_sums"],
        n=600,
        seed=1,
        levels=[1, 2],
        execute=False,
        exclude={question_key(i.question) for i in held.items},
        exclude_content={content_key(i) for i in held.items},
    )
    held_content = {content_key(i) for i in held.items}
    assert {content_key(i) for i in by_text.items} & held_content  # the leak the text key leaves
    assert not {content_key(i) for i in strict.items} & held_content
    assert strict.rejected["held out (same problem in another language)"] > 0
    # the key is the problem, not its wording: an item and its translation share it
    en = [i for i in strict.items if i.language == "en"]
    zh = {content_key(i) for i in strict.items if i.language == "zh"}
    assert any(content_key(i) in zh for i in en)
