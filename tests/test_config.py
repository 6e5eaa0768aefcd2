"""The typed config layer: every key of every config file (recipe sections, corpus, train) is checked
by name and type, with the file, the section and the closest key in the message; relative paths follow
the file that names them; help text lives on the fields."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mathforge.config import ConfigError, from_dict, help_text, option
from mathforge.corpus.config import load_corpus_config
from mathforge.recipe import RecipeError, load_recipe
from mathforge.recipe.sections import SECTIONS, TrainSection
from mathforge.train import StageConfig, load_stage_config

ROOT = Path(__file__).resolve().parents[1]
TINY = (ROOT / "recipes" / "tiny.toml").read_text()


def _recipe(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "r.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    ("section", "typo", "meant"),
    [
        ("synth", "famlies", "families"),
        ("corpus", "classifer", "classifier"),
        ("eval", "benchmark", "benchmarks"),
        ("sft", "learning_rte", "learning_rate"),
        ("base", "hiden_size", "hidden_size"),
    ],
)
def test_a_typo_in_a_recipe_names_file_section_key_and_the_closest_key(tmp_path, section, typo, meant):
    text = TINY.replace(f"[{section}]", f'[{section}]\n{typo} = ["x"]', 1)
    path = _recipe(tmp_path, text)
    with pytest.raises(RecipeError) as exc:
        load_recipe(path)
    assert str(exc.value) == f"{path}: [{section}] unknown key {typo!r} — did you mean {meant!r}?"


def test_a_misspelt_section_is_named_with_the_closest_one(tmp_path):
    path = _recipe(tmp_path, TINY.replace("[synth]", "[synht]", 1))
    with pytest.raises(RecipeError, match=r"unknown section \[synht\] — did you mean \[synth\]\?"):
        load_recipe(path)


@pytest.mark.parametrize(
    ("section", "line", "message"),
    [
        ("synth", 'n = "many"', r"\[synth\] n expects a whole number, got 'many'"),
        ("sft", "max_steps = 1.5", r"\[sft\] max_steps expects a whole number, got 1.5"),
        ("sft", 'learning_rate = "fast"', r"\[sft\] learning_rate expects a number, got 'fast'"),
        ("synth", 'levels = "1,2"', r"\[synth\] levels expects a list, got '1,2'"),
        ("synth", 'levels = [1, "two"]', r"\[synth\] levels\[1\] expects a whole number, got 'two'"),
        ("base", "split_digits = 1", r"\[base\] split_digits expects true or false, got 1"),
        (
            "eval",
            'benchmarks = ["gsm8kk"]',
            r"\[eval\] benchmarks: unknown benchmark 'gsm8kk': did you mean 'gsm8k'",
        ),
        (
            "corpus",
            "filters = { min_wrds = 3 }",
            r"\[corpus\] filters: unknown key 'min_wrds' — did you mean 'min_words'",
        ),
    ],
)
def test_a_wrong_type_is_named_the_same_way(tmp_path, section, line, message):
    path = _recipe(tmp_path, f'[recipe]\nname = "x"\n[{section}]\n{line}\n')
    with pytest.raises(RecipeError, match=message):
        load_recipe(path)


def test_the_same_typo_under_smoke_is_still_refused(tmp_path):
    path = _recipe(tmp_path, TINY.replace("n = 4000", 'n = "many"', 1))
    with pytest.raises(RecipeError, match="expects a whole number"):
        load_recipe(path, smoke=True)


def test_a_corpus_config_typo_is_named(tmp_path):
    p = tmp_path / "corpus.toml"
    p.write_text('output = "out"\n[input]\npaths = ["docs"]\n[dedup]\nnum_prem = 64\n')
    with pytest.raises(ConfigError, match=r"\[dedup\] unknown key 'num_prem' — did you mean 'num_perm'\?"):
        load_corpus_config(p)
    p.write_text('output = "out"\n[input]\npaths = ["docs"]\n[run]\nworkers = "two"\n')
    with pytest.raises(ConfigError, match=r"\[run\] workers expects a whole number, got 'two'"):
        load_corpus_config(p)
    p.write_text('output = "out"\n[input]\npaths = ["docs"]\n[langid]\nkeep = "en"\n')
    with pytest.raises(ConfigError, match=r"\[langid\] keep expects a list"):
        load_corpus_config(p)


def test_corpus_paths_are_relative_to_the_config_file(tmp_path):
    sub = tmp_path / "cfg"
    sub.mkdir()
    p = sub / "corpus.toml"
    p.write_text('output = "out"\n[input]\npaths = ["docs", "/abs/x.warc", "crawl/**/*.warc.gz"]\n')
    cfg = load_corpus_config(p)
    assert cfg.output == str(sub / "out")
    assert cfg.input.paths == [str(sub / "docs"), "/abs/x.warc", str(sub / "crawl/**/*.warc.gz")]


def test_a_train_config_typo_and_type_are_named(tmp_path):
    p = tmp_path / "sft.toml"
    p.write_text('[sft]\nmodel = "m"\noutput_dir = "o"\nlerning_rate = 1e-4\n')
    with pytest.raises(
        ConfigError, match=r"\[sft\] unknown key 'lerning_rate' — did you mean 'learning_rate'\?"
    ):
        load_stage_config(p, "sft")
    p.write_text('model = "m"\noutput_dir = "o"\nper_device_batch_size = "8"\n')
    with pytest.raises(ConfigError, match=r"per_device_batch_size expects a whole number, got '8'"):
        load_stage_config(p, "sft")


def test_train_config_paths_follow_the_file_and_cli_overrides_win(tmp_path):
    (tmp_path / "data.jsonl").write_text('{"text": "x"}\n')
    (tmp_path / "base").mkdir()
    p = tmp_path / "pre.toml"
    p.write_text('model = "./base"\noutput_dir = "out"\ndata = ["data.jsonl"]\nmax_steps = 3\n')
    cfg = load_stage_config(p, "pretrain")
    assert cfg.model == str(tmp_path / "base") and cfg.output_dir == str(tmp_path / "out")
    assert cfg.data == [str(tmp_path / "data.jsonl")]
    hub = load_stage_config(p, "pretrain", model="Qwen/Qwen2-1.5B", max_steps=7)
    assert hub.model == "Qwen/Qwen2-1.5B" and hub.max_steps == 7  # a hub id is not made a path


def test_a_recipe_section_is_its_stage_config():
    """A training section has exactly StageConfig's keys (minus the wired ones) plus enabled, with the
    same help text; every section field has help."""
    from mathforge.train.config import WIRED

    stage_keys = {f.name for f in dataclasses.fields(StageConfig)} - set(WIRED)
    section_keys = {f.name for f in dataclasses.fields(TrainSection)} - {"enabled"}
    assert section_keys == stage_keys
    assert help_text(TrainSection, "beta") == help_text(StageConfig, "beta") != ""
    for cls in [*SECTIONS.values(), StageConfig]:
        for f in dataclasses.fields(cls):
            assert f.metadata.get("help"), f"{cls.__name__}.{f.name} has no help text"


def test_shipped_recipes_load_with_their_typed_sections():
    for name in ("tiny", "smol", "qwen2-math-1.5b", "corpus"):
        path = ROOT / "recipes" / f"{name}.toml"
        if name == "corpus":
            load_corpus_config(path)
            continue
        r = load_recipe(path)
        assert r.section("base").kind in ("scratch", "pretrained")
    tiny = load_recipe(ROOT / "recipes" / "tiny.toml")
    assert tiny.section("synth").families == ["small_sums"] and tiny.section("sft").max_steps == 400
    # the recipe's own training defaults, and the [corpus] filters merged over the recipe's default
    assert tiny.section("rm").report_to == [] and tiny.section("rm").save_steps == 25
    assert tiny.section("corpus").filters.min_words == 20
    assert tiny.section("corpus").filters.max_top_2gram_fraction == 0.5


@dataclasses.dataclass
class Inner:
    k: int = option(1, help="k")


@dataclasses.dataclass
class Outer:
    name: str | None = option(None, help="name")
    inner: Inner = dataclasses.field(default_factory=lambda: Inner(k=5), metadata={"help": "inner"})


def test_from_dict_checks_optional_and_nested_types():
    assert from_dict(Outer, {"name": None}).inner.k == 5
    assert from_dict(Outer, {"inner": {}}).inner.k == 5  # a table overrides the default key by key
    with pytest.raises(ConfigError, match=r"name expects str \| None, got 3"):
        from_dict(Outer, {"name": 3})
    with pytest.raises(ConfigError, match=r"inner.k expects a whole number"):
        from_dict(Outer, {"inner": {"k": "x"}})
