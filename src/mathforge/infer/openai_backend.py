"""Any OpenAI-compatible server (vLLM serve, SGLang, llama.cpp server, hosted APIs).

Built on the official ``openai`` client, which retries connection errors, timeouts, 429 and 5xx with
exponential backoff (honouring ``Retry-After``). On top of it: a thread pool for concurrency, an optional
requests-per-second limit, and per-item error capture — a request that still fails after its retries
becomes a ``Generation`` with ``finish_reason="error"``, so one bad request never sinks an evaluation.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from mathforge.infer.base import (
    Backend,
    BackendError,
    BackendSpec,
    Generation,
    ProgressFn,
    SamplingParams,
    StopBuffer,
    TextStream,
    truncate_at_stop,
)
from mathforge.prompts import Prompt


class _RateLimiter:
    """At most ``rate`` request starts per second, shared by all threads."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.next_at = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_at)
            self.next_at = start + self.interval
        if start > now:
            time.sleep(start - now)


class OpenAIBackend(Backend):
    name = "openai"

    def __init__(self, spec: BackendSpec) -> None:
        try:
            import openai
        except ImportError as exc:
            raise BackendError("the openai backend needs the openai package: pip install openai") from exc
        if not spec.api_base:
            raise BackendError("the openai backend needs --api-base, e.g. http://127.0.0.1:8000/v1")
        self.spec = spec
        self.model_id = spec.model
        self.chat = spec.chat if spec.chat is not None else True
        api_key = os.environ.get(spec.api_key_env) or "EMPTY"  # local servers accept any key
        self.client = openai.OpenAI(
            base_url=spec.api_base,
            api_key=api_key,
            max_retries=spec.max_retries,
            timeout=spec.request_timeout,
        )
        self.limiter = _RateLimiter(spec.requests_per_second)
        self._openai = openai

    def _create(self, prompt: Prompt, params: SamplingParams, seed: int, stop: list[str] | None, **extra):
        """One chat or completions request (``extra``: ``stream=True``); the client retries it."""
        common: dict[str, Any] = {
            "model": self.model_id,
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "n": params.n,
            "seed": seed,
            "stop": stop,
            **extra,
        }
        self.limiter.wait()
        if self.chat:
            messages = list(prompt.messages)
            body = None
            if prompt.continuation:  # vLLM / SGLang continue a final assistant message
                messages.append({"role": "assistant", "content": prompt.continuation})
                body = {"continue_final_message": True, "add_generation_prompt": False}
            return self.client.chat.completions.create(messages=messages, extra_body=body, **common)
        return self.client.completions.create(prompt=prompt.text + prompt.continuation, **common)

    @staticmethod
    def _stop(prompt: Prompt, params: SamplingParams) -> list[str] | None:
        return list(dict.fromkeys([*prompt.stop, *params.stop]))[:4] or None  # the API allows 4

    def _error(self, exc: Exception, t0: float, text: str = "") -> Generation:
        msg = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        return Generation(text, 0, "error", time.perf_counter() - t0, msg)

    def _one(self, prompt: Prompt, params: SamplingParams, index: int) -> list[Generation]:
        stop = self._stop(prompt, params)
        t0 = time.perf_counter()
        try:
            resp = self._create(prompt, params, params.seed + index, stop)
            if self.chat:
                texts = [(c.message.content or "", c.finish_reason) for c in resp.choices]
            else:
                texts = [(c.text or "", c.finish_reason) for c in resp.choices]
        except self._openai.OpenAIError as exc:
            return [self._error(exc, t0)] * params.n
        elapsed = time.perf_counter() - t0
        usage = getattr(resp, "usage", None)
        per = (usage.completion_tokens // max(1, len(texts))) if usage else 0
        gens = []
        for text, finish in texts:
            text, _ = truncate_at_stop(text, stop or ())
            gens.append(Generation(text, per, finish or "stop", elapsed / max(1, len(texts))))
        while len(gens) < params.n:  # a server that ignores n: ask again for the rest
            more = self._one(
                prompt,
                SamplingParams(**{**params.to_dict(), "n": 1, "stop": tuple(params.stop)}),
                index + len(gens),
            )
            gens += more
        return gens[: params.n]

    def stream(
        self, prompt: Prompt, params: SamplingParams, cancel: threading.Event | None = None
    ) -> TextStream:
        """``stream=True``: the server's chunks as they arrive. A cancel, or closing the stream, closes the
        connection, which makes vLLM and SGLang abort the request. Errors end the stream with an
        ``error`` Generation (text so far kept), as ``generate`` keeps them per item. ``tokens`` is the
        server's usage count when it sends one, else the number of chunks (about one per token)."""
        params = replace(params, n=1)
        stop = self._stop(prompt, params)
        buffer, text, chunks, usage, finish = StopBuffer(stop or ()), "", 0, None, None
        t0 = time.perf_counter()
        try:
            resp = self._create(prompt, params, params.seed, stop, stream=True)
        except self._openai.OpenAIError as exc:
            return self._error(exc, t0)
        try:
            for chunk in resp:
                if cancel is not None and cancel.is_set():
                    finish = "cancelled"
                    break
                usage = getattr(chunk, "usage", None) or usage
                for c in chunk.choices[:1]:
                    delta = (c.delta.content if self.chat else c.text) or ""
                    finish = c.finish_reason or finish
                    if delta:
                        text, chunks = text + delta, chunks + 1
                        if piece := buffer.feed(text):
                            yield piece
        except self._openai.OpenAIError as exc:  # a connection lost mid-stream is one too
            return self._error(exc, t0, buffer.sent)
        finally:
            resp.close()
        text, _ = truncate_at_stop(text, stop or ())
        if piece := buffer.finish(text):
            yield piece
        tokens = usage.completion_tokens if usage else chunks
        return Generation(text, tokens, finish or "stop", time.perf_counter() - t0)

    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams, progress: ProgressFn | None = None
    ) -> list[list[Generation]]:
        results: list[list[Generation]] = [[] for _ in prompts]
        with ThreadPoolExecutor(max_workers=max(1, self.spec.concurrency)) as pool:
            futures = {pool.submit(self._one, p, params, i): i for i, p in enumerate(prompts)}
            for fut in futures:
                results[futures[fut]] = fut.result()
                if progress:
                    progress(1)
        return results

    def info(self) -> dict[str, Any]:
        return {
            "backend": "openai",
            "model": self.model_id,
            "api_base": self.spec.api_base,
            "chat": self.chat,
            "concurrency": self.spec.concurrency,
            "openai": self._openai.__version__,
        }
