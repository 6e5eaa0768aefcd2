"""`mathforge export` reads the one manifest format every stage writes. Two real runs: the smoke recipe
(every stage, its manifests as the recipe leaves them) and stand-alone commands (`mathforge train sft`
from a Hub-cache base model with a licence, `mathforge decontam` of data with a planted benchmark
question, `mathforge eval` of the trained model and of another one). The cards' numbers are checked
against those files; the exported folder is loaded by a fresh interpreter without mathforge; a missing
or odd manifest is one `error:` line."""

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
pytest.importorskip("trl")
pytest.importorskip("huggingface_hub")

from typer.testing import CliRunner

from mathforge.cli.main import app
from mathforge.export import ExportError, card_numbers, eval_rows, model_card, resolve

PROMPT = "What is 3 plus 4?"


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def recipe_run(tmp_path_factory):
    """The smoke recipe, run for real (about a minute on CPU)."""
    from mathforge.recipe import run_recipe

    out = tmp_path_factory.mktemp("recipe") / "run"
    run_recipe(smoke=True, output=str(out), log=lambda m: None)
    return out


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    """A run folder as `mathforge train sft`, `mathforge decontam` and `mathforge eval` leave it."""
    from mathforge.corpus.decontam_file import DecontamFilesConfig, run_decontam
    from mathforge.evaluate import EvalConfig, run_eval
    from mathforge.models.tiny import build_tiny_model
    from mathforge.synth import generate
    from mathforge.synth.io import sft_records, write_benchmark
    from mathforge.train import StageConfig, train_stage

    root = tmp_path_factory.mktemp("export")
    bench = root / "bench"
    heldout = generate(["arithmetic", "linear_equations"], n=3, seed=1, execute=False)
    write_benchmark(bench, heldout, {"seed": 1}, 0.0)
    train = generate(["arithmetic", "linear_equations"], n=6, seed=0, execute=False)
    texts = [f"{i.question} {i.cot}" for i in train.items]

    # the base model, as a Hugging Face cache snapshot with a licence in its card
    base = root / "hub" / "models--acme--tiny-math" / "snapshots" / "abc123"
    build_tiny_model(base, texts * 5, vocab_size=400)
    (base / "README.md").write_text("---\nlicense: mit\nlanguage: [en]\n---\n# tiny-math\n")

    # training data with one planted benchmark question, through `mathforge decontam --out`
    run = root / "run"
    data = run / "data"
    data.mkdir(parents=True)
    records = [r for i in train.items for r in sft_records(i)]
    records.append(
        {"source": "web/forum", "messages": [{"role": "user", "content": heldout.items[0].question}]}
    )
    (data / "sft.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    dec = run_decontam(
        DecontamFilesConfig(
            inputs=[str(data / "sft.jsonl")],
            out=str(data / "clean"),
            data_dir=str(bench),
            benchmarks=["synth"],
        )
    )
    [rep] = dec.reports
    assert rep.removed == 1 and rep.per_benchmark == {"synth": 1}

    # `mathforge train sft`, for real: its manifest is what the export follows
    cfg = StageConfig(
        stage="sft",
        model=str(base),
        output_dir=str(run / "sft"),
        data=[str(rep.clean)],
        max_steps=3,
        seq_len=128,
        per_device_batch_size=4,
        learning_rate=2e-3,
        logging_steps=1,
        save_steps=100,
        report_to=[],
    )
    final = Path(train_stage(cfg)["final_model"])

    # real evaluation results for the trained model, and for the base model (to be skipped)
    for name, model in (("sft", final), ("base", base)):
        run_eval(
            EvalConfig(
                model=str(model),
                backend="hf",
                benchmarks=["synth"],
                data_dir=str(bench),
                out=str(run / "eval" / name),
                n=2,
                temperature=0.7,
                max_tokens=8,
            )
        )
    return {
        "root": root,
        "run": run,
        "final": final,
        "base": base,
        "metrics": run / "eval" / "sft" / "metrics.json",
    }


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


def _export(source: Path, out: Path, *extra: str):
    return CliRunner().invoke(app, ["export", str(source), "--out", str(out), *extra])


def _error_lines(output: str) -> list[str]:
    assert "Traceback" not in output
    return [line for line in output.splitlines() if line.startswith("error:")]


def _accuracy_entries(meta: dict) -> dict[str, float]:
    return {
        e["dataset"]["name"]: next(m["value"] for m in e["metrics"] if m["type"] == "accuracy")
        for e in meta["model-index"][0]["results"]
    }


