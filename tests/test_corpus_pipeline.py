"""The whole corpus run on real pages, real WARCs and real LaTeX (read from the web sample folder), with
planted benchmark items, planted duplicates and broken inputs: the funnel adds up, contamination and
duplicates go with a ledger, bad input is counted, the run resumes, and Ray produces the same corpus."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from mathforge.corpus.config import ConfigError, load_corpus_config
from mathforge.corpus.pipeline import run_corpus

MATH_PAGES = [
    "mathjax-demos__v2-support_v2-script-tags.html",
    "distill-momentum__index.html",
    "readability__wikipedia-3.html",
    "defuddle__math--katex-centraliser.html",
]
NONMATH_PAGES = ["readability__lemonde-1.html", "trafilatura__bettycrocker.com.pineapple.html"]
LATEX = ["lebl-ra__ch-der.tex", "openlogic__incompleteness_incompleteness-provability_lob-thm.tex"]


def _tokenizer(path: Path) -> Path:
    from mathforge.models.tiny import train_tokenizer

    tok = train_tokenizer(["The derivative of $x^2$ is $2x$. Let $f$ be continuous."] * 50, vocab_size=300)
    tok.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def corpus_inputs(tmp_path_factory, web_data, bench_dir):
    root = tmp_path_factory.mktemp("corpus-in")
    (root / "html").mkdir()
    for name in MATH_PAGES:
        shutil.copy(web_data / "html" / "math" / name, root / "html" / name)
    for name in NONMATH_PAGES:
        shutil.copy(web_data / "html" / "nonmath" / name, root / "html" / name)
    (root / "latex").mkdir()
    for name in LATEX:
        shutil.copy(web_data / "latex" / name, root / "latex" / name)
    shutil.copy(web_data / "warc" / "dolma__science_0.warc.gz", root / "science.warc.gz")
    # a JSONL shard: real prose, a planted benchmark problem, an exact and a near duplicate
    problem = json.loads((bench_dir / "math" / "test.jsonl").read_text().splitlines()[7])["problem"]
    base = (web_data / "latex" / "lebl-ra__ch-real-nums.tex").read_text()[20000:26000]
    records = [
        {"text": base, "url": "https://example.org/a"},
        {"text": base, "url": "https://example.org/a-copy"},
        {
            "text": base.replace("Let", "Now let", 3) + "\n\nShared under CC BY-SA.",
            "url": "https://example.org/b",
        },
        {
            "text": "In this lecture we revisit a classic exercise.\n\n" + problem + "\n\n" + base[:2500],
            "url": "https://example.org/contaminated",
        },
    ]
    (root / "web.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n{not json}\n")
    # broken inputs: truncated gzip, invalid UTF-8, empty file
    raw = (web_data / "warc" / "dolma__warc_sample-0000.warc.gz").read_bytes()
    (root / "truncated.warc.gz").write_bytes(raw[: len(raw) // 2])
    (root / "latex" / "broken.tex").write_bytes(
        b"\\section{Limits}\nLet $x_n \\to L$. \xff\xfe bad bytes " * 20
    )
    (root / "empty.jsonl").write_bytes(b"")
    return root


def _config(tmp: Path, inputs: Path, bench_dir: Path, **run) -> Path:
    tok = _tokenizer(tmp / "tok") if not (tmp / "tok").exists() else tmp / "tok"
    cfg = tmp / "corpus.toml"
    cfg.write_text(
        f"""
