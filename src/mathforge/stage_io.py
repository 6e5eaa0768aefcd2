"""What every stage reads and writes on disk, in one place: atomic JSON and JSONL, input identities,
config hashes and ``OUT/manifest.json``.

Stages talk through files. A reader of a run folder — the recipe deciding what to skip, ``export``
writing a model card, a person — finds the same manifest in every stage folder::

    {"stage": "sft", "config": {...}, "command": "mathforge …", "versions": {...},
     "inputs": [{"path": …, "size": …, "sha256": …}, …], "outputs": {"model": "final"},
     "summary": {...}, "key": "…", "started": "…", "finished": "…", "seconds": 12.3}

``key`` is :func:`stage_key` of the config and the input identities: change a data file's bytes and the
key changes, so every stage that read it reruns.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


class JsonlError(ValueError):
    """A line of a JSONL file is not a JSON object: the message is ``FILE:LINE: what is wrong``;
    ``reason`` is the what-is-wrong part alone."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


# ------------------------------------------------------------------ atomic writes


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write through a temporary file and rename: a reader never sees half a file, a kill leaves the old."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    """:func:`write_bytes_atomic` for UTF-8 text."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def cache_root() -> Path:
    """Where mathforge keeps what it can rebuild (converted models, decontamination indexes):
    ``$MATHFORGE_CACHE``, else ``~/.cache/mathforge``."""
    return Path(os.environ.get("MATHFORGE_CACHE") or Path.home() / ".cache" / "mathforge")


def write_json(path: str | Path, data: Any, *, indent: int = 1) -> Path:
    return write_text_atomic(path, json.dumps(data, indent=indent, ensure_ascii=False, default=str) + "\n")


def write_jsonl(path: str | Path, rows: Iterable[Any]) -> int:
    """Write one JSON object per line, atomically; returns the number of rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            n += 1
    tmp.replace(path)
    return n


def read_json(path: str | Path) -> Any | None:
    """The JSON in ``path``, or None when it is missing or unreadable (a half-written marker counts as absent)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def iter_jsonl(
    path: str | Path, *, errors: str = "raise"
) -> Iterator[tuple[int, dict[str, Any] | JsonlError]]:
    """(line number, object) for each non-blank line of a JSONL file — the one JSONL reader.

    A bad line (not UTF-8, not JSON, not an object) is handled by ``errors``: ``"raise"`` raises
    :class:`JsonlError` (``FILE:LINE: what is wrong``), ``"skip"`` passes over it, ``"report"`` yields
    ``(line, JsonlError)`` so the caller can count it and go on."""
    path = Path(path)
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            problem = None
            try:
                obj = json.loads(raw.decode("utf-8"))
                if not isinstance(obj, dict):
                    problem = f"not a JSON object (a {type(obj).__name__})"
            except UnicodeDecodeError as exc:
                problem = f"not UTF-8 ({exc.reason} at byte {exc.start})"
            except json.JSONDecodeError as exc:
                problem = f"bad JSON ({exc.msg} at column {exc.colno})"
            if problem is None:
                yield lineno, obj
            elif errors == "raise":
                raise JsonlError(f"{path}:{lineno}: {problem}")
            elif errors == "report":
                yield lineno, JsonlError(f"{path}:{lineno}: {problem}", problem)


def read_jsonl(path: str | Path, *, strict: bool = True) -> list[dict[str, Any]]:
    """Every object of a JSONL file; a bad line raises (``strict``) or is skipped."""
    return [obj for _, obj in iter_jsonl(path, errors="raise" if strict else "skip")]  # type: ignore[misc]


# ------------------------------------------------------------------ identities and keys


def _plain(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


def config_hash(obj: Any, length: int = 16) -> str:
    """A stable hash of a config (dataclass or JSON-able data): the same settings, the same hash."""
    text = json.dumps(_plain(obj), sort_keys=True, default=lambda o: _plain(o) if o is not obj else str(o))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def file_identity(path: str | Path, hash_content: bool = True) -> dict[str, Any]:
    """Path, size and content hash of a file — what a stage's key depends on, not its modification time.
    Hashes are memoised per (path, size, mtime) within a process: a recipe hashes each benchmark once.
    ``hash_content=False`` records the modification time instead (for crawls too large to read twice)."""
    p = Path(path).resolve()
    st = p.stat()
    if not hash_content:
        return {"path": str(p), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    memo = (str(p), st.st_size, st.st_mtime_ns)
    digest = _HASH_CACHE.get(memo)
    if digest is None:
        h = hashlib.sha256()
        with p.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        digest = _HASH_CACHE[memo] = h.hexdigest()
    return {"path": str(p), "size": st.st_size, "sha256": digest}


def input_identities(paths: Iterable[str | Path], hash_content: bool = True) -> list[dict[str, Any]]:
    """Identities of the files a stage reads (folders: every file below them), sorted; missing ones are
    recorded as missing, so a file appearing later changes the key too."""
    out: list[dict[str, Any]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out += [file_identity(f, hash_content) for f in sorted(p.rglob("*")) if f.is_file()]
        elif p.is_file():
            out.append(file_identity(p, hash_content))
        else:
            out.append({"path": str(p.resolve()), "missing": True})
    return sorted(out, key=lambda d: d["path"])


def stage_key(config: Any, inputs: list[dict[str, Any]], upstream: Iterable[str] = ()) -> str:
    """What a stage's result depends on: its config, the content of the files it reads, and the keys
    of the stages whose outputs it uses."""
    return config_hash(
        {
            "config": _plain(config),
            "inputs": [(d["path"], d.get("size"), d.get("sha256") or d.get("mtime_ns")) for d in inputs],
            "upstream": list(upstream),
        }
    )


# ------------------------------------------------------------------ the manifest


def command_line() -> str:
    return shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else ""


def write_manifest(
    out_dir: str | Path,
    *,
    stage: str,
    config: Any,
    inputs: list[dict[str, Any]] | None = None,
    outputs: dict[str, str] | None = None,
    summary: dict[str, Any] | None = None,
    seconds: float | None = None,
    packages: Iterable[str] = ("torch", "transformers", "trl", "accelerate", "peft", "datasets"),
    name: str = MANIFEST,
    **extra: Any,
) -> Path:
    """Write ``OUT/manifest.json`` (atomically). Fields a previous writer put there that this call does
    not set are kept, so a library stage and the recipe that called it can both add theirs. ``name``:
    another file name, for a stage that writes next to its inputs rather than into a folder of its own."""
    from mathforge import __version__
    from mathforge.versions import package_versions

    path = Path(out_dir) / name
    data: dict[str, Any] = read_json(path) or {}
    if data.get("stage") not in (None, stage):
        data = {}
    data.update(
        {
            "stage": stage,
            "config": _plain(config),
            "command": data.get("command") or command_line(),
            "versions": {"mathforge": __version__, **package_versions(tuple(packages))},
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
    )
    if inputs is not None:
        data["inputs"] = inputs
    if outputs is not None:
        data["outputs"] = outputs
    if summary is not None:
        data["summary"] = summary
    if seconds is not None:
        data["seconds"] = round(seconds, 2)
    data.update({k: v for k, v in extra.items() if v is not None})
    return write_json(path, data)


def read_manifest(out_dir: str | Path) -> dict[str, Any] | None:
    """The manifest of a stage folder, or None when the stage has not finished there."""
    return read_json(Path(out_dir) / MANIFEST)
