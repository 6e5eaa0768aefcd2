"""Benchmark registry: where each set lives, how its upstream fields map onto ``Problem``, its answer
kinds, language and default prompt style.

``load_benchmark(name, data_dir)`` reads a set from the data directory (``--data-dir`` or
``$MATHFORGE_DATA_DIR``; never a hard-coded path), or from its Hugging Face Hub mirror when asked.
"""

from mathforge.bench.api import (
    ENV_VAR,
    BenchInfo,
    BenchLoad,
    benchmark_file,
    find_data_dir,
    get_spec,
    list_benchmarks,
    load_benchmark,
    load_benchmark_report,
    resolve_data_dir,
)
from mathforge.bench.errors import BenchError, BenchmarkDataError, UnknownBenchmarkError
from mathforge.bench.problem import Problem
from mathforge.bench.registry import BENCHMARKS, BenchSpec, HubSpec, default_prompt_style

__all__ = [
    "BENCHMARKS",
    "ENV_VAR",
    "BenchError",
    "BenchInfo",
    "BenchLoad",
    "BenchSpec",
    "BenchmarkDataError",
    "HubSpec",
    "Problem",
    "UnknownBenchmarkError",
    "benchmark_file",
    "default_prompt_style",
    "find_data_dir",
    "get_spec",
    "list_benchmarks",
    "load_benchmark",
    "load_benchmark_report",
    "resolve_data_dir",
]
