"""Synthetic data: program-verified problem generators, and teacher synthesis with rejection sampling."""

from mathforge.synth.base import LANGS, LEVELS, Draft, Family, SynthItem
from mathforge.synth.families import FAMILIES
from mathforge.synth.generate import SynthReport, UnknownFamilyError, draw, generate

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
