"""``corpus.toml`` → :class:`CorpusConfig`. Relative paths are resolved against the TOML file's folder,
so a config and its inputs can move together."""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mathforge.config import ConfigError, from_dict, load_toml, option, resolve_path, unknown_key_message
from mathforge.corpus.filters import FilterConfig
from mathforge.corpus.pack import PackConfig
from mathforge.stage_io import config_hash

__all__ = ["ConfigError", "CorpusConfig", "load_corpus_config"]


@dataclass
class InputConfig:
    paths: list[str] = option([], help="Files, folders (recursive) or globs to read.", path=True)
    max_doc_bytes: int = option(20_000_000, help="Documents larger than this are refused from their size.")


@dataclass
class RunConfig:
    executor: str = option("local", help="local (worker processes) or ray.")
    workers: int = option(2, help="Worker processes (local) or parallel tasks (ray).")
    files_per_shard: int = option(8, help="Input files per shard: the unit of work and of resume.")
    ray_address: str = option("", help="'' starts a local Ray instance; 'auto' joins the running cluster.")

    def __post_init__(self) -> None:
        if self.executor not in ("local", "ray"):
            raise ValueError(f"executor = {self.executor!r}: use 'local' or 'ray'")


@dataclass
class LangIdConfig:
    enabled: bool = option(True, help="Run the language-id step.")
    keep: list[str] = option(["en", "zh"], help="Languages kept (formula-only documents are kept too).")
    min_prob: float = option(0.5, help="Least probability of the detected language.")


@dataclass
class ClassifyConfig:
    model: str = option(
        "", help="fastText model from `mathforge corpus train-classifier`; '' skips the step.", path=True
    )
    threshold: float = option(0.5, help="Math probability a document needs to be kept.")


@dataclass
class DedupStageConfig:
    exact: bool = option(True, help="Drop exact duplicates (normalised text hash).")
    minhash: bool = option(True, help="Drop near duplicates (MinHash LSH).")
    num_perm: int = option(128, help="MinHash permutations.")
    bands: int = option(16, help="LSH bands (bands × rows ≤ num_perm).")
    rows: int = option(8, help="LSH rows per band.")
    ngram: int = option(5, help="Word n-gram size of the shingles.")
    verify_threshold: float = option(0.75, help="Candidate pairs need estimated Jaccard ≥ this (0 = off).")
    seed: int = option(1, help="Seed of the MinHash permutations.")

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands×rows={self.bands * self.rows} exceeds num_perm={self.num_perm}")


@dataclass
class DecontamConfig:
    enabled: bool = option(True, help="Remove documents that contain benchmark items.")
    data_dir: str = option("", help="Benchmark data; '' = $MATHFORGE_DATA_DIR.", path=True)
    benchmarks: list[str] = option([], help="Benchmarks to check against ([] = every one in the registry).")
    lcs_ratio: float = option(0.6, help="Longest-common-subsequence share that confirms a 13-gram match.")


@dataclass
class CorpusConfig:
    output: str = option("corpus-out", help="Output folder (shards, report, manifest).", path=True)
    input: InputConfig = field(default_factory=InputConfig, metadata={"help": "What to read."})
    run: RunConfig = field(default_factory=RunConfig, metadata={"help": "How to execute."})
    langid: LangIdConfig = field(default_factory=LangIdConfig, metadata={"help": "Language id."})
    classify: ClassifyConfig = field(default_factory=ClassifyConfig, metadata={"help": "Math classifier."})
    filters: FilterConfig = field(default_factory=FilterConfig, metadata={"help": "Quality filters."})
    filters_enabled: bool = option(True, help="Run the quality filters ([filters] enabled).")
    dedup: DedupStageConfig = field(default_factory=DedupStageConfig, metadata={"help": "Deduplication."})
    decontam: DecontamConfig = field(default_factory=DecontamConfig, metadata={"help": "Decontamination."})
    pack: PackConfig = field(default_factory=PackConfig, metadata={"help": "Tokenise and pack."})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def content_hash(self) -> str:
        """Hash of everything that changes the corpus (not how it is executed)."""
        d = self.as_dict()
        d["run"] = {"files_per_shard": self.run.files_per_shard}
        return config_hash(d)

    def benchmark_dir(self) -> str | None:
        from mathforge.bench import find_data_dir

        found = find_data_dir(self.decontam.data_dir or None)
        return str(found) if found else None


def load_corpus_config(path: str | Path, overrides: dict[str, Any] | None = None) -> CorpusConfig:
    """Read a corpus TOML: every section and key checked by name and type, paths relative to the file;
    ``overrides`` are dotted keys from the CLI (``run.executor="ray"``)."""
    path = Path(path)
    raw = load_toml(path)
    for key, value in (overrides or {}).items():
        section, _, name = key.partition(".")
        raw.setdefault(section, {})[name] = value
    if isinstance(raw.get("output"), dict):  # [output] dir = "…" is accepted too
        out = dict(raw["output"])
        raw["output"] = out.pop("dir", "corpus-out")
        if out:
            raise ConfigError(unknown_key_message(f"{path}: [output]", next(iter(out)), ["dir"]))
    if isinstance(raw.get("filters"), dict) and "enabled" in raw["filters"]:
        raw["filters"] = dict(raw["filters"])
        raw["filters_enabled"] = raw["filters"].pop("enabled")
    for name, value in raw.items():
        if name in SECTIONS and not isinstance(value, dict):
            raise ConfigError(f"{path}: {name} must be a [{name}] table, got {value!r}")
        if name not in SECTIONS and name not in ("output", "filters_enabled"):
            close = difflib.get_close_matches(name, [*SECTIONS, "output"], n=1, cutoff=0.6)
            hint = f"did you mean [{close[0]}]?" if close else f"known: output, {', '.join(SECTIONS)}"
            raise ConfigError(f"{path}: unknown section [{name}] — {hint}")
    base = path.resolve().parent
    for name in SECTIONS:
        if name in raw:
            raw[name] = from_dict(_SECTION_TYPES[name], raw[name], f"{path}: [{name}]", base)
    cfg = from_dict(CorpusConfig, raw, f"{path}:", base)
    if cfg.pack.tokenizer and Path(resolve_path(cfg.pack.tokenizer, base)).exists():
        cfg.pack.tokenizer = resolve_path(cfg.pack.tokenizer, base)
    if not cfg.input.paths:
        raise ConfigError(f"{path}: [input] paths is empty: list the files, folders or globs to read")
    return cfg


_SECTION_TYPES: dict[str, type] = {
    "input": InputConfig,
    "run": RunConfig,
    "langid": LangIdConfig,
    "classify": ClassifyConfig,
    "filters": FilterConfig,
    "dedup": DedupStageConfig,
    "decontam": DecontamConfig,
    "pack": PackConfig,
}
SECTIONS = tuple(_SECTION_TYPES)
