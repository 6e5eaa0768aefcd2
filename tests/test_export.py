"""`mathforge export`: a run folder (training manifest, real eval results on a synth set, a real
decontamination ledger) becomes a plain Hugging Face model folder with a model card whose numbers are
the run's; a fresh interpreter without mathforge loads it and generates the same tokens."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("transformers")
pytest.importorskip("yaml")

from typer.testing import CliRunner

from mathforge.cli.main import app
from mathforge.export import ExportError, card_numbers, eval_rows, resolve

PROMPT = "What is 3 plus 4?"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A run folder as `mathforge train sft` + `mathforge decontam` + `mathforge eval` leave it."""
    from mathforge.corpus.decontam import Decontaminator
    from mathforge.corpus.decontam_file import decontaminate_file
    from mathforge.evaluate import EvalConfig, run_eval
    from mathforge.models.tiny import build_tiny_model
    from mathforge.synth import generate
    from mathforge.synth.io import sft_records, write_benchmark
    from mathforge.train import StageConfig
    from mathforge.train.common import write_manifest

    root = tmp_path_factory.mktemp("export")
    bench = root / "bench"
    heldout = generate(["arithmetic", "linear_equations"], n=3, seed=1, execute=False)
    write_benchmark(bench, heldout, {"seed": 1}, 0.0)
    train = generate(["arithmetic", "linear_equations"], n=4, seed=0, execute=False)
    texts = [f"{i.question} {i.cot}" for i in train.items]

    # the base model, as a Hugging Face cache snapshot with a licence in its card
    base = root / "hub" / "models--acme--tiny-math" / "snapshots" / "abc123"
    build_tiny_model(base, texts * 5, vocab_size=400)
    (base / "README.md").write_text("---\nlicense: mit\nlanguage: [en]\n---\n# tiny-math\n")

    # training data with one planted benchmark question, decontaminated for real
    run = root / "run"
    data = run / "data"
    data.mkdir(parents=True)
    records = [r for i in train.items for r in sft_records(i)]
    leaked = heldout.items[0].question
    records.append({"source": "web/forum", "messages": [{"role": "user", "content": leaked}]})
    (data / "sft.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    rep = decontaminate_file(data / "sft.jsonl", Decontaminator.from_benchmarks(str(bench), ["synth"]))
    assert rep.removed == 1 and rep.per_benchmark == {"synth": 1}

    # the "trained" stage: its final model and manifest (as train_and_finish writes them)
    final = build_tiny_model(run / "sft" / "final", texts * 5, vocab_size=400, seed=1)
    cfg = StageConfig(stage="sft", model=str(base), output_dir=str(run / "sft"), data=[str(rep.clean)])
    write_manifest(
        cfg, {"final_model": str(final), "steps": 7, "train_loss": 3.14159, "examples": 8, "seconds": 1.5}
    )

    # real evaluation results for the final model, and results for another model (must be skipped)
    res = run_eval(
        EvalConfig(
            model=str(final),
            backend="hf",
            benchmarks=["synth"],
            data_dir=str(bench),
            out=str(run / "eval" / "sft"),
            n=2,
            temperature=0.7,
            max_tokens=8,
        )
    )
    other = json.loads(json.dumps(res.metrics))
    other["run"]["model"] = str(base)
    (run / "eval" / "base").mkdir(parents=True)
    (run / "eval" / "base" / "metrics.json").write_text(json.dumps(other))
    return {
        "root": root,
        "run": run,
        "final": final,
        "base": base,
        "metrics": run / "eval" / "sft" / "metrics.json",
    }


def _greedy_ids(model_dir: Path) -> list[int]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    text = tok.apply_chat_template(
        [{"role": "user", "content": PROMPT}], tokenize=False, add_generation_prompt=True
    )
    enc = tok(text, return_tensors="pt", add_special_tokens=False)
    out = model.generate(
        **enc, max_new_tokens=8, min_new_tokens=8, do_sample=False, pad_token_id=tok.pad_token_id
    )
    return out[0, enc["input_ids"].shape[1] :].tolist()


FRESH = textwrap.dedent(
    """
    import json, sys
    class NoMathforge:  # the export must not need mathforge
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "mathforge":
                raise ImportError("mathforge is blocked in this check")
    sys.meta_path.insert(0, NoMathforge())
    sys.path = [p for p in sys.path if not p.rstrip("/").endswith("src")]
    from transformers import AutoModelForCausalLM, AutoTokenizer
    d = sys.argv[1]
    tok = AutoTokenizer.from_pretrained(d)
    model = AutoModelForCausalLM.from_pretrained(d)
    text = tok.apply_chat_template([{"role": "user", "content": PROMPT_HERE}], tokenize=False, add_generation_prompt=True)
    enc = tok(text, return_tensors="pt", add_special_tokens=False)
    out = model.generate(**enc, max_new_tokens=8, min_new_tokens=8, do_sample=False, pad_token_id=tok.pad_token_id)
    assert not any(m.startswith("mathforge") for m in sys.modules)
    print(json.dumps(out[0, enc["input_ids"].shape[1]:].tolist()))
    """
).replace("PROMPT_HERE", repr(PROMPT))


def test_export_a_run_folder_loads_without_mathforge_and_the_card_holds_the_run_numbers(run, tmp_path):
    out = tmp_path / "exported"
    result = CliRunner().invoke(app, ["export", str(run["run"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        f"skipped {run['run'] / 'eval' / 'base' / 'metrics.json'}: evaluated another model" in result.output
    )

    files = {p.name for p in out.iterdir()}
    assert {
        "model.safetensors",
        "config.json",
        "generation_config.json",
        "tokenizer.json",
        "README.md",
    } <= files
    assert not any(f.endswith((".bin", ".pt")) for f in files)
    tok_cfg = json.loads((out / "tokenizer_config.json").read_text())
    assert "chat_template.jinja" in files or tok_cfg.get("chat_template")

    # a fresh interpreter: isolated mode, temp cwd, mathforge blocked; same greedy tokens
    proc = subprocess.run(
        [sys.executable, "-I", "-c", FRESH, str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    exported_ids = json.loads(proc.stdout.strip().splitlines()[-1])
    assert exported_ids == _greedy_ids(run["final"]) and len(exported_ids) == 8

    # the card: front matter and tables from the run's files
    card = (out / "README.md").read_text()
    meta = card_numbers(card)
    assert meta["license"] == "mit" and meta["base_model"] == "acme/tiny-math"
    assert "sft" in meta["tags"] and meta["datasets"] == ["data/sft.clean.jsonl"]
    metrics = json.loads(run["metrics"].read_text())
    m = metrics["benchmarks"]["synth"]
    [entry] = meta["model-index"][0]["results"]
    assert entry["dataset"]["name"] == "synth"
    values = {x["type"]: x["value"] for x in entry["metrics"]}
    assert values["accuracy"] == round(100 * m["accuracy"], 2)
    assert values["maj@2"] == round(100 * m["maj@k"]["accuracy"], 2)
    assert values["pass@2"] == round(100 * m["pass@k"]["2"], 2)
    lo, hi = m["ci95"]
    grader = metrics["run"]["grader"]["version"]
    row = (
        f"| synth | accuracy | {100 * m['accuracy']:.1f} | {100 * lo:.1f}–{100 * hi:.1f} | "
        f"{metrics['run']['prompt']} | {m['items']} | 2 | 0.7 | {grader} |"
    )
    assert row in card
    assert "| sft | `acme/tiny-math` | 7 | 3.1416 | 5e-05 | 512 | 0 | 1.5 |" in card
    # decontamination from the ledger; data mix counted from the training file
    assert "| synth | 1 | 1 records | `data/sft.clean.ledger.jsonl` |" in card
    clean = [json.loads(x) for x in (run["run"] / "data" / "sft.clean.jsonl").read_text().splitlines()]
    for source in {r["source"] for r in clean}:
        n = sum(r["source"] == source for r in clean)
        assert f"| sft | `data/sft.clean.jsonl` | {source} | {n} |" in card
    assert "web/forum" not in card  # the planted record was removed before training
    assert (
        "## Intended use and limits" in card
        and "`mit` (from the card of the base model, acme/tiny-math)" in card
    )
    assert str(tmp_path) not in card and str(run["root"]) not in card  # no machine paths in a shared card


def test_push_without_a_token_or_offline_is_one_clear_line(run, tmp_path, monkeypatch):
    hub = pytest.importorskip("huggingface_hub")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.setattr(hub.constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    monkeypatch.setattr(hub.constants, "HF_HUB_OFFLINE", False)
    out = tmp_path / "push"
    args = ["export", str(run["run"] / "sft"), "--out", str(out), "--push", "acme/tiny-math-sft"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    err = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert err == [
        "error: cannot push: no Hugging Face token found (set HF_TOKEN or run `hf auth login`); "
        f"the export is in {out}"
    ]
    assert (out / "model.safetensors").is_file()  # the export itself is done

    monkeypatch.setattr(hub.constants, "HF_HUB_OFFLINE", True)
    result = CliRunner().invoke(app, [*args, "--overwrite"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        f"error: cannot push: HF_HUB_OFFLINE is set (offline mode); the export is in {out}" in result.output
    )


def _fake_checkpoint(path: Path, arch: str = "Qwen2ForCausalLM") -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"architectures": [arch]}))
    return path


def test_what_each_kind_of_source_resolves_to(run, tmp_path):
    # a checkpoint, and the stage folder around it: same model, manifest found either way
    for src in (run["final"], run["run"] / "sft"):
        plan = resolve(src)
        assert plan.model.resolve() == run["final"].resolve()
        assert [s.stage for s in plan.stages] == ["sft"] and plan.base_model == "acme/tiny-math"
        assert len(plan.metrics) == 0  # eval results live outside the stage folder: pass --eval
    plan = resolve(run["final"], eval_files=[run["metrics"].parent])
    assert [p for p, _ in plan.metrics] == [run["metrics"]]
    assert eval_rows(plan.metrics[0][1])[0]["metric"] == "accuracy"

    # a recipe-like run: the last causal-LM stage wins, the reward model never does
    rundir = tmp_path / "recipe"
    for stage in ("cpt", "sft", "rm"):
        _fake_checkpoint(
            rundir / stage / "final",
            "Qwen2ForSequenceClassification" if stage == "rm" else "Qwen2ForCausalLM",
        )
        (rundir / stage / "manifest.json").write_text(
            json.dumps({"stage": "pretrain" if stage == "cpt" else stage, "config": {}})
        )
    assert resolve(rundir).model == rundir / "sft" / "final"
    # decontamination summaries found in the run: a recipe stage marker (its ledger is not counted
    # again) and a corpus report
    (rundir / "decontam").mkdir()
    marker = {
        "files": {"sft": {"records": 10, "removed": 2, "per_benchmark": {"gsm8k": 2}}},
        "flagged_items": {"gsm8k": ["g1", "g2"]},
    }
    (rundir / "decontam" / "stage.json").write_text(json.dumps({"summary": marker}))
    (rundir / "decontam" / "sft.ledger.jsonl").write_text(
        json.dumps({"line": 1, "benchmark": "gsm8k", "item": "g1"})
    )
    (rundir / "corpus").mkdir()
    report = {"decontamination": {"math500": {"documents": 5, "benchmark_items": 3}}}
    (rundir / "corpus" / "report.json").write_text(json.dumps(report))
    rows = [
        (r.benchmark, r.items_flagged, r.records_removed, r.unit, r.source) for r in resolve(rundir).decontam
    ]
    assert sorted(rows) == [
        ("gsm8k", 2, 2, "records", "decontam/stage.json"),
        ("math500", 3, 5, "documents", "corpus/report.json"),
    ]
    # export.json points elsewhere, with metrics and licence
    (rundir / "export.json").write_text(
        json.dumps(
            {"model": "cpt/final", "metrics": [str(run["metrics"])], "license": "apache-2.0", "name": "m"}
        )
    )
    plan = resolve(rundir)
    assert (
        plan.model == (rundir / "cpt" / "final").resolve()
        and plan.license == "apache-2.0"
        and plan.name == "m"
    )
    assert len(plan.metrics) == 1

    with pytest.raises(ExportError, match="not a causal language model"):
        resolve(rundir / "rm" / "final")
    with pytest.raises(ExportError, match="not a checkpoint"):
        resolve(_empty(tmp_path))
    with pytest.raises(ExportError, match=r"not a metrics\.json"):
        resolve(run["final"], eval_files=[run["run"] / "sft" / "manifest.json"])
    result = CliRunner().invoke(app, ["export", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and result.output.strip().endswith("nowhere: no such folder")


def _empty(tmp_path: Path) -> Path:
    d = tmp_path / "empty"
    d.mkdir()
    return d


def test_refuses_to_overwrite_a_folder_that_is_not_an_export(run, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["export", str(run["final"]), "--out", str(out)])
    assert result.exit_code == 2 and "is not empty" in result.output
    result = CliRunner().invoke(app, ["export", str(run["final"]), "--out", str(out), "--overwrite"])
    assert result.exit_code == 2 and "refusing to overwrite" in result.output
    assert (out / "notes.txt").read_text() == "keep me"
    shutil.rmtree(out)
