"""A model's own recommended sampling settings, from its ``generation_config.json``.

Reasoning models are reported at the temperature and top-p their authors recommend (DeepSeek-R1: 0.6 and
0.95), which they ship in ``generation_config.json``; ``mathforge eval`` uses them for n > 1 unless the
user gives ``--temperature`` / ``--top-p``.
"""

from __future__ import annotations

import json
from pathlib import Path

FALLBACK_TEMPERATURE = 0.7  # n > 1 and nothing recommended: samples must differ to be worth voting on


def recommended_sampling(model: str) -> dict[str, float]:
    """``{"temperature": t, "top_p": p}`` (each only when present) from a local model directory's
    generation config; empty for a Hub id, a GGUF file or a served model."""
    path = Path(model) / "generation_config.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for key in ("temperature", "top_p"):
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            out[key] = float(value)
    return out
