"""The recipe's stages, and the table that wires them (:data:`STAGES`). Each stage takes the run context
and returns a JSON-able summary; everything it makes lives under ``RUN/<stage>/``. The heavy lifting is
the library — corpus pipeline, synth, decontamination, ``mathforge.train`` stages and ``run_eval`` — so
each function here only says which outputs of earlier stages feed which library call."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mathforge.config import to_dict
from mathforge.recipe.config import RecipeError
from mathforge.recipe.context import Context
from mathforge.recipe.sections import CorpusSection
from mathforge.stage_io import read_jsonl, write_json, write_jsonl

# ------------------------------------------------------------------ general text


def general_texts(source: str, limit_chars: int | None = None) -> list[str]:
    """General (non-math) English text available on every machine, no download.

    ``python-docs``: the Python documentation topics that CPython ships for ``help()``
    (``pydoc_data.topics``, about 0.5 MB of prose and code, PSF licence)."""
    if source != "python-docs":
        raise RecipeError(f"[base] general_text = {source!r}: the offline source available is 'python-docs'")
    import pydoc_data.topics as topics

    texts = [v for _, v in sorted(topics.topics.items())]
    if limit_chars:
        out, size = [], 0
        for t in texts:
            out.append(t)
            size += len(t)
            if size >= limit_chars:
                break
        texts = out
    return texts


# ------------------------------------------------------------------ stages


def stage_base(ctx: Context) -> dict[str, Any]:
    sec = ctx.recipe.section("base")
    kind = sec.kind
    if kind == "scratch":
        from mathforge.models.tiny import build_tiny_model
        from mathforge.synth import generate

        texts = general_texts(sec.general_text)
        # the tokenizer must also know the math notation and Chinese the later stages use
        sample = generate(sec.tokenizer_families, n=400, seed=12345, execute=False)
        texts += [f"{i.question} {i.cot}" for i in sample.items]
        path = build_tiny_model(
            ctx.dir("base") / "model",
            texts,
            vocab_size=sec.vocab_size,
            hidden_size=sec.hidden_size,
            layers=sec.layers,
            heads=sec.heads,
            seed=ctx.recipe.seed,
            split_digits=sec.split_digits,
        )
        model = str(path)
    elif kind == "pretrained":
        name = sec.model
        if name == "smollm2":
            from mathforge.models.smollm2 import hf_dir

            model = str(hf_dir())
        elif Path(name).exists():
            model = name
        else:
            model = name  # a hub id: loaded by transformers when network is allowed
    else:
        raise RecipeError(f"[base] kind = {kind!r}: use 'scratch' or 'pretrained'")
    from transformers import AutoConfig

    cfg = AutoConfig.from_pretrained(model)
    params = _param_count(cfg)
    return {"model": model, "kind": kind, "params": params, "architecture": cfg.model_type}


def _param_count(cfg) -> int:
    """Parameters from a config (no weights loaded): embeddings plus transformer blocks."""
    h, layers = cfg.hidden_size, cfg.num_hidden_layers
    inter = getattr(cfg, "intermediate_size", 4 * h)
    kv = getattr(cfg, "num_key_value_heads", cfg.num_attention_heads)
    head = h // cfg.num_attention_heads
    attn = h * h * 2 + 2 * h * kv * head
    emb = cfg.vocab_size * h * (1 if getattr(cfg, "tie_word_embeddings", True) else 2)
    return int(emb + layers * (attn + 3 * h * inter))


class _StatusCallback:
    """Feeds the recipe's status line from a training stage: step, loss or reward. Built lazily as a
    transformers TrainerCallback so importing the recipe does not import transformers."""

    def __new__(cls, status: Callable[[str], None], max_steps: int):
        from transformers import TrainerCallback

        class StatusCallback(TrainerCallback):
            def on_log(self, args, state, control, logs=None, **kw):
                logs = logs or {}
                key = next((k for k in ("reward", "loss", "train_loss") if k in logs), None)
                value = f" · {key} {logs[key]:.4g}" if key else ""
                status(f"step {state.global_step}/{max_steps}{value}")

        return StatusCallback()


def _train(
    ctx: Context, stage: str, train_stage_name: str, model: str, data: list[str], **extra
) -> dict[str, Any]:
    from mathforge.train import StageConfig, train_stage

    settings = to_dict(ctx.recipe.section(stage))
    settings.pop("enabled")
    cfg = StageConfig(
        stage=train_stage_name,
        model=model,
        output_dir=str(ctx.dir(stage)),
        data=data,
        **(settings | extra),
    )
    summary = train_stage(cfg, callbacks=[_StatusCallback(ctx.status, cfg.max_steps)])
    return {k: v for k, v in summary.items() if k != "log"} | {"log": summary.get("log", [])[-200:]}


def stage_general(ctx: Context) -> dict[str, Any]:
    sec = ctx.recipe.section("base")
    data = ctx.dir("general") / "general.jsonl"
    write_jsonl(data, ({"text": t} for t in general_texts(sec.general_text)))
    return _train(ctx, "general", "pretrain", ctx.model_after("base"), [str(data)])


def stage_corpus(ctx: Context) -> dict[str, Any]:
    """Generated math documents (HTML pages with MathJax, LaTeX notes, JSONL) plus some general text,
    through the corpus pipeline (extract, langid, filters, dedup, decontamination against the
    held-out evaluation set and the benchmarks)."""
    from mathforge.corpus.config import CorpusConfig, DecontamConfig, InputConfig, RunConfig
    from mathforge.corpus.pipeline import run_corpus

    sec = ctx.recipe.section("corpus")
    root = ctx.dir("corpus")
    inputs = root / "input"
    if inputs.exists():
        shutil.rmtree(inputs)
    if sec.inputs:  # the user's crawl (WARC, Parquet, LaTeX …), not generated documents
        return _run_user_corpus(ctx, sec)
    heldout = Path(ctx.summaries["synth"]["heldout_dir"]) / "synth" / "test.jsonl"
    from mathforge.synth.generate import question_key

    exclude = {question_key(x["question"]) for x in read_jsonl(heldout)}
    made = write_math_documents(inputs, sec, ctx.recipe.seed, exclude)
    cfg = CorpusConfig(
        output=str(root / "out"),
        input=InputConfig(paths=[str(inputs)]),
        run=RunConfig(workers=1, files_per_shard=50),
        filters=sec.filters,
        decontam=DecontamConfig(enabled=False),
    )
    cfg.langid.keep = ["en", "zh"]
    # decontaminate against the held-out set and every benchmark present: one folder linking both
    evaldata = root / "evaldata"
    if evaldata.exists():
        shutil.rmtree(evaldata)
    evaldata.mkdir(parents=True)
    (evaldata / "synth").symlink_to(Path(ctx.summaries["synth"]["heldout_dir"]).resolve() / "synth")
    bench = ctx.benchmark_dir()
    if bench:
        for sub in Path(bench).iterdir():
            if sub.is_dir() and sub.name != "synth":
                (evaldata / sub.name).symlink_to(sub.resolve())
    cfg.decontam = DecontamConfig(enabled=True, data_dir=str(evaldata))
    result = run_corpus(cfg)
    rep = result.report
    return {
        "generated": made,
        "kept": rep["kept"],
        "documents": rep["documents"],
        "funnel": rep["funnel"],
        "decontamination": rep["decontamination"],
        "report": str(result.html_path),
        "docs": sorted(str(p) for p in (root / "out" / "docs").glob("*.jsonl")),
    }


def _run_user_corpus(ctx: Context, sec: CorpusSection) -> dict[str, Any]:
    from mathforge.corpus.config import ClassifyConfig, CorpusConfig, DecontamConfig, InputConfig, RunConfig
    from mathforge.corpus.pipeline import run_corpus

    root = ctx.dir("corpus")
    cfg = CorpusConfig(
        output=str(root / "out"),
        input=InputConfig(paths=list(sec.inputs)),
        run=RunConfig(
            executor=sec.executor,
            workers=sec.workers,
            ray_address=sec.ray_address,
        ),
        classify=ClassifyConfig(model=sec.classifier, threshold=sec.threshold),
        decontam=DecontamConfig(enabled=bool(ctx.benchmark_dir()), data_dir=ctx.benchmark_dir() or ""),
    )
    rep = run_corpus(cfg).report
    return {
        "kept": rep["kept"],
        "documents": rep["documents"],
        "funnel": rep["funnel"],
        "decontamination": rep["decontamination"],
        "docs": sorted(str(p) for p in (root / "out" / "docs").glob("*.jsonl")),
    }


def write_math_documents(
    folder: Path, sec: CorpusSection, seed: int, exclude: set[str] | None = None
) -> dict[str, int]:
    """Worked examples of the recipe's families written as the web and books write them: HTML lesson
    pages (MathJax ``\\(…\\)``), LaTeX notes and JSONL records, in English and Chinese."""
    from mathforge.synth import generate

    n = sec.documents
    per_doc = sec.examples_per_document
    rep = generate(
        sec.families,
        n=n * per_doc,
        seed=seed + 7,
        levels=sec.levels,
        execute=False,
        exclude=exclude,
    )
    rng = random.Random(seed)
    items = rep.items
    rng.shuffle(items)
    items.sort(key=lambda i: i.language)  # one language per document
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"html": 0, "latex": 0, "jsonl": 0}
    records = []
    for d in range(0, len(items), per_doc):
        chunk = items[d : d + per_doc]
        lang = chunk[0].language
        kind = ("html", "latex", "jsonl")[d // per_doc % 3]
        title = "Worked examples" if lang == "en" else "例题讲解"
        body = [
            (f"Example {k + 1}. " if lang == "en" else f"例 {k + 1}. ") + f"{i.question}\n{i.cot}"
            for k, i in enumerate(chunk)
        ]
        if kind == "html":
            paras = "".join(f"<p>{b.replace('$', '').replace(chr(10), '<br>')}</p>" for b in _mathjax(body))
            (folder / f"lesson-{d // per_doc:04d}.html").write_text(
                f"<html><head><title>{title}</title><script src='mathjax.js'></script></head><body>"
                f"<nav>Home | Lessons | Contact</nav><article><h1>{title}</h1>{paras}</article>"
                f"<footer>© mathforge lessons</footer></body></html>",
                encoding="utf-8",
            )
        elif kind == "latex":
            tex = "\\documentclass{article}\n% generated notes\n\\begin{document}\n\\section{" + title + "}\n"
            tex += "\n\n".join(body) + "\n\\end{document}\n"
            (folder / f"notes-{d // per_doc:04d}.tex").write_text(tex, encoding="utf-8")
        else:
            records.append({"text": "\n\n".join(body), "url": f"https://lessons.example/{d // per_doc}"})
        counts[kind] += 1
    write_jsonl(folder / "records.jsonl", records)
    return counts


def _mathjax(paragraphs: list[str]) -> list[str]:
    """``$…$`` → ``\\(…\\)`` (MathJax's default inline delimiters) so extraction has real markup to read."""

    return [re.sub(r"\$([^$]+)\$", lambda m: "\\(" + m.group(1) + "\\)", p) for p in paragraphs]


def stage_synth(ctx: Context) -> dict[str, Any]:
    """Training problems (SFT chats, RM responses, GRPO queries) and a held-out evaluation set of fresh
    problems from the same families that no training record contains."""
    from mathforge.synth import generate
    from mathforge.synth.generate import question_key
    from mathforge.synth.io import sft_records, write_benchmark

    sec = ctx.recipe.section("synth")
    seed = ctx.recipe.seed
    fams, levels = sec.families, sec.levels
    langs = sec.langs
    root = ctx.dir("synth")
    # the held-out set is drawn first, so a small problem space cannot be used up by training
    held = generate(fams, n=sec.heldout, seed=seed + 999, levels=levels, langs=langs, execute=False)
    train = generate(
        fams,
        n=sec.n,
        seed=seed + 1,
        levels=levels,
        langs=langs,
        execute=False,
        exclude={question_key(i.question) for i in held.items},
    )
    write_benchmark(
        root / "heldout", held, {"families": fams, "levels": list(levels), "seed": seed + 999}, 0.0
    )
    converted = _converted_gsm8k(ctx, root / "gsm8k")
    n_sft = write_jsonl(
        root / "sft.jsonl",
        [*(r for i in train.items for r in sft_records(i)), *converted.get("sft", [])],
    )
    rng = random.Random(seed)
    n_rm = write_jsonl(
        root / "rm.jsonl",
        (
            {
                "question": i.question,
                "answer": i.answer,
                "language": i.language,
                "responses": [i.cot, *_wrong_versions(i, rng)],
            }
            for i in train.items
        ),
    )
    n_q = write_jsonl(
        root / "grpo.jsonl",
        [
            *({"question": i.question, "answer": i.answer, "language": i.language} for i in train.items),
            *converted.get("grpo", []),
        ],
    )
    return {
        "gsm8k_train": converted.get("summary"),
        "train_items": len(train.items),
        "heldout_items": len(held.items),
        "sft_records": n_sft,
        "rm_records": n_rm,
        "grpo_queries": n_q,
        "families": sorted({i.family for i in train.items}),
        "heldout_dir": str(root / "heldout"),
    }


def _converted_gsm8k(ctx: Context, out: Path) -> dict[str, Any]:
    """``[synth] gsm8k_train``: GSM8K train records converted into verified chats (``mathforge synth
    from-gsm8k``); their SFT records and their questions as GRPO queries. Empty when not asked for."""
    from mathforge.bench import BenchmarkDataError
    from mathforge.synth.from_gsm8k import FromGsm8kConfig, run_from_gsm8k

    sec = ctx.recipe.section("synth")
    if sec.gsm8k_train == 0:
        return {}
    bench = ctx.benchmark_dir()
    if bench is None:
        raise RecipeError(
            f"{ctx.recipe.path}: [synth] gsm8k_train = {sec.gsm8k_train} needs the benchmark data folder "
            "with gsm8k/train.jsonl: pass --data-dir, set MATHFORGE_DATA_DIR, or set gsm8k_train = 0"
        )
    cfg = FromGsm8kConfig(
        out=str(out),
        data_dir=str(bench),
        limit=None if sec.gsm8k_train < 0 else sec.gsm8k_train,
        formats=list(sec.gsm8k_formats),
    )
    ctx.status("converting GSM8K train solutions into programs")
    try:
        result = run_from_gsm8k(cfg)
    except BenchmarkDataError as exc:
        raise RecipeError(f"{ctx.recipe.path}: [synth] gsm8k_train: {exc}") from None
    programs = read_jsonl(result.files["programs"])
    return {
        "sft": read_jsonl(result.files["sft"]),
        "grpo": [{"question": r["question"], "answer": r["answer"], "language": "en"} for r in programs],
        "summary": {
            "out": str(out),
            **result.funnel,
            "sft_records": result.manifest["summary"]["sft_records"],
        },
    }


def _wrong_versions(item, rng: random.Random, k: int = 2) -> list[str]:
    """Wrong solutions for the reward model: the same text with a nearby wrong final answer."""
    out = []
    try:
        value = int(item.answer)
    except ValueError:
        return [item.cot.replace(f"\\boxed{{{item.answer}}}", "\\boxed{0}")] if item.answer != "0" else []
    for delta in rng.sample([-10, -2, -1, 1, 2, 10], k):
        out.append(item.cot.replace(str(value), str(value + delta)))
    return out


def stage_decontam(ctx: Context) -> dict[str, Any]:
    """Remove training records that contain an evaluation item (the held-out set, and the benchmarks
    when their data is present); the ledger joins the evaluation in the report."""
    from mathforge.corpus.decontam import Decontaminator
    from mathforge.corpus.decontam_file import decontaminate_file

    root = ctx.dir("decontam")
    root.mkdir(parents=True, exist_ok=True)
    dec = Decontaminator.from_benchmarks(ctx.summaries["synth"]["heldout_dir"], ["synth"])
    checked, missing = ["synth"], []  # the held-out set, always
    for name, problems in _benchmark_problems(ctx, decontam_benchmarks(ctx)):
        if problems is None:
            missing.append(name)
            continue
        checked.append(name)
        for p in problems:
            dec.add(name, p.id, "question", p.question)
    if missing:
        ctx.log(
            f"  not checked against {', '.join(missing)}: no data (pass --data-dir or set MATHFORGE_DATA_DIR)"
        )
    out: dict[str, Any] = {"files": {}, "benchmarks": checked, "not_checked": missing}
    flagged: dict[str, set] = {}
    for name in ("sft", "rm", "grpo"):
        src = ctx.dir("synth") / f"{name}.jsonl"
        rep = decontaminate_file(src, dec, out=root / f"{name}.jsonl")
        out["files"][name] = {
            "records": rep.records,
            "removed": rep.removed,
            "per_benchmark": dict(rep.per_benchmark),
        }
        for x in read_jsonl(rep.ledger):
            flagged.setdefault(x["benchmark"], set()).add(x["item"])
    out["flagged_items"] = {b: sorted(v) for b, v in flagged.items()}
    write_json(root / "flagged.json", out["flagged_items"])
    return out


def decontam_benchmarks(ctx: Context) -> list[str]:
    """``[decontam] benchmarks`` and every benchmark ``[eval]`` evaluates, in that order, once each."""
    names = [*ctx.recipe.section("decontam").benchmarks, *ctx.recipe.section("eval").benchmarks]
    return list(dict.fromkeys(names))


def _benchmark_problems(ctx: Context, names: list[str]):
    """(name, problems) per benchmark; problems is None when its file is not in the data folder."""
    from mathforge.bench import BenchmarkDataError, load_benchmark

    bench = ctx.benchmark_dir()
    for name in names:
        if bench is None:
            yield name, None
            continue
        try:
            yield name, load_benchmark(name, bench)
        except BenchmarkDataError:
            yield name, None


def benchmark_inputs(ctx: Context, names: list[str]) -> list[Path]:
    """The benchmark files a stage reads: part of its key, so changed benchmark data reruns it."""
    from mathforge.bench import benchmark_file

    bench = ctx.benchmark_dir()
    return [benchmark_file(n, bench) for n in names] if bench else []


def _training_file(ctx: Context, name: str) -> str:
    cleaned = ctx.dir("decontam") / f"{name}.jsonl"
    return str(cleaned if cleaned.exists() else ctx.dir("synth") / f"{name}.jsonl")


def _before_cpt(ctx: Context) -> str:
    return ctx.model_after("general" if ctx.recipe.enabled("general") else "base")


def stage_cpt(ctx: Context) -> dict[str, Any]:
    return _train(ctx, "cpt", "pretrain", _before_cpt(ctx), ctx.summaries["corpus"]["docs"])


def stage_sft(ctx: Context) -> dict[str, Any]:
    start = ctx.model_after("cpt") if ctx.recipe.enabled("cpt") else _before_cpt(ctx)
    return _train(ctx, "sft", "sft", start, [_training_file(ctx, "sft")])


def stage_sft_nocpt(ctx: Context) -> dict[str, Any]:
    """The same SFT, from the model before continued pre-training: the corpus's contribution."""
    return _train(ctx, "sft_nocpt", "sft", _before_cpt(ctx), [_training_file(ctx, "sft")])


def stage_rm(ctx: Context) -> dict[str, Any]:
    return _train(ctx, "rm", "rm", ctx.model_after("sft"), [_training_file(ctx, "rm")])


def stage_grpo(ctx: Context) -> dict[str, Any]:
    rm = ctx.model_after("rm") if ctx.recipe.enabled("rm") else None
    return _train(ctx, "grpo", "grpo", ctx.model_after("sft"), [_training_file(ctx, "grpo")], reward_model=rm)


def evaluated_models(ctx: Context) -> list[tuple[str, str]]:
    """(stage, model) rows of the results table: the starting point and every model a stage made."""
    rows = []
    if ctx.recipe.section("base").kind != "scratch":
        rows.append(("base", ctx.model_after("base")))
    for stage in ("general", "cpt", "sft_nocpt", "sft", "grpo"):
        if ctx.recipe.enabled(stage):
            rows.append((stage, ctx.model_after(stage)))
    return rows


def stage_eval(ctx: Context) -> dict[str, Any]:
    """Every stage's model on the held-out generated set and on the benchmarks named in ``[eval]
    benchmarks`` (first ``limit`` items each) when their data is present."""
    from mathforge.bench import get_spec
    from mathforge.evaluate.runner import EvalConfig, run_eval
    from mathforge.infer import BackendSpec
    from mathforge.recipe.gains import stage_gains

    sec = ctx.recipe.section("eval")
    results: dict[str, dict[str, Any]] = {}
    sets: list[tuple[str, str, int | None]] = []
    if ctx.recipe.enabled("synth"):
        sets.append(("synth", ctx.summaries["synth"]["heldout_dir"], sec.heldout_limit or None))
    bench = ctx.benchmark_dir()
    limit = sec.limit or None
    skipped = []
    present = {p.parent.name for p in benchmark_inputs(ctx, sec.benchmarks) if p.is_file()}
    for name in sec.benchmarks:
        if get_spec(name).folder in present:
            sets.append((name, str(bench), limit))
        else:
            skipped.append(name)
    if skipped:
        ctx.log(
            f"  no data for {', '.join(skipped)}: pass --data-dir, set MATHFORGE_DATA_DIR or [eval] data_dir"
        )
    for stage, model in evaluated_models(ctx):
        for name, data_dir, lim in sets:
            cfg = EvalConfig(
                model=model,
                backend=sec.backend,
                backend_spec=BackendSpec(backend=sec.backend, model=model, batch_size=sec.batch_size),
                benchmarks=[name],
                data_dir=data_dir,
                out=str(ctx.dir("eval") / stage / name),
                max_tokens=sec.max_tokens,
                limit=lim,
                prompt=sec.stage_prompts.get(stage, sec.prompt),
            )
            ctx.status(f"{stage} on {name}")
            res = run_eval(cfg)
            results.setdefault(stage, {})[name] = res.metrics["benchmarks"][name]
    write_json(ctx.dir("eval") / "results.json", results)
    gains = stage_gains(ctx, [st for st, _ in evaluated_models(ctx)], [s[0] for s in sets])
    return {"results": results, "sets": [s[0] for s in sets], "not_evaluated": skipped, "gains": gains}


def stage_report(ctx: Context) -> dict[str, Any]:
    from mathforge.recipe.report import write_recipe_report

    path = write_recipe_report(ctx)
    return {"report": str(path)}


def corpus_inputs(ctx: Context) -> list[Path]:
    """The corpus is decontaminated against every benchmark in the data folder: all their test files."""
    bench = ctx.benchmark_dir()
    return sorted(bench.glob("*/test.jsonl")) if bench else []


def synth_inputs(ctx: Context) -> list[Path]:
    """GSM8K's train file when ``[synth] gsm8k_train`` converts it."""
    from mathforge.bench import benchmark_file

    bench = ctx.benchmark_dir()
    if ctx.recipe.section("synth").gsm8k_train == 0 or bench is None:
        return []
    return [benchmark_file("gsm8k", bench, "train")]


def decontam_inputs(ctx: Context) -> list[Path]:
    return benchmark_inputs(ctx, decontam_benchmarks(ctx))


def eval_inputs(ctx: Context) -> list[Path]:
    return benchmark_inputs(ctx, ctx.recipe.section("eval").benchmarks)


@dataclass(frozen=True)
class Stage:
    """One row of the wiring table: what runs, and which outside files (beyond earlier stages' outputs,
    which enter through their keys) its result depends on."""

    run: Callable[[Context], dict[str, Any]]
    inputs: Callable[[Context], list[Path]] = lambda ctx: []


STAGES: dict[str, Stage] = {
    "base": Stage(stage_base),
    "general": Stage(stage_general),
    "synth": Stage(stage_synth, synth_inputs),
    "corpus": Stage(stage_corpus, corpus_inputs),
    "decontam": Stage(stage_decontam, decontam_inputs),
    "cpt": Stage(stage_cpt),
    "sft": Stage(stage_sft),
    "sft_nocpt": Stage(stage_sft_nocpt),
    "rm": Stage(stage_rm),
    "grpo": Stage(stage_grpo),
    "eval": Stage(stage_eval, eval_inputs),
    "report": Stage(stage_report),
}