def test_recipe_run_exports_its_last_stage_with_the_run_numbers_and_loads_without_mathforge(
    recipe_run, tmp_path
):
    out = tmp_path / "exported"
    result = _export(recipe_run, out)
    assert result.exit_code == 0, result.output
    final = recipe_run / "grpo" / "final"
    assert f"exported {final} →" in result.output
    for other in ("general", "cpt", "sft", "sft_nocpt"):  # every other model's results are skipped
        assert (
            f"skipped {recipe_run / 'eval' / other / 'synth' / 'metrics.json'}: evaluated another model"
            in (result.output)
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
    # a fresh interpreter: isolated mode, temp cwd, mathforge blocked; the same greedy tokens
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
    assert exported_ids == _greedy_ids(final) and len(exported_ids) == 8

    card = (out / "README.md").read_text()
    meta = card_numbers(card)
    # the training chain, followed through the manifests: base → general → cpt → sft → grpo
    base = _read(recipe_run / "base" / "manifest.json")["summary"]
    assert base["kind"] == "scratch" and "base_model" not in meta and "license" not in meta
    assert (
        f"none — trained from scratch (a randomly initialised {base['architecture']} model "
        f"with {base['params']:,} parameters)." in card
    )
    chain = ["general", "cpt", "sft", "grpo"]
    assert meta["tags"] == ["math", "mathforge", *chain]
    for stage, started in zip(chain, ["base/model", "general/final", "cpt/final", "sft/final"], strict=True):
        man = _read(recipe_run / stage / "manifest.json")
        s, c = man["summary"], man["config"]["section"]
        assert Path(s["start_model"]) == recipe_run / started
        row = (
            f"| {stage} | `{started}` | {s['steps']} | {s['train_loss']:.4f} | {c['learning_rate']} | "
            f"{c['seq_len']} | {c['lora_r']} | {s['seconds']} |"
        )
        assert row in card
    # the data mix, counted from the file the sft stage read
    sft_data = [json.loads(x) for x in (recipe_run / "decontam" / "sft.jsonl").read_text().splitlines()]
    for source in {r["source"] for r in sft_data}:
        n = sum(r["source"] == source for r in sft_data)
        assert f"| sft | `decontam/sft.jsonl` | {source} | {n} |" in card

    # evaluation: exactly the grpo model's metrics.json files, numbers as in them
    evals = sorted((recipe_run / "eval" / "grpo").glob("*/metrics.json"))
    assert evals and sorted(_accuracy_entries(meta)) == sorted(p.parent.name for p in evals)
    for path in evals:
        metrics = _read(path)
        [(bench, m)] = metrics["benchmarks"].items()
        assert metrics["run"]["model"] == str(final)
        assert _accuracy_entries(meta)[bench] == round(100 * m["accuracy"], 2)
        lo, hi = m["ci95"]
        assert f"| {bench} | accuracy | {100 * m['accuracy']:.1f} | {100 * lo:.1f}–{100 * hi:.1f} | " in card

    # decontamination: the recipe's decontam and corpus manifests, each counted once
    dec = _read(recipe_run / "decontam" / "manifest.json")["summary"]
    for bench in dec["benchmarks"]:
        flagged = len(dec["flagged_items"].get(bench, []))
        removed = sum(f["per_benchmark"].get(bench, 0) for f in dec["files"].values())
        assert f"| {bench} | {flagged} | {removed} records | `decontam/manifest.json` |" in card
    checked = sum(f["records"] for f in dec["files"].values())
    assert f"- `decontam/manifest.json` (decontam): {checked} records checked" in card
    corpus = _read(recipe_run / "corpus" / "manifest.json")["summary"]
    assert f"- `corpus/manifest.json` (corpus): {corpus['documents']} documents checked" in card
    assert "corpus/out/manifest.json" not in card and ".ledger.jsonl" not in card
    assert "Unknown — set before sharing" in card
    assert str(recipe_run.parent) not in card  # no machine paths in a shared card


def test_standalone_commands_give_the_base_licence_decontamination_and_eval(standalone, tmp_path):
    run = standalone["run"]
    out = tmp_path / "exported"
    result = _export(run, out)
    assert result.exit_code == 0, result.output
    assert f"skipped {run / 'eval' / 'base' / 'metrics.json'}: evaluated another model" in result.output

    card = (out / "README.md").read_text()
    meta = card_numbers(card)
    assert meta["license"] == "mit" and meta["base_model"] == "acme/tiny-math"
    assert meta["tags"] == ["math", "mathforge", "sft"] and meta["datasets"] == ["data/clean/sft.clean.jsonl"]
    assert "`mit` (from the card of the base model, acme/tiny-math)" in card

    man = _read(run / "sft" / "manifest.json")
    s, c = man["summary"], man["config"]
    assert c["model"] == s["start_model"] == str(standalone["base"])
    assert (
        f"| sft | `acme/tiny-math` | 3 | {s['train_loss']:.4f} | 0.002 | 128 | 0 | {s['seconds']} |" in card
    )

    metrics = _read(standalone["metrics"])
    m = metrics["benchmarks"]["synth"]
    [entry] = meta["model-index"][0]["results"]
    values = {x["type"]: x["value"] for x in entry["metrics"]}
    assert values == {
        "accuracy": round(100 * m["accuracy"], 2),
        "maj@2": round(100 * m["maj@k"]["accuracy"], 2),
        "pass@2": round(100 * m["pass@k"]["2"], 2),
    }
    lo, hi = m["ci95"]
    grader = metrics["run"]["grader"]["version"]
    assert (
        f"| synth | accuracy | {100 * m['accuracy']:.1f} | {100 * lo:.1f}–{100 * hi:.1f} | "
        f"{metrics['run']['prompt']} | {m['items']} | 2 | 0.7 | {grader} |"
    ) in card

    # decontamination: the `mathforge decontam` manifest, items flagged from its own ledger
    dec = _read(run / "data" / "clean" / "manifest.json")["summary"]["sft.jsonl"]
    assert dec["per_benchmark"] == {"synth": 1}
    assert "| synth | 1 | 1 records | `data/clean/manifest.json` |" in card
    assert f"- `data/clean/manifest.json` (decontam): {dec['records']} records checked against synth." in card
    assert card.count("| synth | 1 |") == 1  # the ledger beside the manifest is not counted again
    clean = [json.loads(x) for x in (run / "data" / "clean" / "sft.clean.jsonl").read_text().splitlines()]
    for source in {r["source"] for r in clean}:
        n = sum(r["source"] == source for r in clean)
        assert f"| sft | `data/clean/sft.clean.jsonl` | {source} | {n} |" in card
    assert "web/forum" not in card  # the planted record was removed before training
    assert str(standalone["root"]) not in card


def _fake_checkpoint(path: Path, arch: str = "Qwen2ForCausalLM") -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"architectures": [arch]}))
    return path


