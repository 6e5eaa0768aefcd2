"""Synthetic data: program-verified problem generators, and teacher synthesis with rejection sampling."""

from typing import Any

from mathforge.synth.base import LANGS, LEVELS, Draft, Family, SynthItem
from mathforge.synth.generate import SynthReport, UnknownFamilyError, draw, generate


def __getattr__(name: str) -> Any:
    """``FAMILIES`` on first use: loading every family takes a quarter second, not for `--help`."""
    if name == "FAMILIES":
        from mathforge.synth.families import FAMILIES

        return FAMILIES
    raise AttributeError(f"module 'mathforge.synth' has no attribute {name!r}")


__all__ = [
    "FAMILIES",
    "LANGS",
    "LEVELS",
    "Draft",
    "Family",
    "SynthItem",
    "SynthReport",
    "UnknownFamilyError",
    "draw",
    "generate",
]
