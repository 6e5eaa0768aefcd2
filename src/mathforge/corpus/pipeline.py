"""The corpus run: the same shard functions under two executors (local processes, Ray Data).

Phases, each durable and resumable (a shard whose marker records this config's hash is not redone):

1. ``process``  per shard: read → extract → langid → classify → filter, then the dedup keys (exact hash,
   MinHash band keys) of what survived. Written to ``_work/process/shard-N.parquet``.
2. ``dedup``    once, over the compact keys of every shard: exact duplicates, then MinHash-LSH clusters;
   one document kept per cluster (the first in input order). Written to ``_work/dedup.json``.
3. ``finish``   per shard: drop duplicates, decontaminate against every benchmark, write the corpus
   (``docs/shard-N.jsonl``), the decontamination ledger and the per-document funnel rows.
4. ``pack``     tokenise and pack into training shards with a manifest (when a tokenizer is configured).

A step that raises on a batch is retried document by document, so one bad page costs one document
(dropped with the error as its reason), not the shard.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from mathforge.corpus.config import ConfigError, CorpusConfig
from mathforge.corpus.document import Document, ReadError
from mathforge.corpus.shards import RunPaths, ShardSpec, is_done, mark_done, read_rows, write_rows
from mathforge.progress import ProgressFn
from mathforge.stage_io import config_hash, input_identities, iter_jsonl, write_manifest

STEPS = ("read", "extract", "langid", "classify", "filter", "dedup", "decontam")
Step = Callable[[list[Document]], list[Document]]


def shard_key(cfg: CorpusConfig, shard: ShardSpec) -> str:
    """Config hash plus the identity (path, size, mtime) of the shard's input files."""
    ident = []
    for f in shard.files:
        try:
            st = os.stat(f)
            ident.append((f, st.st_size, int(st.st_mtime)))
        except OSError:
            ident.append((f, -1, 0))
    return f"{cfg.content_hash()}:{config_hash(ident)}"


# ---------------------------------------------------------------- steps


def apply_step(name: str, fn: Step, docs: list[Document]) -> list[Document]:
    """Run a step on a batch; if it raises, isolate the document that broke it. Alive documents the
    step passed through untouched get the step's size entry, so the funnel sees every step."""
    try:
        docs = fn(docs)
    except Exception:
        out = []
        for d in docs:
            try:
                out.extend(fn([d]))
            except Exception as exc:  # one bad document must not sink the shard
                d.drop(name, f"error: {type(exc).__name__}: {str(exc)[:120]}")
                out.append(d)
        docs = out
    for d in docs:
        if d.alive and name not in d.sizes:
            d.sizes[name] = _last_size(d)
    return docs


def _last_size(d: Document) -> int:
    """The size after the latest step the document went through, by step order: ``sizes`` comes back
    from a row with its keys sorted by name, so its last entry is not the latest step."""
    done = [s for s in STEPS if s in d.sizes]
    return d.sizes[done[-1]] if done else d.nbytes()


_CACHE: dict[str, Any] = {}  # per process: classifier model, decontaminator (built once, reused)


def _classifier(path: str):
    if path not in _CACHE:
        from mathforge.corpus.classifier import MathClassifier

        _CACHE[path] = MathClassifier.load(path)
    return _CACHE[path]


def _decontaminator(cfg: CorpusConfig):
    key = f"decontam:{cfg.benchmark_dir()}:{sorted(cfg.decontam.benchmarks)}:{cfg.decontam.lcs_ratio}"
    if key not in _CACHE:
        from mathforge.corpus.decontam import Decontaminator

        dec = Decontaminator.from_benchmarks(
            cfg.benchmark_dir(), cfg.decontam.benchmarks or None, lcs_ratio=cfg.decontam.lcs_ratio
        )
        if not dec.items:
            raise ConfigError(
                f"decontamination found no benchmark data in {cfg.benchmark_dir()!r}: set [decontam] data_dir "
                "(or MATHFORGE_DATA_DIR) to the benchmark folder, or set [decontam] enabled = false"
            )
        _CACHE[key] = dec
    return _CACHE[key]


def process_steps(cfg: CorpusConfig) -> list[tuple[str, Step]]:
    """The per-document steps of phase 1, in order, as configured."""
    from mathforge.corpus.extract import extract_step

    steps: list[tuple[str, Step]] = [("extract", extract_step)]
    if cfg.langid.enabled:
        from mathforge.corpus.langid import langid_step

        steps.append(
            ("langid", partial(langid_step, keep=tuple(cfg.langid.keep), min_prob=cfg.langid.min_prob))
        )
    if cfg.classify.model:
        from mathforge.corpus.classifier import classify_step

        model = _classifier(cfg.classify.model)
        steps.append(("classify", partial(classify_step, model=model, threshold=cfg.classify.threshold)))
    if cfg.filters_enabled:
        from mathforge.corpus.filters import filter_step

        steps.append(("filter", partial(filter_step, cfg=cfg.filters)))
    return steps


