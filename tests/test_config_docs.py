"""One place for help text: docs/configuration.md is generated from the config fields (and cannot drift),
every field has help, and `mathforge config show` prints the same rows."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mathforge.cli.main import app
from mathforge.config import help_text
from mathforge.config_docs import CONFIGS, config_class, config_rows, markdown
from mathforge.corpus.filters import FilterConfig
from mathforge.corpus.pack import PackConfig
from mathforge.evaluate.runner import EvalConfig

DOCS = Path(__file__).parents[1] / "docs" / "configuration.md"
# Configs whose fields carry no help yet (documented with their defaults and "(no help text)").
HELPLESS = {FilterConfig.__name__, PackConfig.__name__}
runner = CliRunner()


def test_committed_docs_match_the_fields():
    assert DOCS.read_text(encoding="utf-8") == markdown(), (
        "docs/configuration.md is stale: run `python -m mathforge.config_docs > docs/configuration.md`"
    )


def test_the_listed_configs_are_documented():
    assert {
        "recipe",
        "base",
        "synth",
        "corpus",
        "decontam",
        "eval",
        "train",
        "corpus-file",
        "eval-run",
        "synth-generate",
        "teach",
        "decontam-files",
    } <= set(CONFIGS)
    text = DOCS.read_text(encoding="utf-8")
    for name in CONFIGS:
        assert f"\n## {name}\n" in text


@pytest.mark.parametrize("name", list(CONFIGS))
def test_every_field_has_help(name):
    table = config_rows(name)
    assert table, name
    missing = [f"{r.owner}.{r.key}" for r in table if not r.help.strip() and r.owner not in HELPLESS]
    assert not missing, f"fields without help text: {missing}"
    # every field of the class itself appears, nested ones as dotted keys under it
    keys = {r.key for r in table}
    assert {f.name for f in dataclasses.fields(config_class(name)) if f.init} <= keys


def test_rows_show_types_defaults_and_nesting():
    rows = {r.key: r for r in config_rows("corpus-file")}
    assert rows["dedup.num_perm"].type == "int" and rows["dedup.num_perm"].default == "128"
    assert rows["filters.min_words"].owner == "FilterConfig" and rows["filters.min_words"].default == "30"
    assert rows["langid.keep"].default == '["en", "zh"]'
    recipe_filters = {r.key: r for r in config_rows("corpus")}["filters.min_words"]
    assert recipe_filters.default == "20"  # the parent's default instance, not the class default
    eval_rows = {r.key: r for r in config_rows("eval-run")}
    assert eval_rows["model"].default == "required"
    assert eval_rows["limit"].type == "int | None" and eval_rows["limit"].default == "None"
    assert eval_rows["top_p"].help == help_text(EvalConfig, "top_p") != ""


def test_eval_config_keeps_its_fields_and_defaults():
    cfg = EvalConfig(model="m")
    assert (cfg.backend, cfg.benchmarks, cfg.n, cfg.max_tokens, cfg.backend_spec) == (
        "hf",
        ["gsm8k"],
        1,
        512,
        None,
    )
    assert EvalConfig(model="m").benchmarks is not cfg.benchmarks  # a fresh list per instance
    with pytest.raises(TypeError):
        EvalConfig()  # type: ignore[call-arg]  # model stays required


def test_cli_flags_show_the_field_help():
    result = runner.invoke(app, ["synth", "teach", "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert help_text(config_class("teach"), "majority_threshold") in result.output


def test_config_show_prints_the_rows():
    result = runner.invoke(app, ["config", "show", "synth"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if " families " in line)
    assert help_text(config_class("synth"), "families") in row


def test_config_show_lists_the_configs():
    result = runner.invoke(app, ["config", "show"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert all(name in result.output for name in CONFIGS)


def test_config_show_unknown_name_is_a_one_line_error():
    result = runner.invoke(app, ["config", "show", "nope"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "unknown config 'nope'" in lines[0]
    assert all(name in lines[0] for name in CONFIGS)