def _training_manifest(stage_dir: Path, stage: str, start: str) -> None:
    (stage_dir / "manifest.json").write_text(
        json.dumps(
            {
                "stage": stage,
                "config": {"model": start},
                "outputs": {"model": "final"},
                "summary": {"final_model": str(stage_dir / "final"), "start_model": start, "steps": 1},
            }
        )
    )


def test_what_each_kind_of_source_resolves_to(standalone, recipe_run, tmp_path):
    # a checkpoint, and the stage folder around it: same model, same one-stage chain
    for src in (standalone["final"], standalone["run"] / "sft"):
        plan = resolve(src)
        assert plan.model.resolve() == standalone["final"].resolve()
        assert [s.stage for s in plan.stages] == ["sft"] and plan.base_model == "acme/tiny-math"
        assert plan.metrics == []  # a stand-alone stage's eval results live outside it: pass --eval
    plan = resolve(standalone["final"], eval_files=[standalone["metrics"].parent])
    assert [p for p, _ in plan.metrics] == [standalone["metrics"]]
    assert eval_rows(plan.metrics[0][1])[0]["metric"] == "accuracy"
    # a recipe's stage folder or checkpoint: the recipe run around it is searched
    assert resolve(recipe_run / "sft" / "final").root == recipe_run
    plan = resolve(recipe_run / "sft")
    assert plan.model == recipe_run / "sft" / "final" and plan.root == recipe_run
    assert [s.stage for s in plan.stages] == ["general", "cpt", "sft"]
    assert {p.parent.parent.name for p, _ in plan.metrics} == {"sft"}
    assert [plan.rel(d.path) for d in plan.decontam] == ["corpus/manifest.json", "decontam/manifest.json"]

    # a run of stages: grpo before sft, never the reward model; export.json overrides the choice
    rundir = tmp_path / "run"
    for stage in ("cpt", "sft", "rm"):
        arch = "Qwen2ForSequenceClassification" if stage == "rm" else "Qwen2ForCausalLM"
        _fake_checkpoint(rundir / stage / "final", arch)
        _training_manifest(rundir / stage, "pretrain" if stage == "cpt" else stage, "acme/base")
    plan = resolve(rundir)
    assert plan.model == rundir / "sft" / "final" and plan.base_model == "acme/base"
    (rundir / "export.json").write_text(
        json.dumps({"model": "cpt/final", "metrics": [str(standalone["metrics"])], "license": "apache-2.0"})
    )
    plan = resolve(rundir)
    assert plan.model == (rundir / "cpt" / "final").resolve() and plan.license == "apache-2.0"
    assert len(plan.metrics) == 1 and plan.license_source == "export.json"

    with pytest.raises(ExportError, match="not a causal language model"):
        resolve(rundir / "rm" / "final")
    with pytest.raises(ExportError, match=r"not a metrics\.json"):
        resolve(standalone["final"], eval_files=[standalone["run"] / "sft" / "manifest.json"])
    with pytest.raises(ExportError, match="holds no decontamination summary"):
        resolve(standalone["final"], decontam_files=[standalone["run"] / "sft" / "manifest.json"])