def read_shard(shard: ShardSpec, cfg: CorpusConfig) -> tuple[list[Document], list[ReadError]]:
    from mathforge.corpus.readers import read_path

    docs: list[Document] = []
    errors: list[ReadError] = []
    for f in shard.files:
        try:
            for item in read_path(Path(f), max_doc_bytes=cfg.input.max_doc_bytes):
                (errors if isinstance(item, ReadError) else docs).append(item)
        except Exception as exc:  # a reader bug on one file: count it, keep going
            errors.append(ReadError(f, f"unreadable: {type(exc).__name__}: {str(exc)[:120]}"))
    return docs, errors


def process_shard(shard: ShardSpec, cfg: CorpusConfig, paths: RunPaths) -> dict[str, Any]:
    """Phase 1 for one shard (idempotent: skipped when its marker matches)."""
    out = paths.process(shard)
    key = shard_key(cfg, shard)
    done = is_done(out, key)
    if done:
        return {**done, "skipped": True}
    t0 = time.perf_counter()
    docs, errors = read_shard(shard, cfg)
    for d in docs:
        d.sizes.setdefault("read", d.nbytes())
    for name, fn in process_steps(cfg):
        docs = apply_step(name, fn, docs)
    exact, bands, sigs = dedup_keys(docs, cfg)
    rows = [d.to_row() for d in docs]
    for r, e, b, g in zip(rows, exact, bands, sigs, strict=True):
        r["exact_key"], r["bands"], r["sig"] = e, b, g
    write_rows(out, rows)
    info = {
        "documents": len(docs),
        "errors": [str(e) for e in errors],
        "seconds": round(time.perf_counter() - t0, 3),
    }
    mark_done(out, key, info)
    return info


def dedup_keys(docs: list[Document], cfg: CorpusConfig) -> tuple[list, list, list]:
    """Exact hash, MinHash band keys and signature of the alive documents (None for dropped ones)."""
    from mathforge.corpus import dedup as dd

    alive = [i for i, d in enumerate(docs) if d.alive]
    exact: list[int | None] = [None] * len(docs)
    bands: list[list[int] | None] = [None] * len(docs)
    sigs: list[list[int] | None] = [None] * len(docs)
    if cfg.dedup.exact:
        for i in alive:
            exact[i] = dd.exact_key(docs[i].text)
    if cfg.dedup.minhash and alive:
        hasher = dd.MinHasher(num_perm=cfg.dedup.num_perm, ngram=cfg.dedup.ngram, seed=cfg.dedup.seed)
        sig = hasher.signatures([docs[i].text for i in alive])
        keys = dd.LSH(bands=cfg.dedup.bands, rows=cfg.dedup.rows).band_keys(sig)
        for j, i in enumerate(alive):
            bands[i] = keys[j].tolist()
            sigs[i] = sig[j].tolist()
    return exact, bands, sigs


# ---------------------------------------------------------------- phase 2: global dedup


def global_dedup(shards: list[ShardSpec], cfg: CorpusConfig, paths: RunPaths) -> dict[str, str]:
    """Map removed document id → ``exact_dup_of=<id>`` / ``dup_of=<id>``; cached in dedup.json."""
    import numpy as np

    from mathforge.corpus.dedup import exact_duplicates, near_duplicate_clusters

    key = f"{cfg.content_hash()}:{config_hash([shard_key(cfg, s) for s in shards])}"
    done = is_done(paths.dedup, key)
    if done:
        return json.loads(paths.dedup.read_text())
    ids: list[str] = []
    exact: list[int | None] = []
    bands: list[list[int] | None] = []
    sigs: list[list[int] | None] = []
    for s in shards:
        for r in read_rows(paths.process(s), ["id", "dropped", "exact_key", "bands", "sig"]):
            if not r["dropped"]:
                ids.append(r["id"])
                exact.append(r["exact_key"])
                bands.append(r["bands"])
                sigs.append(r["sig"])
    removed: dict[str, str] = {}
    if cfg.dedup.exact and ids:
        for doc, kept in exact_duplicates(ids, np.array(exact, dtype=np.uint64)).items():
            removed[doc] = f"exact_dup_of={kept}"
    with_bands = [i for i, doc in enumerate(ids) if doc not in removed and bands[i] is not None]
    if with_bands:
        keys = np.array([bands[i] for i in with_bands], dtype=np.uint64)
        verify = cfg.dedup.verify_threshold or None
        sig = np.array([sigs[i] for i in with_bands], dtype=np.uint32) if verify else None
        clusters = near_duplicate_clusters(
            [ids[i] for i in with_bands], keys, signatures=sig, verify_threshold=verify
        )
        for doc, kept in clusters.items():
            removed[doc] = f"dup_of={kept}"
    paths.dedup.parent.mkdir(parents=True, exist_ok=True)
    tmp = paths.dedup.with_suffix(".tmp")
    tmp.write_text(json.dumps(removed))
    os.replace(tmp, paths.dedup)
    mark_done(paths.dedup, key, {"removed": len(removed)})
    return removed


