"""Errors a user can cause when loading benchmarks; each carries a one-line message that says what to do."""

from __future__ import annotations


class BenchError(Exception):
    """Base class, so callers (the CLI) can turn every benchmark error into one clean line."""


class BenchmarkDataError(BenchError):
    """The data directory, a benchmark file, or the hub source cannot be used."""


class UnknownBenchmarkError(BenchError, LookupError):
    """A benchmark name that is not in the registry (the message suggests the closest names)."""


class RecordError(ValueError):
    """One upstream record cannot be converted; the loader skips it and reports ``FILE:LINE: message``."""
