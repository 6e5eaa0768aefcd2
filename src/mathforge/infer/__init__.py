"""Generation backends behind one protocol: ``hf`` (transformers), ``openai`` (any compatible server),
``vllm`` (offline engine) and ``llamacpp`` (GGUF)."""

from mathforge.infer.base import (
    BACKENDS,
    Backend,
    BackendError,
    BackendSpec,
    Generation,
    SamplingParams,
    collect_stream,
)
from mathforge.infer.factory import get_backend

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendError",
    "BackendSpec",
    "Generation",
    "SamplingParams",
    "collect_stream",
    "get_backend",
]
