"""Reading a benchmark from its Hugging Face Hub mirror — only when asked, with a one-line error otherwise.

Everything in mathforge runs offline; the hub is an opt-in fallback for machines without the local data
directory. Rows are renamed to the local field names so the same converter reads them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from mathforge.bench.errors import BenchmarkDataError
from mathforge.bench.registry import BenchSpec, HubSpec


def _first_line(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {msg[0] if msg else ''}".strip().rstrip(":")


def hub_source(spec: BenchSpec) -> HubSpec:
    if spec.hub is None:
        raise BenchmarkDataError(
            f"{spec.name} has no Hugging Face Hub mirror in the registry; use the local files "
            "(pass --data-dir or set MATHFORGE_DATA_DIR)"
        )
    return spec.hub


def hub_rows(spec: BenchSpec, split: str, allow_network: bool) -> Iterator[dict[str, Any]]:
    """Rows of ``spec``'s hub mirror for ``split``, in the mirror's order, with local field names.

    Checks run eagerly: ``BenchmarkDataError`` is raised here, before anything touches the network,
    unless ``allow_network`` is true and ``datasets`` is importable."""
    hub = hub_source(spec)
    if not allow_network:
        raise BenchmarkDataError(
            f"{spec.name} from the Hugging Face Hub ({hub.repo}) needs network access: pass "
            "allow_network=True (--allow-network), or use the local files (--data-dir / MATHFORGE_DATA_DIR)"
        )
    if split not in hub.splits:
        raise BenchmarkDataError(
            f"{spec.name} has no split {split!r} on the hub mirror {hub.repo}; available: {', '.join(hub.splits)}"
        )
    try:
        datasets = importlib.import_module("datasets")
    except ImportError:
        raise BenchmarkDataError(
            "loading benchmarks from the Hugging Face Hub needs the 'datasets' package: pip install datasets"
        ) from None
    return _rows(datasets, hub, hub.splits[split])


def _rows(datasets: Any, hub: HubSpec, hub_split: str) -> Iterator[dict[str, Any]]:
    for config in hub.configs:
        where = f"{hub.repo}" + (f" ({config})" if config else "") + f" split {hub_split!r}"
        try:
            ds = datasets.load_dataset(hub.repo, config, split=hub_split)
        except Exception as exc:  # offline, renamed repo, auth: all become one actionable line
            raise BenchmarkDataError(
                f"cannot load {where} from the Hugging Face Hub ({_first_line(exc)}); check the network "
                "or use the local files (--data-dir / MATHFORGE_DATA_DIR)"
            ) from None
        for row in ds:
            row = dict(row)
            if hub.adapt is not None:
                row = hub.adapt(row)
            for src, dst in hub.rename.items():
                if src in row and dst not in row:
                    row[dst] = row.pop(src)
            yield row