# ---------------------------------------------------------------- phase 3: finish


def finish_shard(
    shard: ShardSpec, cfg: CorpusConfig, paths: RunPaths, removed: dict[str, str]
) -> dict[str, Any]:
    out = paths.finish(shard)
    key = f"{shard_key(cfg, shard)}:{config_hash(sorted(removed.items()))}"
    done = is_done(out, key)
    if done:
        return {**done, "skipped": True}
    docs = [Document.from_row(r) for r in read_rows(paths.process(shard))]

    def dedup_step(batch: list[Document]) -> list[Document]:
        for d in batch:
            if d.alive and d.id in removed:
                d.drop("dedup", removed[d.id])
        return batch

    docs = apply_step("dedup", dedup_step, docs)
    ledger: list[dict[str, Any]] = []
    if cfg.decontam.enabled:
        dec = _decontaminator(cfg)

        def decontam_step(batch: list[Document]) -> list[Document]:
            alive = [d for d in batch if d.alive]
            found = [
                h
                for k in range(0, len(alive), 64)
                for h in dec.check_many([d.text for d in alive[k : k + 64]])
            ]
            for d, hits in zip(alive, found, strict=True):
                if hits:
                    for h in hits:
                        ledger.append(
                            {
                                "id": d.id,
                                "source": d.source,
                                "benchmark": h.benchmark,
                                "item_id": h.item_id,
                                "field": h.field,
                                "ngram": h.ngram,
                                "lcs_ratio": h.lcs_ratio,
                            }
                        )
                    d.drop("decontam", f"benchmark={hits[0].benchmark}:{hits[0].item_id}")
            return batch

        docs = apply_step("decontam", decontam_step, docs)
    docs_path = paths.docs(shard)
    docs_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = docs_path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for d in docs:
            if d.alive:
                rec = {"id": d.id, "text": d.text, "source": d.source, "kind": d.kind, "meta": d.meta}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    os.replace(tmp, docs_path)
    paths.ledger(shard).parent.mkdir(parents=True, exist_ok=True)
    paths.ledger(shard).write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in ledger))
    rows = []
    for d in docs:
        r = d.to_row()
        r["text"] = ""  # the funnel needs sizes and reasons, not the text (that is in docs/)
        r["exact_key"], r["bands"], r["sig"] = None, None, None
        rows.append(r)
    write_rows(out, rows)
    info = {"documents": sum(d.alive for d in docs), "contaminated": len({x["id"] for x in ledger})}
    mark_done(out, key, info)
    return info


# ---------------------------------------------------------------- orchestration


@dataclass
class CorpusResult:
    output: Path
    report: dict[str, Any]
    report_path: Path
    html_path: Path
    shards_skipped: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def plan_shards(cfg: CorpusConfig) -> tuple[list[ShardSpec], list[ReadError]]:
    from mathforge.corpus.readers import expand_inputs

    files = [str(p) for p in expand_inputs(cfg.input.paths)]
    missing = []
    for pattern in cfg.input.paths:
        if not any(ch in pattern for ch in "*?[") and not Path(pattern).exists():
            missing.append(ReadError(pattern, "no such file or folder; fix [input] paths"))
    n = max(1, cfg.run.files_per_shard)
    shards = [ShardSpec(i, files[k : k + n]) for i, k in enumerate(range(0, len(files), n))]
    return shards, missing


def _benchmark_files(cfg: CorpusConfig) -> list[Path]:
    """The benchmark test files decontamination compared against (none when it is off)."""
    root = cfg.benchmark_dir()
    if not cfg.decontam.enabled or not root:
        return []
    return [
        p
        for p in sorted(Path(root).glob("*/test.jsonl"))
        if not cfg.decontam.benchmarks or p.parent.name in cfg.decontam.benchmarks
    ]


