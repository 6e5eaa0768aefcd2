"""GGUF models through llama-cpp-python (the fast CPU engine)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
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


class LlamaCppBackend(Backend):
    name = "llamacpp"

    def __init__(self, spec: BackendSpec) -> None:
        try:
            import llama_cpp
        except ImportError as exc:
            raise BackendError(
                "the llamacpp backend needs llama-cpp-python: pip install llama-cpp-python"
            ) from exc
        path = Path(spec.model).expanduser()
        if not path.is_file():
            raise BackendError(f"{spec.model}: no such GGUF file; pass the path of a .gguf model")
        self.spec = spec
        self.model_id = str(path)
        self._llama_cpp = llama_cpp
        threads = spec.n_threads or min(8, os.cpu_count() or 1)
        try:
            self.llm = llama_cpp.Llama(
                model_path=str(path), n_ctx=spec.n_ctx, n_threads=threads, seed=0, verbose=False
            )
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"cannot load {path}: {exc}") from exc
        self.chat = spec.chat if spec.chat is not None else True

    def _create(self, prompt: Prompt, params: SamplingParams, seed: int, stop: list[str] | None, **extra):
        """A chat completion, or a plain completion of the rendered text when an assistant turn is
        continued or chat is off (``extra``: ``stream=True``)."""
        common = {
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "stop": stop,
            "seed": seed,
            **extra,
        }
        if self._is_chat(prompt):
            return self.llm.create_chat_completion(messages=list(prompt.messages), **common)
        head = self._render_chat(prompt) if self.chat else prompt.text
        return self.llm.create_completion(prompt=head + prompt.continuation, **common)

    def _is_chat(self, prompt: Prompt) -> bool:
        return self.chat and not prompt.continuation

    def _one(self, prompt: Prompt, params: SamplingParams, seed: int) -> Generation:
        stop = list(dict.fromkeys([*prompt.stop, *params.stop])) or None
        t0 = time.perf_counter()
        resp = self._create(prompt, params, seed, stop)
        choice = resp["choices"][0]
        text = (choice["message"]["content"] if self._is_chat(prompt) else choice["text"]) or ""
        text, _ = truncate_at_stop(text, stop or ())
        tokens = resp.get("usage", {}).get("completion_tokens", 0)
        return Generation(text, tokens, choice.get("finish_reason") or "stop", time.perf_counter() - t0)

    def stream(
        self, prompt: Prompt, params: SamplingParams, cancel: threading.Event | None = None
    ) -> TextStream:
        """llama-cpp-python's ``stream=True``: one chunk per token, taken as the engine decodes it. A
        cancel, or closing the stream, closes llama.cpp's generator, which stops it at the next token.
        ``tokens`` is the number of chunks (streamed responses carry no usage)."""
        stop = list(dict.fromkeys([*prompt.stop, *params.stop])) or None
        buffer, text, chunks, finish = StopBuffer(stop or ()), "", 0, None
        t0 = time.perf_counter()
        chat = self._is_chat(prompt)
        resp = self._create(prompt, params, params.seed, stop, stream=True)
        try:
            for chunk in resp:
                if cancel is not None and cancel.is_set():
                    finish = "cancelled"
                    break
                for choice in chunk["choices"][:1]:
                    delta = (choice.get("delta", {}).get("content") if chat else choice.get("text")) or ""
                    finish = choice.get("finish_reason") or finish
                    if delta:
                        text, chunks = text + delta, chunks + 1
                        if piece := buffer.feed(text):
                            yield piece
        finally:
            resp.close()
        text, _ = truncate_at_stop(text, stop or ())
        if piece := buffer.finish(text):
            yield piece
        return Generation(text, chunks, finish or "stop", time.perf_counter() - t0)

    def _render_chat(self, prompt: Prompt) -> str:
        """The model's own chat template (from the GGUF metadata), for continuing an assistant turn."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise BackendError(f"{self.model_id} has no chat template; use --no-chat")
        vocab = self.llm
        fmt = Jinja2ChatFormatter(
            template=template,
            eos_token=vocab.detokenize([vocab.token_eos()]).decode(errors="ignore"),
            bos_token=vocab.detokenize([vocab.token_bos()]).decode(errors="ignore"),
        )
        return fmt(messages=list(prompt.messages)).prompt

    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams, progress: ProgressFn | None = None
    ) -> list[list[Generation]]:
        out = []
        for i, prompt in enumerate(prompts):
            gens = [self._one(prompt, params, params.seed + i * 1000 + j) for j in range(params.n)]
            if params.temperature == 0 and params.n > 1:
                gens = [gens[0]] * params.n
            out.append(gens)
            if progress:
                progress(1)
        return out

    def info(self) -> dict[str, Any]:
        return {
            "backend": "llamacpp",
            "model": self.model_id,
            "chat": self.chat,
            "n_ctx": self.spec.n_ctx,
            "llama_cpp_python": self._llama_cpp.__version__,
        }
