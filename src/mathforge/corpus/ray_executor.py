"""Ray Data executor: the local executor's shard functions, scheduled by Ray.

Each shard is one row of a Ray dataset; ``map_batches`` runs the shard function (read and every step,
or dedup-drop and decontamination) in Ray workers, one shard per task, which write their durable shard
files and completion markers exactly as local workers do — so a Ray run resumes a local run and vice
versa, and the global dedup phase in the driver reads the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _ensure_ray(address: str, workers: int):
    import ray

    if not ray.is_initialized():
        kw: dict[str, Any] = {"ignore_reinit_error": True, "include_dashboard": False, "log_to_driver": False}
        if address:
            kw["address"] = address
        else:
            kw["num_cpus"] = max(1, workers)
        ray.init(**kw)
    return ray


def ray_map_shards(fn: Callable, shards: list, cfg, phase: str, progress=None) -> list[dict[str, Any]]:
    import json

    ray = _ensure_ray(cfg.run.ray_address, cfg.run.workers)

    def run_batch(batch: dict[str, Any]) -> dict[str, Any]:  # Ray ships ``fn`` with this closure
        from mathforge.corpus.shards import ShardSpec

        task = fn
        out = []
        for index, files in zip(batch["index"], batch["files"], strict=True):
            out.append(json.dumps(task(ShardSpec(int(index), [str(f) for f in files]))))
        return {"index": list(batch["index"]), "info": out}

    ds = ray.data.from_items([{"index": s.index, "files": list(s.files)} for s in shards])
    ds = ds.repartition(len(shards)).map_batches(run_batch, batch_size=1, batch_format="numpy")
    results: dict[int, dict[str, Any]] = {}
    for row in ds.iter_rows():
        results[int(row["index"])] = json.loads(row["info"])
        if progress:
            progress(phase, len(results), len(shards))
    return [results[s.index] for s in shards]
