"""The backend protocol, sampling parameters and the factory."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
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
    why; the item is kept and counted, not lost), or ``cancelled`` when a stream's cancel flag ended it."""

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
    continuous_batching: bool = True  # hf: refill finished rows (mathforge.infer.refill)
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

TextStream = Generator[str, None, Generation | None]
"""What ``Backend.stream`` returns: text pieces as they come; the generator's return value (``None``
allowed, for simple engines) is the finished ``Generation``. ``collect_stream`` drains one."""


def truncate_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Cut ``text`` at the first stop string (engines that overshoot a stop string leave its tail)."""
    cut = min((i for s in stop if s and (i := text.find(s)) != -1), default=-1)
    return (text[:cut], True) if cut != -1 else (text, False)


class Backend(Protocol):
    """What the evaluation runner and the app need from a generation engine. The backends subclass it
    to inherit the default ``stream``."""

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

    def stream(
        self, prompt: Prompt, params: SamplingParams, cancel: threading.Event | None = None
    ) -> TextStream:
        """One sample (``params.n`` is ignored) as text pieces while the engine writes it; the pieces join
        to what ``generate`` returns for the same prompt and greedy params (stop strings cut the same
        way). ``cancel`` set, or the generator closed, stops the engine at its next token.

        This default, for engines that cannot stream (vLLM's offline engine), yields the whole sample as
        one piece once ``generate`` returns; a cancel then only takes effect before it starts."""
        if cancel is not None and cancel.is_set():
            return Generation("", 0, "cancelled")
        gen = self.generate([prompt], replace(params, n=1))[0][0]
        if gen.text:
            yield gen.text
        return gen


class StopBuffer:
    """Turns an engine's growing text into pieces that are safe to show: it holds back a tail that may
    still become a stop string (or is half a character, ``\ufffd``) and ends at the first stop string,
    so the pieces join to exactly the text ``truncate_at_stop`` gives ``generate``."""

    def __init__(self, stop: Sequence[str]) -> None:
        self.stop = [s for s in stop if s]
        self.sent = ""
        self.stopped = False

    def feed(self, text: str) -> str:
        """``text``: everything generated so far. Returns the new piece to show (may be empty)."""
        if self.stopped:
            return ""
        cut, self.stopped = truncate_at_stop(text, self.stop)
        if not self.stopped:
            hold = max((k for s in self.stop for k in range(1, len(s)) if cut.endswith(s[:k])), default=0)
            cut = cut[: len(cut) - hold]
            while cut.endswith("\ufffd"):  # an incomplete UTF-8 sequence: wait for its other bytes
                cut = cut[:-1]
        return self._advance(cut)

    def finish(self, text: str) -> str:
        """The rest of the final ``text`` (already cut at its stop string by the caller)."""
        return self._advance(text)

    def _advance(self, text: str) -> str:
        if len(text) <= len(self.sent) or not text.startswith(self.sent):
            return ""  # nothing new, or the decode changed earlier text: wait until it agrees again
        piece, self.sent = text[len(self.sent) :], text
        return piece


def collect_stream(pieces: Iterator[str], on_text: Callable[[str], None] | None = None) -> Generation:
    """Drain a ``Backend.stream``: ``on_text(text so far)`` after every piece; returns the stream's
    ``Generation`` (or one made of the joined text). If ``on_text`` raises (a cancelled job), the stream
    is closed, which stops its engine."""
    t0, text = time.perf_counter(), ""
    try:
        while True:
            try:
                piece = next(pieces)
            except StopIteration as end:
                return end.value or Generation(text, 0, "stop", time.perf_counter() - t0)
            text += piece
            if on_text is not None:
                on_text(text)
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()
