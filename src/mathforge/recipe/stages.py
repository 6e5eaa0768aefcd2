"""The recipe's stages. Each takes the run context and returns a JSON-able summary; everything it makes
lives under ``RUN/<stage>/``. The heavy lifting is the library: corpus pipeline, synth, decontamination,
``mathforge.train`` stages and ``run_eval``."""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathforge.recipe.config import Recipe, RecipeError


@dataclass
class Context:
    recipe: Recipe
    log: Callable[[str], None] = print
    summaries: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # finished stages (this run or earlier)

    @property
    def run(self) -> Path:
        return self.recipe.output

    def dir(self, stage: str) -> Path:
        return self.run / stage

    def benchmark_dir(self) -> str | None:
        d = self.recipe.section("eval").get("data_dir") or os.environ.get("MATHFORGE_DATA_DIR")
        return d if d and (Path(d) / "gsm8k" / "test.jsonl").is_file() else None

    def model_after(self, stage: str) -> str:
        """The model a stage produced (its ``final`` folder), or the base model."""
        if stage == "base":
            return self.summaries["base"]["model"]
        return str(self.dir(stage) / "final")


def _jsonl(path: Path, rows) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    return n


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
    kind = sec.get("kind", "scratch")
    if kind == "scratch":
        from mathforge.models.tiny import build_tiny_model
        from mathforge.synth import generate

        texts = general_texts(sec.get("general_text", "python-docs"))
        # the tokenizer must also know the math notation and Chinese the later stages use
        sample = generate(sec.get("tokenizer_families"), n=400, seed=12345, execute=False)
        texts += [f"{i.question} {i.cot}" for i in sample.items]
        path = build_tiny_model(
            ctx.dir("base") / "model",
            texts,
            vocab_size=int(sec.get("vocab_size", 1024)),
            hidden_size=int(sec.get("hidden_size", 128)),
            layers=int(sec.get("layers", 4)),
            heads=int(sec.get("heads", 4)),
            seed=int(ctx.recipe.section("recipe").get("seed", 0)),
            split_digits=bool(sec.get("split_digits", True)),
        )
        model = str(path)
    elif kind == "pretrained":
        name = str(sec.get("model", ""))
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


def _train(
    ctx: Context, stage: str, train_stage_name: str, model: str, data: list[str], **extra
) -> dict[str, Any]:
    from mathforge.train import StageConfig, train_stage

    sec = ctx.recipe.section(stage)
    sec.pop("enabled", None)
    sec.pop("from", None)
    kw: dict[str, Any] = {"report_to": [], "logging_steps": 5, "save_steps": 25, "save_total_limit": 1}
    kw.update(sec)
    kw.update(extra)
    cfg = StageConfig(stage=train_stage_name, model=model, output_dir=str(ctx.dir(stage)), data=data, **kw)
    summary = train_stage(cfg)
    return {k: v for k, v in summary.items() if k != "log"} | {"log": summary.get("log", [])[-200:]}


def stage_general(ctx: Context) -> dict[str, Any]:
    sec = ctx.recipe.section("base")
    data = ctx.dir("general") / "general.jsonl"
    _jsonl(data, ({"text": t} for t in general_texts(sec.get("general_text", "python-docs"))))
    return _train(ctx, "general", "pretrain", ctx.model_after("base"), [str(data)])