[output]
dir = "out"
[input]
paths = ["{inputs}"]
[run]
executor = "{run.get("executor", "local")}"
workers = {run.get("workers", 2)}
files_per_shard = 3
[langid]
keep = ["en", "zh"]
[filters]
min_words = 40
[decontam]
data_dir = "{bench_dir}"
benchmarks = ["math", "gsm8k"]
[pack]
tokenizer = "{tok}"
seq_len = 128
"""
    )
    return cfg


@pytest.fixture(scope="module")
def local_run(tmp_path_factory, corpus_inputs, bench_dir):
    tmp = tmp_path_factory.mktemp("corpus-run")
    cfg = load_corpus_config(_config(tmp, corpus_inputs, bench_dir))
    return tmp, cfg, run_corpus(cfg)


def _kept(out: Path) -> dict[str, dict]:
    docs = {}
    for p in sorted((out / "docs").glob("*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            docs[rec["source"]] = rec
    return docs


def test_funnel_adds_up_and_every_step_reports(local_run):
    _, _, result = local_run
    rep = result.report
    steps = [r["step"] for r in rep["funnel"]]
    assert steps[:2] == ["read", "extract"] and "decontam" in steps and "dedup" in steps
    for prev, cur in zip(rep["funnel"], rep["funnel"][1:], strict=False):
        assert cur["documents_in"] == prev["documents_out"]
        assert cur["bytes_in"] == prev["bytes_out"]
    for r in rep["funnel"]:
        assert r["documents_in"] - r["documents_out"] == sum(r["dropped"].values())
    assert rep["kept"] == rep["funnel"][-1]["documents_out"] > 0
    html = result.html_path.read_text()
    assert "<svg" in html and "decontam" in html and "Funnel" in html


def test_math_kept_with_formulas_nonmath_and_foreign_dropped(local_run):
    _, cfg, result = local_run
    kept = _kept(Path(cfg.output))
    by_name = {Path(s.split("#")[0]).name: r for s, r in kept.items()}
    assert "mathjax-demos__v2-support_v2-script-tags.html" in by_name
    assert "lebl-ra__ch-der.tex" in by_name
    assert "\\frac" in by_name["lebl-ra__ch-der.tex"]["text"]
    lang = {r["step"]: r for r in result.report["funnel"]}["langid"]
    assert lang["dropped"].get("lang", 0) >= 1  # the Le Monde article


def test_planted_contamination_and_duplicates_removed_with_reasons(local_run):
    _, cfg, result = local_run
    kept = _kept(Path(cfg.output))
    urls = {r["meta"].get("url") for r in kept.values()}
    assert "https://example.org/contaminated" not in urls
    assert "https://example.org/a" in urls
    assert "https://example.org/a-copy" not in urls and "https://example.org/b" not in urls
    dedup = {r["step"]: r for r in result.report["funnel"]}["dedup"]
    assert dedup["dropped"].get("exact_dup_of", 0) >= 1 and dedup["dropped"].get("dup_of", 0) >= 1
    assert result.report["decontamination"]["math"]["documents"] >= 1
    ledger = [
        json.loads(x)
        for p in (Path(cfg.output) / "_work" / "ledger").glob("*.jsonl")
        for x in p.read_text().splitlines()
    ]
    assert any(x["benchmark"] == "math" and len(x["ngram"].split()) >= 3 for x in ledger)


def test_bad_inputs_are_counted_not_fatal(local_run):
    _, _, result = local_run
    errs = result.report["read_errors"]
    text = " ".join(errs["examples"])
    assert errs["count"] >= 2
    assert "truncated.warc.gz" in text and "web.jsonl" in text


def test_the_run_writes_the_one_manifest_format(local_run):
    _, cfg, result = local_run
    man = json.loads((Path(cfg.output) / "manifest.json").read_text())
    assert man["stage"] == "corpus" and man["summary"]["kept"] == result.report["kept"]
    assert man["config"]["input"]["paths"] == cfg.input.paths
    read = [i for i in man["inputs"] if "mtime_ns" in i]
    assert read and all(
        Path(i["path"]).is_file() and i["size"] == Path(i["path"]).stat().st_size for i in read
    )
    assert man["outputs"]["report"] == "report.json" and "resiliparse" in man["versions"]


def test_pack_manifest(local_run):
    _, cfg, result = local_run
    import pyarrow.parquet as pq

    written = json.loads((Path(cfg.output) / "packed" / "manifest.json").read_text())
    man = written["summary"]
    assert written["stage"] == "pack" and written["config"]["seq_len"] == 128
    assert man == result.report["pack"]
    assert man["blocks"] > 10 and man["seq_len"] == 128
    assert sum(s["documents"] for s in man["sources"].values()) == result.report["kept"]
    table = pq.read_table(Path(cfg.output) / "packed" / man["shards"][0]["file"])
    assert all(len(x) == 128 for x in table.column("input_ids").to_pylist())


def test_rerun_resumes_and_a_lost_shard_is_redone(local_run):
    _, cfg, first = local_run
    again = run_corpus(cfg)
    assert again.shards_skipped == again.report["shards"]
    assert again.report["funnel"] == first.report["funnel"]
    marker = next((Path(cfg.output) / "_work" / "process").glob("*.parquet.done"))
    marker.unlink()
    third = run_corpus(cfg)
    assert third.shards_skipped == third.report["shards"] - 1
    assert third.report["funnel"] == first.report["funnel"]


def test_config_errors_are_one_line(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text('[input]\npaths = ["x"]\n[dedup]\nbandz = 3\n')
    with pytest.raises(ConfigError, match="unknown key"):
        load_corpus_config(bad)
    bad.write_text('[input]\npaths = ["x"]\n[run]\nexecutor = "spark"\n')
    with pytest.raises(ConfigError, match="executor"):
        load_corpus_config(bad)


def test_ray_executor_builds_the_same_corpus(tmp_path, corpus_inputs, bench_dir, local_run):
    pytest.importorskip("ray")
    _, local_cfg, local = local_run
    cfg = load_corpus_config(_config(tmp_path, corpus_inputs, bench_dir, executor="ray", workers=2))
    try:
        result = run_corpus(cfg)
    finally:
        import ray

        ray.shutdown()
    assert _kept(Path(cfg.output)).keys() == _kept(Path(local_cfg.output)).keys()
    assert result.report["funnel"] == local.report["funnel"]


def test_cli_run_prints_the_funnel_and_resumes(local_run):
    from typer.testing import CliRunner

    from mathforge.cli.main import app

    tmp, _, _ = local_run
    result = CliRunner().invoke(app, ["corpus", "run", str(tmp / "corpus.toml")])
    assert result.exit_code == 0, result.output
    assert "corpus funnel" in result.output and "resumed" in result.output
    assert "report.html" in result.output and "unreadable inputs skipped" in result.output
    # each unreadable input on its own line, by file and place: the malformed JSON line and the empty file
    lines = [x.strip() for x in result.output.splitlines()]
    assert any(re.search(r"web\.jsonl: line \d+: .*JSON", x) for x in lines), result.output
    assert any("empty.jsonl: " in x and "empty file" in x for x in lines), result.output
    bad = CliRunner().invoke(app, ["corpus", "run", str(tmp / "missing.toml")])
    assert bad.exit_code == 2 and "no such config file" in bad.output


def test_classifier_in_the_run_drops_non_math(tmp_path, corpus_inputs, bench_dir, local_run):
    from mathforge.corpus.classifier import MathClassifier
    from mathforge.corpus.classifier_data import benchmark_texts
    from mathforge.corpus.negative_texts import generate_negatives

    model = MathClassifier.train(
        benchmark_texts(bench_dir, "math", "train")[:1500], generate_negatives(1500, seed=1), epoch=5
    )
    model.save(tmp_path / "clf.bin")
    path = _config(tmp_path, corpus_inputs, bench_dir, workers=1)
    path.write_text(path.read_text() + f'\n[classify]\nmodel = "{tmp_path / "clf.bin"}"\nthreshold = 0.5\n')
    result = run_corpus(load_corpus_config(path))
    step = {r["step"]: r for r in result.report["funnel"]}["classify"]
    assert step["dropped"].get("math_score", 0) >= 1  # the recipe page
    kept = _kept(Path(result.output))
    assert all(r["meta"]["math_score"] >= 0.5 for r in kept.values())
    assert any("lebl-ra__ch-der.tex" in s for s in kept)
