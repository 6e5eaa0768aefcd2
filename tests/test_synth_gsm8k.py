"""GSM8K solutions → verified TIR/PoT chats: exact programs for real train records, every rejection
reason (real and injected), the funnel, the SFT loss mask, resume, and the CLI. Tests on hand-made
records run everywhere; the ones on the real train split skip when the data directory is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from realdata import data_dir
from typer.testing import CliRunner

from mathforge.cli.main import app
from mathforge.sandbox import Sandbox, SandboxConfig
from mathforge.synth import from_gsm8k
from mathforge.synth.annotated import REASONS, Conversion, Rejected, Step, convert, strip_annotations
from mathforge.synth.from_gsm8k import FromGsm8kConfig, run_from_gsm8k, verify

DATA = data_dir()
needs_data = pytest.mark.skipif(
    DATA is None or not (DATA / "gsm8k" / "train.jsonl").is_file(),
    reason="GSM8K train split absent: set MATHFORGE_DATA_DIR to the benchmark data directory",
)

HANDMADE = [
    {
        "question": "A farmer has 12 cows. He buys 3 times as many sheep. How many animals does he have?",
        "answer": "He buys 12*3 = <<12*3=36>>36 sheep.\nHe has 12+36 = <<12+36=48>>48 animals in total.\n#### 48",
    },
    {  # the last computation has no annotation: the program prints 30, the gold is 6
        "question": "Tom has 5 boxes of 6 pens and shares them among 5 friends. How many does each get?",
        "answer": "Tom has 5*6 = <<5*6=30>>30 pens.\nEach friend gets 30/5 = 6 pens.\n#### 6",
    },
    {"question": "What is 2 + 2?", "answer": "Two and two make four.\n#### 4"},  # no annotations
]


def _train(recs: list[dict | str], root: Path) -> Path:
    (root / "gsm8k").mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in recs]
    (root / "gsm8k" / "train.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _real(index: int) -> dict:
    assert DATA is not None
    with (DATA / "gsm8k" / "train.jsonl").open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i == index:
                return json.loads(line)
    raise IndexError(index)


@pytest.fixture(scope="module")
def session():
    with Sandbox(SandboxConfig(timeout=10, warm=1)) as sb, sb.session() as s:
        yield s


# ------------------------------------------------------------------ hand-made records (no data needed)


def test_handmade_solution_becomes_a_chained_program():
    conv = convert(HANDMADE[0]["answer"])
    assert conv.program == "sheep = 12 * 3\nanimals = 12 + sheep\nprint(animals)"
    assert conv.gold == "48" and conv.chained == 1
    assert conv.prose == "He buys 12*3 = 36 sheep.\nHe has 12+36 = 48 animals in total."


@pytest.mark.parametrize(
    ("solution", "reason"),
    [
        ("He has 2+2 = 4 apples.\n#### 4", "no_annotations"),
        ("He has 2+2 = <<2+2=4>>4 apples.\n#### four", "no_gold"),
        ("He has 2+x = <<2+x=4>>4 apples.\n#### 4", "unparseable"),
        ("He has sqrt(16) = <<sqrt(16)=4>>4 apples.\n#### 4", "unparseable"),
        ("He has 2+3 = <<2+3=4>>4 apples.\n#### 4", "arithmetic_wrong"),
        ("He has 2/0 = <<2/0=4>>4 apples.\n#### 4", "arithmetic_wrong"),
        ("He has 2+2 = <<2+2=4>>5 apples.\n#### 5", "text_after_differs"),
        ("He has 2+3 = <<2+2=4>>4 apples.\n#### 4", "written_differs"),
    ],
)
def test_each_static_check_rejects_with_its_reason(solution, reason):
    with pytest.raises(Rejected) as err:
        convert(solution)
    assert err.value.reason == reason and reason in REASONS


def test_checks_that_must_not_fire():
    # words between the numbers (units, labels): no formula to compare, no rejection
    conv = convert(
        "Day 1: 10 pages per day on day 1 * 2 = <<10*2=20>>20 pages.\n"
        "5 snakes/jaguar * 6 jaguars = <<5*6=30>>30 snakes.\n"
        "2 liters * 20% = <<2*20*.01=.4>>.4 liters of salt.\n#### 30"
    )
    assert [s.name for s in conv.steps] == ["pages", "snakes", "liters_of_salt"]
    assert conv.answer_name == "snakes"  # the step whose value is the gold, not the last one


def test_verify_runs_in_the_sandbox_and_names_the_failure(session):
    good = convert(HANDMADE[0]["answer"])
    out, values = verify(good, session)
    assert out.stdout == "48\n" and values == [36, 48]

    def conv(code: str, stated: str, gold: str) -> Conversion:
        step = Step(1, "6/4", stated, from_gsm8k.number(stated), "x", code)
        return Conversion((step,), "x", gold, "")

    cases = [
        (conv("6 / 0", "1.5", "1.5"), "sandbox_error"),  # raises in the sandbox
        (conv("6 / 4", "2", "2"), "line_value_differs"),
        (conv("6 / 4", "1.5", "2"), "printed_differs"),
    ]
    for c, reason in cases:
        with pytest.raises(Rejected) as err:
            verify(c, session)
        assert err.value.reason == reason, err.value
    assert verify(conv("0.1 * 3 * 5", "1.5", "1.5"), session)[0].stdout.startswith("1.5")  # float tolerance


def test_stage_funnel_outputs_rerun_and_resume(tmp_path, monkeypatch):
    root = _train([*HANDMADE, "{not json", json.dumps({"question": "q"})], tmp_path / "data")
    cfg = FromGsm8kConfig(out=str(tmp_path / "out"), data_dir=str(root))
    res = run_from_gsm8k(cfg)
    assert res.funnel == {
        "kept": 1,
        "unreadable_record": 2,
        "no_annotations": 1,
        "no_gold": 0,
        "unparseable": 0,
        "arithmetic_wrong": 0,
        "text_after_differs": 0,
        "written_differs": 0,
        "sandbox_error": 0,
        "line_value_differs": 0,
        "printed_differs": 1,
    }
    assert sum(res.funnel.values()) == res.manifest["summary"]["records"] == 5
    sft = [json.loads(x) for x in res.files["sft"].read_text().splitlines()]
    assert [(r["id"], r["source"], r["index"], r["format"]) for r in sft] == [
        ("gsm8k-train-0-tir", "gsm8k-train", 0, "tir"),
        ("gsm8k-train-0-pot", "gsm8k-train", 0, "pot"),
    ]
    assert [m["role"] for m in sft[0]["messages"]] == ["system", "user", "assistant"]
    assert sft[0]["messages"][1]["content"] == HANDMADE[0]["question"] and sft[0]["answer"] == "48"
    rejected = [json.loads(x) for x in res.files["rejected"].read_text().splitlines()]
    assert [(r["index"], r["status"]) for r in rejected] == [
        (1, "printed_differs"),
        (2, "no_annotations"),
        (3, "unreadable_record"),
        (4, "unreadable_record"),
    ]
    assert not (tmp_path / "out" / "_work").exists()
    assert run_from_gsm8k(cfg).skipped  # same config, same bytes

    # a run killed after its first chunk resumes from it and writes the same files
    monkeypatch.setattr(from_gsm8k, "CHUNK", 2)
    cfg2 = FromGsm8kConfig(out=str(tmp_path / "out2"), data_dir=str(root))

    def die_after_first_chunk(phase, done, total, note=None):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_from_gsm8k(cfg2, progress=die_after_first_chunk)
    again = run_from_gsm8k(cfg2)
    assert again.manifest["summary"]["chunks_resumed"] == 1
    assert again.files["sft"].read_text() == res.files["sft"].read_text()


def test_tir_transcript_masks_the_executed_output(tmp_path):
    pytest.importorskip("transformers")
    from mathforge.models.tiny import train_tokenizer
    from mathforge.train.data import tokenize_chat

    root = _train(HANDMADE[:1], tmp_path / "data")
    res = run_from_gsm8k(FromGsm8kConfig(out=str(tmp_path / "out"), data_dir=str(root), formats=["tir"]))
    (rec,) = [json.loads(x) for x in res.files["sft"].read_text().splitlines()]
    reply = rec["messages"][-1]["content"]
    block = "```output\n48\n```\n"
    assert reply.count(block) == 1
    tok = train_tokenizer([m["content"] for m in rec["messages"]] * 4, vocab_size=300)
    row = tokenize_chat(rec["messages"], tok, 4096)
    ids, mask = row["input_ids"], row["completion_mask"]
    first = mask.index(1)
    learned = tok.decode([i for i, m in zip(ids, mask, strict=True) if m])
    hidden = tok.decode([i for i, m in zip(ids[first:], mask[first:], strict=True) if not m])
    assert hidden == "48\n```\n"  # exactly what the interpreter printed is not learned
    # prose, program, the fence that asks for the output (generation stops there) and the answer are
    assert learned == reply.replace(block, "```output\n") + "<|end|>\n"


# ------------------------------------------------------------------ the real GSM8K train split

EXPECTED = {
    0: "clips_in_may = 48 / 2\nclips_altogether_in_april = 48 + clips_in_may\nprint(clips_altogether_in_april)",
    2: "betty_has = 100 / 2\nbetty_grandparents_gave = 15 * 2\n"
    "betty_needs = 100 - betty_has - betty_grandparents_gave - 15\nprint(betty_needs)",
    # two earlier results are 100 (pages in the spreads, ads): the text's "100 pages from the spreads"
    # picks the first, though the ads are more recent
    1120: "double_page_spreads = 20 * 2\npages_in_the_double = double_page_spreads * 2\n"
    "pages_in_the_spreads = 20 + pages_in_the_double\nblocks_of_ads = pages_in_the_spreads / 4\n"
    "ads = blocks_of_ads * 4\npages = ads * 0.25\npress_has_printed = pages_in_the_spreads + pages\n"
    "brochures = press_has_printed / 5\nprint(brochures)",
}


@needs_data
@pytest.mark.parametrize("index", sorted(EXPECTED))
def test_real_records_give_the_expected_programs(index):
    assert convert(_real(index)["answer"]).program == EXPECTED[index]


@needs_data
def test_real_record_transcripts(session):
    rec = _real(0)
    row = from_gsm8k.convert_record(0, rec, session)
    assert row["transcripts"]["tir"] == (
        "Natalia sold 48/2 = 24 clips in May.\nNatalia sold 48+24 = 72 clips altogether in April and May.\n\n"
        f"```python\n{EXPECTED[0]}\n```\n```output\n72.0\n```\nThe answer is $\\boxed{{72}}$."
    )
    assert row["transcripts"]["pot"] == (
        f"```python\n{EXPECTED[0]}\n```\n```output\n72.0\n```\nThe answer is $\\boxed{{72.0}}$."
    )
    assert row["transcripts"]["tir"].startswith(strip_annotations(rec["answer"]))


@needs_data
@pytest.mark.parametrize(
    ("index", "detail"),
    [
        (168, "so they cost 6*2.5 = $<<6*3=18.00>>"),  # the text multiplies by 2.5, the annotation by 3
        (3002, "so 8*3 = <<80*3=240>>"),  # 8*3 written, 80*3 annotated
    ],
)
def test_real_records_whose_annotation_disagrees_with_the_text(index, detail):
    with pytest.raises(Rejected) as err:
        convert(_real(index)["answer"])
    assert err.value.reason == "written_differs" and err.value.detail.endswith(detail)


@needs_data
def test_injected_wrong_annotations_are_rejected_for_the_right_reason(session):
    rec = _real(0)
    assert "<<48/2=24>>24" in rec["answer"]
    for old, new, reason in [
        ("<<48/2=24>>", "<<48/2=25>>", "arithmetic_wrong"),  # 48/2 is not 25
        ("<<48/2=24>>24", "<<48/2=24>>25", "text_after_differs"),  # "25 clips" after a 24
        ("48/2 = <<48/2=24>>", "48/3 = <<48/2=24>>", "written_differs"),
    ]:
        bad = {**rec, "answer": rec["answer"].replace(old, new)}
        assert from_gsm8k.convert_record(0, bad, session)["status"] == reason


@needs_data
def test_cli_on_a_few_real_records(tmp_path):
    pytest.importorskip("math_verify")
    from mathforge.grade import grade_many

    out = tmp_path / "out"
    args = ["synth", "from-gsm8k", "--data-dir", str(DATA), "--out", str(out), "--limit", "25"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (
        "verified program, printed result = gold" in result.output
        and "printed result ≠ gold" in result.output
    )
    man = json.loads((out / "manifest.json").read_text())
    assert man["stage"] == "synth-from-gsm8k" and man["summary"]["records"] == 25
    assert sum(man["summary"]["funnel"].values()) == 25
    assert man["summary"]["kept"] >= 20  # 93.8% of the full split is kept
    sft = [json.loads(x) for x in (out / "sft.jsonl").read_text().splitlines()]
    assert len(sft) == 2 * man["summary"]["kept"]
    # the grader reads every transcript's boxed answer as the gold one ("72.0" included)
    graded = grade_many([(r["answer"], r["messages"][-1]["content"]) for r in sft])
    assert all(g.correct for g in graded)
    bad = CliRunner().invoke(app, [*args[:-2], "--format", "cot"])
    assert bad.exit_code == 2 and "formats" in bad.output
