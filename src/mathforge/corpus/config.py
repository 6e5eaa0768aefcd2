"""``corpus.toml`` → :class:`CorpusConfig`. Relative paths are resolved against the TOML file's folder,
so a config and its inputs can move together."""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from mathforge.corpus.filters import FilterConfig
from mathforge.corpus.pack import PackConfig


class ConfigError(ValueError):
    pass


@dataclass
class InputConfig:
    paths: list[str] = field(default_factory=list)  # files, folders (recursive) or globs
    max_doc_bytes: int = 20_000_000


@dataclass
class RunConfig:
    executor: str = "local"  # "local" (processes) or "ray"
    workers: int = 2
    files_per_shard: int = 8
    ray_address: str = ""  # "" = start a local Ray instance; "auto" = join the running cluster


@dataclass
class LangIdConfig:
    enabled: bool = True
    keep: list[str] = field(default_factory=lambda: ["en", "zh"])
    min_prob: float = 0.5


@dataclass
class ClassifyConfig:
    model: str = ""  # a model from `mathforge corpus train-classifier`; "" = step skipped
    threshold: float = 0.5


@dataclass
class DedupStageConfig:
    exact: bool = True
    minhash: bool = True
    num_perm: int = 128
    bands: int = 16
    rows: int = 8
    ngram: int = 5
    verify_threshold: float = 0.75  # candidate pairs must also have estimated Jaccard ≥ this (0 = off)
    seed: int = 1


@dataclass
class DecontamConfig:
    enabled: bool = True
    data_dir: str = ""  # benchmark data; "" = $MATHFORGE_DATA_DIR
    benchmarks: list[str] = field(default_factory=list)  # [] = every benchmark in the registry
    lcs_ratio: float = 0.6


@dataclass
class CorpusConfig:
    output: str = "corpus-out"
    input: InputConfig = field(default_factory=InputConfig)
    run: RunConfig = field(default_factory=RunConfig)
    langid: LangIdConfig = field(default_factory=LangIdConfig)
    classify: ClassifyConfig = field(default_factory=ClassifyConfig)
    filters: FilterConfig = field(default_factory=FilterConfig)
    filters_enabled: bool = True
    dedup: DedupStageConfig = field(default_factory=DedupStageConfig)
    decontam: DecontamConfig = field(default_factory=DecontamConfig)
    pack: PackConfig = field(default_factory=PackConfig)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def content_hash(self) -> str:
        """Hash of everything that changes the corpus (not how it is executed)."""
        d = self.as_dict()
        d.pop("run")
        d["run"] = {"files_per_shard": self.run.files_per_shard}
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]

    def benchmark_dir(self) -> str | None:
        return self.decontam.data_dir or os.environ.get("MATHFORGE_DATA_DIR") or None


def _build(cls, data: dict[str, Any], where: str):
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return cls(**data)


def load_corpus_config(path: str | Path, overrides: dict[str, Any] | None = None) -> CorpusConfig:
    """Read a corpus TOML; ``overrides`` are dotted keys from the CLI (``run.executor="ray"``)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    for key, value in (overrides or {}).items():
        section, _, name = key.partition(".")
        raw.setdefault(section, {})[name] = value
    base = path.resolve().parent
    sections = {
        "input": InputConfig,
        "run": RunConfig,
        "langid": LangIdConfig,
        "classify": ClassifyConfig,
        "dedup": DedupStageConfig,
        "decontam": DecontamConfig,
        "pack": PackConfig,
    }
    kw: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "output":
            kw["output"] = str(value.get("dir", "corpus-out") if isinstance(value, dict) else value)
        elif name == "filters":
            value = dict(value)
            kw["filters_enabled"] = bool(value.pop("enabled", True))
            kw["filters"] = _build(FilterConfig, value, f"{path} [filters]")
        elif name in sections:
            kw[name] = _build(sections[name], dict(value), f"{path} [{name}]")
        else:
            raise ConfigError(
                f"{path}: unknown section [{name}]; known: output, filters, {', '.join(sections)}"
            )
    cfg = CorpusConfig(**kw)

    def resolve(p: str) -> str:
        return p if not p or p.startswith(("/", "~")) or "://" in p else str(base / p)

    cfg.output = resolve(cfg.output)
    cfg.input.paths = [resolve(p) for p in cfg.input.paths]
    cfg.classify.model = resolve(cfg.classify.model)
    cfg.decontam.data_dir = resolve(cfg.decontam.data_dir)
    if cfg.pack.tokenizer and Path(resolve(cfg.pack.tokenizer)).exists():
        cfg.pack.tokenizer = resolve(cfg.pack.tokenizer)
    if cfg.run.executor not in ("local", "ray"):
        raise ConfigError(f"{path} [run] executor={cfg.run.executor!r}: use 'local' or 'ray'")
    if not cfg.input.paths:
        raise ConfigError(f"{path} [input] paths is empty: list the files, folders or globs to read")
    if cfg.dedup.bands * cfg.dedup.rows > cfg.dedup.num_perm:
        raise ConfigError(f"{path} [dedup] bands×rows={cfg.dedup.bands * cfg.dedup.rows} exceeds num_perm")
    return cfg
