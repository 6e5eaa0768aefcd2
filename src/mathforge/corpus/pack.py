"""Tokenise the finished corpus and pack it into fixed-length training shards with a manifest.

Shards are Parquet files with one ``input_ids`` column (each row one ``seq_len`` block; documents are
concatenated with EOS between them, as in GPT-style pre-training), readable by ``datasets`` and by
``mathforge train`` directly. The manifest records the tokenizer, token counts, the mix of sources and a
SHA-256 per shard, so a training run can say exactly what it read.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mathforge.stage_io import write_manifest


@dataclass
class PackConfig:
    tokenizer: str = ""  # a local tokenizer folder (or hub id, only with network); "" = skip packing
    seq_len: int = 2048
    blocks_per_shard: int = 4096
    batch_docs: int = 256  # documents tokenised per call (fast tokenizers batch in Rust)


def iter_blocks(token_lists: Iterable[list[int]], eos: int, seq_len: int) -> Iterator[list[int]]:
    """Concatenate token lists, each followed by ``eos``, and cut into ``seq_len`` blocks (the short
    tail is dropped, as every packing pre-trainer does)."""
    buf: list[int] = []
    for ids in token_lists:
        buf.extend(ids)
        buf.append(eos)
        while len(buf) >= seq_len:
            yield buf[:seq_len]
            del buf[:seq_len]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pack_documents(
    docs: Iterable[tuple[str, str]], tokenizer_path: str, out_dir: Path, cfg: PackConfig
) -> dict[str, Any]:
    """Pack ``(kind, text)`` pairs into ``out_dir/shard-*.parquet``; returns (and writes) the manifest."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_path)
    eos = tok.eos_token_id
    if eos is None:
        raise ValueError(
            f"tokenizer {tokenizer_path} has no EOS token; packing needs one to separate documents"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("shard-*.parquet"):
        old.unlink()
    tokens_by_kind: Counter = Counter()
    docs_by_kind: Counter = Counter()
    shards: list[dict[str, Any]] = []
    pending: list[list[int]] = []

    def flush() -> None:
        if not pending:
            return
        path = out_dir / f"shard-{len(shards):05d}.parquet"
        table = pa.table({"input_ids": pa.array(pending, type=pa.list_(pa.uint32()))})
        pq.write_table(table, path)
        shards.append({"file": path.name, "blocks": len(pending), "sha256": _sha256(path)})
        pending.clear()

    def token_lists() -> Iterator[list[int]]:
        batch: list[tuple[str, str]] = []
        for item in [*docs, None]:
            if item is not None:
                batch.append(item)
            if batch and (item is None or len(batch) >= cfg.batch_docs):
                enc = tok([t for _, t in batch], add_special_tokens=False)["input_ids"]
                for (kind, _), ids in zip(batch, enc, strict=True):
                    tokens_by_kind[kind] += len(ids) + 1
                    docs_by_kind[kind] += 1
                    yield ids
                batch = []

    for block in iter_blocks(token_lists(), eos, cfg.seq_len):
        pending.append(block)
        if len(pending) >= cfg.blocks_per_shard:
            flush()
    flush()
    total = sum(tokens_by_kind.values())
    manifest = {
        "tokenizer": tokenizer_path,
        "vocab_size": len(tok),
        "eos_token_id": eos,
        "seq_len": cfg.seq_len,
        "documents": sum(docs_by_kind.values()),
        "tokens": total,
        "packed_tokens": sum(s["blocks"] for s in shards) * cfg.seq_len,
        "blocks": sum(s["blocks"] for s in shards),
        "sources": {
            k: {"documents": docs_by_kind[k], "tokens": v, "share": round(v / total, 4) if total else 0.0}
            for k, v in sorted(tokens_by_kind.items())
        },
        "shards": shards,
    }
    write_manifest(
        out_dir,
        stage="pack",
        config=cfg,
        outputs={s["file"]: s["file"] for s in shards},
        summary=manifest,
        packages=("transformers", "tokenizers", "pyarrow"),
    )
    return manifest
