"""Generator families: each module holds one family and is named for it; modules starting with ``_`` hold
shared helpers and no family. ``FAMILIES`` maps a family's name to its ``Family``."""

from __future__ import annotations

import importlib
import pkgutil

from mathforge.synth.base import Family


def _discover() -> dict[str, Family]:
    found: dict[str, Family] = {}
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        for fam in getattr(module, "FAMILIES", ()):
            if fam.name in found:
                raise RuntimeError(f"two generator families named {fam.name!r}")
            found[fam.name] = fam
    return found


FAMILIES: dict[str, Family] = _discover()
