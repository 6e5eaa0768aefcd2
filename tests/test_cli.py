"""`mathforge grade` end to end: verdict file, summary, malformed lines, resume."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from mathforge import __version__
from mathforge.cli.main import app

EXAMPLE = Path(__file__).parents[1] / "examples" / "grade_example.jsonl"
runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_grade_example_file(tmp_path):
    src = tmp_path / "ex.jsonl"
    shutil.copy(EXAMPLE, src)
    result = runner.invoke(app, ["grade", str(src), "--workers", "2"])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in (tmp_path / "ex.verdicts.jsonl").read_text().splitlines()]
    n_lines = len(EXAMPLE.read_text().splitlines())
    assert len(out) == n_lines - 1  # one malformed line skipped, the rest graded
    verdicts = {r["line"]: r["verdict"] for r in out}
    assert verdicts[4] == "wrong" and verdicts[5] == "wrong"  # 1,-2 vs 1,-3 and 1/2^99 vs 1/2^98
    assert verdicts[1] == verdicts[2] == verdicts[9] == "correct"
    assert "ex.jsonl:13: bad JSON" in result.output
    assert "correct" in result.output and "skipped lines" in result.output


def test_missing_fields_and_bad_kind_are_reported_with_line_numbers(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text(
        '{"gold": "1", "output": "so \\\\boxed{1}"}\n'
        '{"gold": "2"}\n'
        '{"gold": "3", "output": "3", "kind": "numbr"}\n'
        "[1, 2]\n"
    )
    result = runner.invoke(app, ["grade", str(src)])
    assert result.exit_code == 0, result.output
    assert "bad.jsonl:2: needs the fields 'gold' and 'output'" in result.output
    assert "bad.jsonl:3: unknown kind 'numbr'" in result.output
    assert "bad.jsonl:4:" in result.output
    assert len((tmp_path / "bad.verdicts.jsonl").read_text().splitlines()) == 1


def test_resume_keeps_finished_verdicts_and_grades_the_rest(tmp_path):
    src = tmp_path / "r.jsonl"
    lines = [json.dumps({"gold": str(i), "output": f"The answer is {i}."}) for i in range(10)]
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "r.verdicts.jsonl"
    # a killed run: three finished verdicts and a half-written fourth line
    first = runner.invoke(app, ["grade", str(src)])
    assert first.exit_code == 0
    done = out.read_text().splitlines()
    out.write_text("\n".join(done[:3]) + "\n" + done[3][:20])
    result = runner.invoke(app, ["grade", str(src)])
    assert result.exit_code == 0, result.output
    assert "resumed: 3" in result.output
    final = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["line"] for r in final) == list(range(1, 11))
    assert all(r["verdict"] == "correct" for r in final)


def test_missing_file_is_a_one_line_error(tmp_path):
    result = runner.invoke(app, ["grade", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "nope.jsonl: no such file" in result.output


def test_unknown_style_flag_is_rejected(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text('{"gold": "1", "output": "1"}\n')
    result = runner.invoke(app, ["grade", str(src), "--style", "boxd"])
    assert result.exit_code != 0 and "unknown style" in result.output