def test_every_decontamination_summary_and_nonzero_eval_numbers_reach_the_card(standalone, tmp_path):
    """The manifests the recipe's decontam, corpus and synth stages write (here with hits, which the
    smoke run has none of), and eval numbers that are not all zero."""
    from mathforge.stage_io import write_json, write_manifest

    run = tmp_path / "run"
    _fake_checkpoint(run / "sft" / "final")
    _training_manifest(run / "sft", "sft", "acme/base")
    recipe = {"stage": "decontam", "section": None, "recipe": {"name": "t"}, "base": {}, "smoke": True}
    flagged = {"gsm8k": ["g1", "g2"], "synth": ["s1"]}
    write_manifest(
        run / "decontam",
        stage="decontam",
        config=recipe,
        summary={
            "files": {
                "sft": {"records": 40, "removed": 3, "per_benchmark": {"gsm8k": 2, "synth": 1}},
                "grpo": {"records": 20, "removed": 1, "per_benchmark": {"gsm8k": 1}},
            },
            "benchmarks": ["gsm8k", "math500"],
            "not_checked": ["aime24"],
            "flagged_items": flagged,
        },
        key="k1",
    )
    (run / "decontam" / "sft.ledger.jsonl").write_text(
        json.dumps({"line": 1, "benchmark": "gsm8k", "item": "g1"})
    )
    corpus = {
        "documents": 30,
        "kept": 25,
        "decontamination": {"gsm8k": {"documents": 3, "benchmark_items": 2}},
    }
    write_manifest(
        run / "corpus", stage="corpus", config={**recipe, "stage": "corpus"}, summary=corpus, key="k2"
    )
    write_manifest(run / "corpus" / "out", stage="corpus", config={}, summary=corpus)  # the library's own
    synth = {
        "counts": {"items": 9, "contaminated": 2},
        "contaminated": [["a", "math500/m1"], ["b", "math500/m7"]],
    }
    write_manifest(run / "synth", stage="synth", config={}, summary=synth)

    metrics = _read(standalone["metrics"])
    metrics["run"]["model"] = str(run / "sft" / "final")
    m = metrics["benchmarks"]["synth"]
    m.update({"accuracy": 0.5, "ci95": [0.25, 0.75], "maj@k": {"k": 2, "accuracy": 0.25}})
    m["pass@k"] = {"1": 0.5, "2": 0.75}
    write_json(run / "eval" / "metrics.json", metrics)
    write_manifest(run / "eval", stage="eval", config={}, outputs={"metrics": "metrics.json"}, summary={})

    card = model_card(resolve(run), chat_template=True)
    rows = [
        "| gsm8k | 2 | 3 records | `decontam/manifest.json` |",
        "| math500 | 0 | 0 records | `decontam/manifest.json` |",
        "| synth | 1 | 1 records | `decontam/manifest.json` |",
        "| gsm8k | 2 | 3 documents | `corpus/manifest.json` |",
        "| math500 | 2 | 2 generated problems | `synth/manifest.json` |",
    ]
    table = [line for line in card.splitlines() if line.endswith("manifest.json` |")]
    assert sorted(table) == sorted(rows)
    assert "- `decontam/manifest.json` (decontam): 60 records checked against gsm8k, math500; " in card
    assert "not checked against aime24 (no benchmark data)." in card
    assert "- `corpus/manifest.json` (corpus): 30 documents checked." in card
    values = {x["type"]: x["value"] for x in card_numbers(card)["model-index"][0]["results"][0]["metrics"]}
    assert values == {"accuracy": 50.0, "maj@2": 25.0, "pass@2": 75.0}
    assert "| synth | accuracy | 50.0 | 25.0–75.0 | " in card and "| synth | pass@2 | 75.0 | – | " in card


