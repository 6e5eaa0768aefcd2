"""What an evaluation writes for people: ``results.md`` rows line up with its header, cell for cell."""

from __future__ import annotations

from mathforge.evaluate.metrics import score
from mathforge.evaluate.report import markdown_table


def _rows(pattern: list[list[bool]], rm: list[bool] | None) -> list[dict]:
    rows = []
    for i, correct in enumerate(pattern):
        row = {"correct": correct, "verdicts": ["correct" if c else "wrong" for c in correct]}
        row["majority_correct"] = sum(correct) * 2 > len(correct)
        if rm is not None:
            row["rm_correct"] = rm[i]
        rows.append(row)
    return rows


def _metrics(benchmarks: dict) -> dict:
    run = {"model": "m", "backend": "hf", "sampling": {"n": 4}, "prompt": "cot"}
    return {"benchmarks": benchmarks, "run": run}


def _table(text: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip("|").split("|")] for line in text.splitlines() if line.startswith("|")
    ]


def test_every_row_has_the_header_columns_and_rm_at_k_stands_under_its_header():
    pattern = [
        [True, True, False, True],
        [False, False, False, True],
        [True, False, False, False],
        [False] * 4,
    ]
    with_rm = score(_rows(pattern, rm=[True, True, False, False]), 4)
    without_rm = score(_rows(pattern, rm=None), 4)
    greedy = score(_rows([[True], [False]], rm=None), 1)
    table = _table(markdown_table(_metrics({"gsm8k": with_rm, "math500": without_rm, "svamp": greedy})))
    header, _rule, *rows = table
    assert header == ["benchmark", "items", "accuracy %", "95% CI", "maj@k %", "rm@k %", "pass@k %"]
    assert all(len(r) == len(header) for r in rows)
    lo, hi = with_rm["ci95"]
    assert rows[0] == [
        "gsm8k",
        "4",
        "50.0",
        f"{100 * lo:.1f}–{100 * hi:.1f}",
        "25.0 (k=4)",
        "50.0 (k=4)",
        "75.0 (k=4)",
    ]
    assert rows[1][4:] == ["25.0 (k=4)", "-", "75.0 (k=4)"]  # no reward model: rm@k is empty, pass@k in place
    assert rows[2][4:] == ["-", "-", "-"]
