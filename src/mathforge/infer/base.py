"""The backend protocol, sampling parameters and the factory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from mathforge.prompts import Prompt

BACKENDS = ("hf", "openai", "vllm", "llamacpp")


class BackendError(RuntimeError):
    """A backend that cannot start (missing package, model that will not load): one clear line."""


@dataclass(frozen=True)
class SamplingParams:
    """How to sample. ``temperature == 0`` means greedy; ``n`` samples per prompt."""

    n: int = 1
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 512
    seed: int = 0
    stop: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["stop"] = list(self.stop)
        return d


@dataclass(frozen=True)
class Generation:
    """One sampled completion. ``finish_reason`` is ``stop``, ``length`` or ``error`` (then ``error`` says
    why; the item is kept and counted, not lost)."""

    text: str
    tokens: int = 0
    finish_reason: str = "stop"
    seconds: float = 0.0
    error: str | None = None


@dataclass
class BackendSpec:
    """Everything needed to start a backend; maps 1:1 onto ``mathforge eval`` flags."""

    backend: str
    model: str
    chat: bool | None = None  # None: use the chat template when the model has one
    batch_size: int = 8
    device: str = "auto"
    dtype: str = "auto"
    allow_network: bool = False
    api_base: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 8
    max_retries: int = 5
    request_timeout: float = 600.0
    requests_per_second: float | None = None
    n_ctx: int = 4096
    n_threads: int | None = None
    tensor_parallel_size: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


ProgressFn = Callable[[int], None]


class Backend(Protocol):
    """What the evaluation runner needs from a generation engine."""

    name: str
    model_id: str

    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams, progress: ProgressFn | None = None
    ) -> list[list[Generation]]:
        """``params.n`` generations for each prompt, in prompt order."""
        ...

    def info(self) -> dict[str, Any]:
        """Versions and settings that a reproduction needs."""
        ...


def truncate_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Cut ``text`` at the first stop string (engines that overshoot a stop string leave its tail)."""
    cut = min((i for s in stop if s and (i := text.find(s)) != -1), default=-1)
    return (text[:cut], True) if cut != -1 else (text, False)


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