def run_corpus(cfg: CorpusConfig, progress: ProgressFn | None = None) -> CorpusResult:
    """Run (or resume) the whole pipeline; returns the report; ``progress(phase, done, total)`` per shard."""
    from mathforge.corpus.report import build_report, write_report

    paths = RunPaths(Path(cfg.output))
    paths.root.mkdir(parents=True, exist_ok=True)
    shards, missing = plan_shards(cfg)
    if not shards:
        raise ConfigError(f"[input] paths matched no files: {cfg.input.paths}")
    if cfg.decontam.enabled:
        _decontaminator(cfg)  # fail fast, before hours of work, when the benchmark data is missing
    if cfg.classify.model and not Path(cfg.classify.model).is_file():
        raise ConfigError(
            f"[classify] model {cfg.classify.model!r} not found: train one with `mathforge corpus train-classifier`"
        )
    timings: dict[str, float] = {}
    executor = _ray_map if cfg.run.executor == "ray" else _local_map
    t0 = time.perf_counter()
    infos = executor(partial(process_shard, cfg=cfg, paths=paths), shards, cfg, "process", progress)
    timings["process"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    removed = global_dedup(shards, cfg, paths)
    timings["dedup"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    executor(partial(finish_shard, cfg=cfg, paths=paths, removed=removed), shards, cfg, "finish", progress)
    timings["finish"] = time.perf_counter() - t0
    # the corpus files of shards from an earlier run with more inputs must not linger
    wanted = {paths.docs(s).name for s in shards}
    for old in (paths.root / "docs").glob("shard-*.jsonl"):
        if old.name not in wanted:
            old.unlink()
    manifest = None
    if cfg.pack.tokenizer:
        from mathforge.corpus.pack import pack_documents

        t0 = time.perf_counter()
        manifest = pack_documents(
            iter_corpus(paths, shards), cfg.pack.tokenizer, paths.root / "packed", cfg.pack
        )
        timings["pack"] = time.perf_counter() - t0
    errors = [e for info in infos for e in info.get("errors", [])] + [str(m) for m in missing]
    report = build_report(cfg, paths, shards, errors, manifest, timings)
    report["shards_skipped"] = sum(bool(i.get("skipped")) for i in infos)
    report_path, html_path = write_report(report, paths.root)
    write_manifest(
        paths.root,
        stage="corpus",
        config=cfg,
        # the inputs by path, size and time (hashing a crawl would read it all again); the benchmark
        # files decontamination used, by content
        inputs=input_identities([f for s in shards for f in s.files], hash_content=False)
        + input_identities(_benchmark_files(cfg)),
        outputs={"docs": "docs", "report": report_path.name, "html": html_path.name}
        | ({"packed": "packed"} if manifest else {}),
        summary={k: report[k] for k in ("documents", "kept", "funnel", "decontamination") if k in report},
        seconds=sum(timings.values()),
        packages=("resiliparse", "fastwarc", "py3langid", "fasttext-numpy2-wheel", "pyarrow"),
    )
    return CorpusResult(paths.root, report, report_path, html_path, report["shards_skipped"], timings)


def iter_corpus(paths: RunPaths, shards: list[ShardSpec]) -> Iterator[tuple[str, str]]:
    for s in shards:
        for _, rec in iter_jsonl(paths.docs(s)):
            yield rec["kind"], rec["text"]  # type: ignore[index]


def _local_map(fn, shards, cfg, phase, progress):
    """Shards across worker processes (spawned: no inherited threads or locks); results in order."""
    total = len(shards)
    if cfg.run.workers <= 1 or total == 1:
        out = []
        for i, s in enumerate(shards):
            out.append(fn(s))
            if progress:
                progress(phase, i + 1, total)
        return out
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results: dict[int, dict] = {}
    with ProcessPoolExecutor(max_workers=cfg.run.workers, mp_context=mp.get_context("spawn")) as pool:
        futures = {pool.submit(fn, s): s.index for s in shards}
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            if progress:
                progress(phase, len(results), total)
    return [results[s.index] for s in shards]


def _ray_map(fn, shards, cfg, phase, progress):
    """The same shard functions as Ray Data tasks. Workers write the shard files themselves, so the
    output folder must be on storage every node sees (any shared or network filesystem)."""
    from mathforge.corpus.ray_executor import ray_map_shards

    return ray_map_shards(fn, shards, cfg, phase, progress)