def stage_corpus(ctx: Context) -> dict[str, Any]:
    """Generated math documents (HTML pages with MathJax, LaTeX notes, JSONL) plus some general text,
    through the corpus pipeline (extract, langid, filters, dedup, decontamination against the
    held-out evaluation set and the benchmarks)."""
    from mathforge.corpus.config import CorpusConfig, DecontamConfig, InputConfig, RunConfig
    from mathforge.corpus.filters import FilterConfig
    from mathforge.corpus.pipeline import run_corpus

    sec = ctx.recipe.section("corpus")
    root = ctx.dir("corpus")
    inputs = root / "input"
    if inputs.exists():
        shutil.rmtree(inputs)
    if sec.get("inputs"):  # the user's crawl (WARC, Parquet, LaTeX …), not generated documents
        return _run_user_corpus(ctx, sec)
    heldout = Path(ctx.summaries["synth"]["heldout_dir"]) / "synth" / "test.jsonl"
    from mathforge.synth.generate import question_key

    exclude = {
        question_key(json.loads(x)["question"]) for x in heldout.read_text(encoding="utf-8").splitlines()
    }
    made = write_math_documents(inputs, sec, int(ctx.recipe.section("recipe").get("seed", 0)), exclude)
    cfg = CorpusConfig(
        output=str(root / "out"),
        input=InputConfig(paths=[str(inputs)]),
        run=RunConfig(workers=1, files_per_shard=50),
        filters=FilterConfig(**({"min_words": 20} | dict(sec.get("filters") or {}))),
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


def _run_user_corpus(ctx: Context, sec: dict[str, Any]) -> dict[str, Any]:
    from mathforge.corpus.config import ClassifyConfig, CorpusConfig, DecontamConfig, InputConfig, RunConfig
    from mathforge.corpus.pipeline import run_corpus

    root = ctx.dir("corpus")
    cfg = CorpusConfig(
        output=str(root / "out"),
        input=InputConfig(paths=list(sec["inputs"])),
        run=RunConfig(
            executor=sec.get("executor", "local"),
            workers=int(sec.get("workers", 2)),
            ray_address=sec.get("ray_address", ""),
        ),
        classify=ClassifyConfig(model=sec.get("classifier", ""), threshold=float(sec.get("threshold", 0.5))),
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
    folder: Path, sec: dict[str, Any], seed: int, exclude: set[str] | None = None
) -> dict[str, int]:
    """Worked examples of the recipe's families written as the web and books write them: HTML lesson
    pages (MathJax ``\\(…\\)``), LaTeX notes and JSONL records, in English and Chinese."""
    from mathforge.synth import generate

    n = int(sec.get("documents", 200))
    per_doc = int(sec.get("examples_per_document", 12))
    rep = generate(
        sec.get("families"),
        n=n * per_doc,
        seed=seed + 7,
        levels=sec.get("levels", (1, 2, 3)),
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
    _jsonl(folder / "records.jsonl", records)
    return counts


_LEADS = {
    "en": [
        "Example {k}.",
        "Problem {k}.",
        "Exercise {k}.",
        "Here is question {k}.",
        "Try this one ({k}).",
        "Warm-up {k}.",
        "Question {k} from the worksheet.",
        "Practice item {k}.",
    ],
    "zh": ["例 {k}.", "练习 {k}.", "第 {k} 题.", "再看一题 ({k}).", "课堂练习 {k}.", "思考题 {k}."],
}
_NOTES = {
    "en": [
        "Check the result by working backwards.",
        "Line up the ones and the tens before you start.",
        "A quick estimate tells us the size of the answer.",
        "Counting on from the larger number is faster.",
        "Subtraction undoes addition, which gives a check.",
        "Write the carry above the next column.",
        "Order does not matter when we add.",
        "Negative results mean we went below zero.",
        "",
    ],
    "zh": [
        "可以倒推验算。",
        "先对齐个位和十位。",
        "先估算一下结果的大小。",
        "从较大的数往上数更快。",
        "减法是加法的逆运算。",
        "进位写在下一位上方。",
        "加法交换律：顺序不影响结果。",
        "",
    ],
}


def _mathjax(paragraphs: list[str]) -> list[str]:
    """``$…$`` → ``\\(…\\)`` (MathJax's default inline delimiters) so extraction has real markup to read."""
    import re

    return [re.sub(r"\$([^$]+)\$", lambda m: "\\(" + m.group(1) + "\\)", p) for p in paragraphs]


def stage_synth(ctx: Context) -> dict[str, Any]:
    """Training problems (SFT chats, RM responses, GRPO queries) and a held-out evaluation set of fresh
    problems from the same families that no training record contains."""
    from mathforge.synth import generate
    from mathforge.synth.generate import question_key
    from mathforge.synth.io import sft_records, write_benchmark

    sec = ctx.recipe.section("synth")
    seed = int(ctx.recipe.section("recipe").get("seed", 0))
    fams, levels = sec.get("families"), sec.get("levels", (1, 2, 3))
    langs = sec.get("langs", ("en", "zh"))
    root = ctx.dir("synth")
    # the held-out set is drawn first, so a small problem space cannot be used up by training
    held = generate(
        fams, n=int(sec.get("heldout", 200)), seed=seed + 999, levels=levels, langs=langs, execute=False
    )
    train = generate(
        fams,
        n=int(sec.get("n", 2000)),
        seed=seed + 1,
        levels=levels,
        langs=langs,
        execute=False,
        exclude={question_key(i.question) for i in held.items},
    )
    write_benchmark(
        root / "heldout", held, {"families": fams, "levels": list(levels), "seed": seed + 999}, 0.0
    )
    n_sft = _jsonl(root / "sft.jsonl", (r for i in train.items for r in sft_records(i)))
    rng = random.Random(seed)
    n_rm = _jsonl(
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
    n_q = _jsonl(
        root / "grpo.jsonl",
        ({"question": i.question, "answer": i.answer, "language": i.language} for i in train.items),
    )
    return {
        "train_items": len(train.items),
        "heldout_items": len(held.items),
        "sft_records": n_sft,
        "rm_records": n_rm,
        "grpo_queries": n_q,
        "families": sorted({i.family for i in train.items}),
        "heldout_dir": str(root / "heldout"),
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
    bench = ctx.benchmark_dir()
    if bench:
        for name, p in _benchmark_items(bench):
            dec.add(name, p.id, "question", p.question)
    out: dict[str, Any] = {"files": {}}
    flagged: dict[str, set] = {}
    for name in ("sft", "rm", "grpo"):
        src = ctx.dir("synth") / f"{name}.jsonl"
        rep = decontaminate_file(src, dec, out=root / f"{name}.jsonl")
        out["files"][name] = {
            "records": rep.records,
            "removed": rep.removed,
            "per_benchmark": dict(rep.per_benchmark),
        }
        for line in rep.ledger.read_text(encoding="utf-8").splitlines():
            x = json.loads(line)
            flagged.setdefault(x["benchmark"], set()).add(x["item"])
    out["flagged_items"] = {b: sorted(v) for b, v in flagged.items()}
    (root / "flagged.json").write_text(json.dumps(out["flagged_items"], indent=1))
    return out


def _benchmark_items(bench_dir: str):
    from mathforge.bench import load_benchmark

    for name in ("gsm8k", "math500"):
        try:
            for p in load_benchmark(name, bench_dir):
                yield name, p
        except Exception:
            continue


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
    if ctx.recipe.section("base").get("kind", "scratch") != "scratch":
        rows.append(("base", ctx.model_after("base")))
    for stage in ("general", "cpt", "sft_nocpt", "sft", "grpo"):
        if ctx.recipe.enabled(stage):
            rows.append((stage, ctx.model_after(stage)))
    return rows


def stage_eval(ctx: Context) -> dict[str, Any]:
    """Every stage's model on the held-out generated set and on the benchmarks named in ``[eval]
    benchmarks`` (first ``limit`` items each) when their data is present."""
    from mathforge.evaluate.runner import EvalConfig, run_eval

    sec = ctx.recipe.section("eval")
    results: dict[str, dict[str, Any]] = {}
    sets: list[tuple[str, str, int | None]] = []
    if ctx.recipe.enabled("synth"):
        sets.append(
            ("synth", ctx.summaries["synth"]["heldout_dir"], int(sec.get("heldout_limit", 0)) or None)
        )
    bench = ctx.benchmark_dir()
    limit = int(sec.get("limit", 0)) or None
    skipped = []
    for name in sec.get("benchmarks", ["gsm8k"]):
        if bench and (Path(bench) / name).is_dir():
            sets.append((name, bench, limit))
        else:
            skipped.append(name)
    if skipped:
        ctx.log(
            f"  no data for {', '.join(skipped)}: set MATHFORGE_DATA_DIR or [eval] data_dir to evaluate them"
        )
    for stage, model in evaluated_models(ctx):
        for name, data_dir, lim in sets:
            cfg = EvalConfig(
                model=model,
                backend=sec.get("backend", "hf"),
                benchmarks=[name],
                data_dir=data_dir,
                out=str(ctx.dir("eval") / stage / name),
                max_tokens=int(sec.get("max_tokens", 64)),
                limit=lim,
                prompt=sec.get("prompt", "auto"),
            )
            ctx.log(f"  eval {stage} on {name}")
            res = run_eval(cfg)
            results.setdefault(stage, {})[name] = res.metrics["benchmarks"][name]
    ctx.dir("eval").mkdir(parents=True, exist_ok=True)
    (ctx.dir("eval") / "results.json").write_text(json.dumps(results, indent=1))
    return {"results": results, "sets": [s[0] for s in sets], "not_evaluated": skipped}


def stage_report(ctx: Context) -> dict[str, Any]:
    from mathforge.recipe.report import write_recipe_report

    path = write_recipe_report(ctx)
    return {"report": str(path)}


STAGES: dict[str, Callable[[Context], dict[str, Any]]] = {
    "base": stage_base,
    "general": stage_general,
    "corpus": stage_corpus,
    "synth": stage_synth,
    "decontam": stage_decontam,
    "cpt": stage_cpt,
    "sft": stage_sft,
    "sft_nocpt": stage_sft_nocpt,
    "rm": stage_rm,
    "grpo": stage_grpo,
    "eval": stage_eval,
    "report": stage_report,
}
