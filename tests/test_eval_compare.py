"""`eval compare`: the paired difference of two evaluations over the same items — exact McNemar p-value,
paired-bootstrap interval, the items that changed — and a refusal when the items differ."""

from __future__ import annotations

import json
from math import comb
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mathforge.cli.main import app
from mathforge.evaluate.compare import CompareError, compare_runs, mcnemar_exact, paired_bootstrap


def _run(root: Path, correct: dict[str, bool], bench: str = "gsm8k") -> Path:
    """An evaluation folder as `mathforge eval` writes it: metrics.json and BENCH/samples.jsonl."""
    (root / bench).mkdir(parents=True)
    rows = [{"id": i, "correct": [c], "verdicts": ["correct" if c else "wrong"]} for i, c in correct.items()]
    (root / bench / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    acc = sum(correct.values()) / len(correct)
    (root / "metrics.json").write_text(json.dumps({"benchmarks": {bench: {"accuracy": acc}}}))
    return root


def test_mcnemar_is_the_exact_binomial_tail():
    # 1 item right only in A, 7 only in B: p = 2 · (C(8,0) + C(8,1)) / 2^8
    assert mcnemar_exact(1, 7) == pytest.approx(2 * (comb(8, 0) + comb(8, 1)) / 256)
    assert mcnemar_exact(7, 1) == mcnemar_exact(1, 7)
    assert mcnemar_exact(0, 0) == 1.0 and mcnemar_exact(3, 3) == 1.0
    assert mcnemar_exact(0, 10) == pytest.approx(2 / 1024)


def test_compare_two_hand_built_runs(tmp_path):
    ids = [f"q{i}" for i in range(40)]
    a = {i: k < 20 for k, i in enumerate(ids)}  # 20 right
    b = dict(a) | {"q0": False} | {f"q{k}": True for k in range(20, 27)}  # one lost, seven gained
    [res] = compare_runs(_run(tmp_path / "a", a), _run(tmp_path / "b", b))
    assert res.items == 40 and res.accuracy_a == 0.5 and res.accuracy_b == 26 / 40
    assert res.only_a == ["q0"] and res.only_b == sorted(f"q{k}" for k in range(20, 27))
    assert res.p_value == pytest.approx(18 / 256)  # mcnemar_exact(1, 7)
    assert not res.holds
    lo, hi = res.ci95
    assert lo <= res.difference <= hi and lo < 0.15 < hi


def test_compare_refuses_runs_over_different_items(tmp_path):
    a = _run(tmp_path / "a", {"q1": True, "q2": False})
    b = _run(tmp_path / "b", {"q1": True, "q3": False})
    with pytest.raises(
        CompareError, match=r"gsm8k: the runs are over different items — 1 item\(s\) only in A \(first: q2\)"
    ):
        compare_runs(a, b)
    result = CliRunner().invoke(app, ["eval", "compare", str(a), str(b)])
    assert result.exit_code == 2 and "different items" in result.output


def test_cli_prints_difference_interval_and_p(tmp_path):
    a = _run(tmp_path / "a", {f"q{i}": i < 5 for i in range(30)})
    b = _run(tmp_path / "b", {f"q{i}": i < 25 for i in range(30)})  # 20 gained, none lost
    result = CliRunner().invoke(app, ["eval", "compare", str(a), str(b)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "+66.7" in result.output and "1.9e-06" in result.output  # 2 / 2^20
    assert "✓: p < 0.05" in result.output


def test_cli_does_not_claim_significance_when_no_difference_holds(tmp_path):
    a = _run(tmp_path / "a", {f"q{i}": i < 5 for i in range(30)})
    b = _run(tmp_path / "b", {f"q{i}": i < 7 for i in range(30)})  # 2 gained: p = 0.5
    result = CliRunner().invoke(app, ["eval", "compare", str(a), str(b)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "✓" not in result.output and "No difference holds at p < 0.05" in result.output


def test_bootstrap_interval_of_a_constant_difference_is_that_difference():
    assert paired_bootstrap([False] * 10, [True] * 10) == (1.0, 1.0)