def test_a_missing_or_odd_manifest_is_one_clear_line(tmp_path):
    def one_error(source: Path) -> str:
        result = _export(source, tmp_path / "out")
        assert result.exit_code == 2, result.output
        [line] = _error_lines(result.output)
        assert not (tmp_path / "out").exists()
        return line

    # a stage folder whose manifest is missing
    stage = tmp_path / "stage"
    _fake_checkpoint(stage / "final")
    assert one_error(stage) == (
        f"error: {stage}: final/ has no manifest.json beside it, so its recipe is unknown; "
        f"pass {stage / 'final'} to export the checkpoint alone"
    )
    # not JSON, not an object, no stage
    for text, why in (
        ('{"stage": "sft", ', "bad JSON: Expecting property name enclosed in double quotes at line 1"),
        ("[1, 2]", 'no "stage" entry'),
        ('{"config": {}}', 'no "stage" entry'),
        ('{"stage": "sft", "summary": [1]}', '"summary" is not an object'),
    ):
        (stage / "manifest.json").write_text(text)
        assert one_error(stage) == f"error: {stage / 'manifest.json'}: not a stage manifest ({why})"
    # an odd manifest up the chain, and one met while searching the run, stop the export too
    _training_manifest(stage, "sft", str(tmp_path / "pre" / "final"))
    _fake_checkpoint(tmp_path / "pre" / "final")
    (tmp_path / "pre" / "manifest.json").write_text("not json")
    assert one_error(stage).startswith(f"error: {tmp_path / 'pre' / 'manifest.json'}: not a stage manifest")
    (tmp_path / "pre" / "manifest.json").unlink()
    (stage / "eval").mkdir()
    (stage / "eval" / "manifest.json").write_text('{"stage": "eval", "outputs": {"metrics": "metrics.json"}}')
    assert one_error(stage) == (
        f"error: {stage / 'eval' / 'metrics.json'}: named by {stage / 'eval' / 'manifest.json'} "
        "but not a metrics.json of mathforge eval"
    )
    # a run folder without any training manifest, and no folder at all
    empty = tmp_path / "empty"
    (empty / "notes").mkdir(parents=True)
    assert "no stage folder with a training manifest.json" in one_error(empty)
    assert one_error(tmp_path / "nowhere") == f"error: {tmp_path / 'nowhere'}: no such folder"


def test_push_needs_network_permission_a_token_and_online_mode_each_one_line(
    standalone, tmp_path, monkeypatch
):
    import huggingface_hub as hub

    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.setattr(hub.constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    monkeypatch.setattr(hub.constants, "HF_HUB_OFFLINE", False)
    out = tmp_path / "push"

    def one_error(*extra: str) -> str:
        result = _export(standalone["run"] / "sft", out, "--push", "acme/tiny-math-sft", *extra)
        assert result.exit_code == 1, result.output
        [line] = _error_lines(result.output)
        assert (out / "model.safetensors").is_file()  # the export itself is done
        return line

    assert one_error() == (
        f"error: cannot push: uploading needs network access; pass --allow-network (the export is in {out})"
    )
    assert one_error("--overwrite", "--allow-network") == (
        "error: cannot push: no Hugging Face token found (set HF_TOKEN or run `hf auth login`); "
        f"the export is in {out}"
    )
    monkeypatch.setattr(hub.constants, "HF_HUB_OFFLINE", True)
    assert one_error("--overwrite", "--allow-network") == (
        f"error: cannot push: HF_HUB_OFFLINE is set (offline mode); the export is in {out}"
    )


def test_refuses_to_overwrite_a_folder_that_is_not_an_export(standalone, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = _export(standalone["final"], out)
    assert result.exit_code == 2 and "is not empty" in result.output
    result = _export(standalone["final"], out, "--overwrite")
    assert result.exit_code == 2 and "refusing to overwrite" in result.output
    assert (out / "notes.txt").read_text() == "keep me"
    shutil.rmtree(out)
