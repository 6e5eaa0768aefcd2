"""``get_backend(spec)``: the one place that knows every backend, so ``base`` (the protocol the backends
import) imports none of them."""

from __future__ import annotations

from mathforge.infer.base import BACKENDS, Backend, BackendError, BackendSpec


def get_backend(spec: BackendSpec) -> Backend:
    """Start the backend ``spec.backend`` for ``spec.model``; BackendError with a fix when it cannot."""
    from mathforge.models import smollm2

    try:
        spec.model = smollm2.resolve(spec.model, spec.backend)
    except smollm2.ModelNotInstalled as exc:
        raise BackendError(str(exc)) from exc
    if spec.backend == "hf":
        from mathforge.infer.hf import HFBackend

        return HFBackend(spec)
    if spec.backend == "openai":
        from mathforge.infer.openai_backend import OpenAIBackend

        return OpenAIBackend(spec)
    if spec.backend == "llamacpp":
        from mathforge.infer.llamacpp import LlamaCppBackend

        return LlamaCppBackend(spec)
    if spec.backend == "vllm":
        from mathforge.infer.vllm_backend import VLLMBackend

        return VLLMBackend(spec)
    raise BackendError(f"unknown backend {spec.backend!r}; use one of {', '.join(BACKENDS)}")
